import type { Emulator } from '../../emulator';
import { sortRows } from '../../emulator/intelligenceApi';
import { bearer, call, DEMO, withEmulator, type Json } from './helpers';

let emu: Emulator;
const H = bearer(DEMO.apiKey);
const KM = `/intelligence/api/knowledge-models/${DEMO.km}`;
const DATA = `${KM}/records/SALES_ORDER/data`;

beforeAll(async () => {
	emu = await withEmulator();
	emu.configure({ intelligence: { perSecond: 100_000 } });
});
afterAll(() => emu.close());

const get = async (query: string) => call(`${emu.url}${DATA}?${query}`, { headers: H });
const post = async (projection: Json) =>
	call(`${emu.url}${DATA}`, { json: { projection }, headers: H });
const ids = (r: Json) => r.json.content.data.map((d: Json) => d.ORDER_ID);

describe('Get Record Data', () => {
	test('a predefined KM filter (filters / kmFilterNames) restricts the rows; an unknown one is 400', async () => {
		const open = ['SO-1000', 'SO-1003', 'SO-1006', 'SO-1009'];
		expect(ids(await get('fields=ORDER_ID&filters=ONLY_OPEN'))).toEqual(open);
		expect(
			ids(await post({ fields: 'ORDER_ID', filters: { kmFilterNames: ['ONLY_OPEN'] } })),
		).toEqual(open);
		const bad = await get('fields=ORDER_ID&filters=NOPE');
		expect(bad.json).toMatchObject({ status: 400, errorCode: 'GENERAL_PARAMETER_ILLEGAL' });
		expect(bad.json.detail).toContain('NOPE');
		// a filter whose fields the record lacks leaves that record alone
		expect(
			(
				await call(`${emu.url}${KM}/records/CUSTOMER/data?fields=CUSTOMER&filters=ONLY_OPEN`, {
					headers: H,
				})
			).json.content.data,
		).toHaveLength(4);
	});

	test('filters and filterExpr combine; record.field ids; multi-field sort, case-insensitive', async () => {
		const r = await get(
			`fields=SALES_ORDER.ORDER_ID,CUSTOMER&filters=ONLY_OPEN&filterExpr=${encodeURIComponent('NET_VALUE gt 1500')}&sort=${encodeURIComponent('+CUSTOMER,-SALES_ORDER.ORDER_ID')}`,
		);
		expect(r.status).toBe(200);
		expect(r.json.content.headers.map((h: Json) => h.id)).toEqual([
			'SALES_ORDER.ORDER_ID',
			'CUSTOMER',
		]);
		expect(r.json.content.data.map((d: Json) => d['SALES_ORDER.ORDER_ID'])).toEqual([
			'SO-1009',
			'SO-1006',
			'SO-1003',
		]);
		expect((await get('fields=OTHER_RECORD.ORDER_ID')).status).toBe(400);
		const names = [{ n: 'beta' }, { n: 'Alpha' }, { n: null }, { n: 'alpha2' }, { n: 'Beta2' }];
		expect(sortRows(names, [{ field: 'n', desc: false }]).map((r) => r.n)).toEqual([
			null,
			'Alpha',
			'alpha2',
			'beta',
			'Beta2',
		]);
		const sortOutside = await get('fields=ORDER_ID&sort=CUSTOMER');
		expect(sortOutside.json).toMatchObject({ status: 400, errorCode: 'GENERAL_PARAMETER_ILLEGAL' });
	});

	test('search: term in one field or in every selected field; searchPrecision 1..100', async () => {
		expect(ids(await get('fields=ORDER_ID,CUSTOMER&searchTerm=acme'))).toEqual([
			'SO-1000',
			'SO-1004',
			'SO-1008',
		]);
		expect(ids(await get('fields=ORDER_ID,CUSTOMER&searchTerm=100&searchField=ORDER_ID'))).toEqual([
			'SO-1000',
			'SO-1001',
			'SO-1002',
			'SO-1003',
			'SO-1004',
			'SO-1005',
			'SO-1006',
			'SO-1007',
			'SO-1008',
			'SO-1009',
		]);
		expect(
			ids(
				await post({
					fields: 'ORDER_ID',
					search: { term: 'SO-1011', field: 'ORDER_ID', precision: 100 },
				}),
			),
		).toEqual(['SO-1011']);
		expect((await get('fields=ORDER_ID&searchTerm=x&searchPrecision=101')).status).toBe(400);
	});

	test('paging: page/pageSize on GET, pagination on POST; total counts the page; distinct', async () => {
		const p1 = await get('fields=ORDER_ID&page=2&pageSize=5');
		expect(p1.json).toMatchObject({ page: 2, pageSize: 5, total: 2 });
		expect(ids(p1)).toEqual(['SO-1010', 'SO-1011']);
		const d = await post({ fields: 'STATUS', options: ['distinct'], sort: '+STATUS' });
		expect(d.json.content.data).toEqual([
			{ STATUS: 'INVOICED' },
			{ STATUS: 'OPEN' },
			{ STATUS: 'SHIPPED' },
		]);
		expect((await get('fields=ORDER_ID&pageSize=0')).json.errorCode).toBe(
			'GENERAL_PARAMETER_ILLEGAL',
		);
	});

	test('only the first N records of a filtered, sorted table are readable (Celonis: 5,000)', async () => {
		expect(emu.store.config.intelligence.maxDataRecords).toBe(5000);
		emu.configure({ intelligence: { maxDataRecords: 5 } });
		try {
			expect(ids(await get('fields=ORDER_ID&sort=-ORDER_ID&pageSize=50'))).toEqual([
				'SO-1011',
				'SO-1010',
				'SO-1009',
				'SO-1008',
				'SO-1007',
			]);
			expect((await get('fields=ORDER_ID&page=1&pageSize=5')).json.content.data).toEqual([]);
		} finally {
			emu.configure({ intelligence: { maxDataRecords: 5000 } });
		}
	});

	test('at most 200 fields per request', async () => {
		const many = Array.from({ length: 201 }, () => 'ORDER_ID').join(',');
		const r = await get(`fields=${many}`);
		expect(r.status).toBe(400);
		expect(r.json.detail).toContain('200');
	});
});

describe('knowledge model data (KPIs)', () => {
	test('KPI values, alone or per distinct record.field combination; GET and POST', async () => {
		const k = await call(`${emu.url}${KM}/data?kpis=OPEN_ORDERS,TOTAL_NET_VALUE`, { headers: H });
		expect(k.json.content.data).toEqual([{ OPEN_ORDERS: 4, TOTAL_NET_VALUE: 35355 }]);
		const per = await call(`${emu.url}${KM}/data`, {
			json: {
				projection: {
					fields: 'SALES_ORDER.STATUS',
					kpis: ['OPEN_ORDERS'],
					sort: '+SALES_ORDER.STATUS',
				},
			},
			headers: H,
		});
		expect(per.json.content.headers.map((h: Json) => [h.id, h.aggregation])).toEqual([
			['SALES_ORDER.STATUS', false],
			['OPEN_ORDERS', true],
		]);
		expect(per.json.content.data).toEqual([
			{ 'SALES_ORDER.STATUS': 'INVOICED', OPEN_ORDERS: 4 },
			{ 'SALES_ORDER.STATUS': 'OPEN', OPEN_ORDERS: 4 },
			{ 'SALES_ORDER.STATUS': 'SHIPPED', OPEN_ORDERS: 4 },
		]);
		expect((await call(`${emu.url}${KM}/data?kpis=NOPE`, { headers: H })).json.errorCode).toBe(
			'GENERAL_PARAMETER_ILLEGAL',
		);
		expect((await call(`${emu.url}${KM}/data?fields=STATUS`, { headers: H })).status).toBe(400);
	});

	test('KPI and filter lists page like every list', async () => {
		const kpis = await call(`${emu.url}${KM}/kpis?pageSize=1&page=1&sort=-id`, { headers: H });
		expect(kpis.json).toMatchObject({ page: 1, pageSize: 1, total: 1, sort: '-id' });
		expect(kpis.json.content[0]).toMatchObject({
			id: 'OPEN_ORDERS',
			direction: null,
			parameters: [],
		});
		expect(kpis.json.content[0].value).toBeUndefined();
		const filters = await call(`${emu.url}${KM}/filters`, { headers: H });
		expect(filters.json.content).toEqual([
			{ id: 'ONLY_OPEN', name: 'Only open orders', description: 'STATUS = OPEN' },
		]);
		expect((await call(`${emu.url}${KM}/kpis?sort=value`, { headers: H })).status).toBe(400);
	});
});
