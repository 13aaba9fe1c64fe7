/**
 * Knowledge Model resource through n8n-core's real WorkflowExecute against the emulator: lists, record data
 * with fields, filters, filter expressions, search, sort and paging, KPIs with values, and the errors of a
 * deleted model, a missing scope and bad input (caught before anything is sent).
 */
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../../emulator';
import { celonisNode } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';

const ctx = useEmulator();
const KM = 'o2c-km';

let engine: Engine;
let creds: NodeSpec['credentials'];

beforeAll(async () => {
	engine = await Engine.create();
	creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes: ['intelligence.knowledge-models:read'] }),
	);
});
afterEach(() => ctx.emu.reset());

const km = (value = KM) => ({ __rl: true, mode: 'list', value });
const run = async (operation: string, parameters: Record<string, unknown>) =>
	await engine.runChain([
		celonisNode({ resource: 'knowledgeModel', operation, ...parameters }, creds),
	]);
const recordData = (parameters: Record<string, unknown>) =>
	run('getRecordData', {
		knowledgeModel: km(),
		record: { __rl: true, mode: 'id', value: 'SALES_ORDER' },
		...parameters,
	});
const seededRows = () =>
	ctx.emu.store.knowledgeModels.find((k) => k.id === KM)!.records[0].rows as IDataObject[];
const requestsTo = (fragment: string) =>
	ctx.emu.store.requestLog.list().filter((r) => r.path.includes(fragment));

describe('Knowledge Model lists', () => {
	it('Get Many lists the knowledge models; Get Records, Get Filters the parts of one', async () => {
		expect((await run('getAll', {})).json('Celonis')).toEqual([
			expect.objectContaining({ id: KM, name: 'O2C Knowledge Model' }),
		]);
		const records = (await run('getRecords', { knowledgeModel: km() })).json('Celonis');
		expect(records.map((r) => r.id)).toEqual(['SALES_ORDER', 'CUSTOMER']);
		const filters = (await run('getFilters', { knowledgeModel: km() })).json('Celonis');
		expect(filters).toEqual([expect.objectContaining({ id: 'ONLY_OPEN' })]);
	});

	it("Get KPIs with values adds each KPI's value from the model's data", async () => {
		const plain = (await run('getKpis', { knowledgeModel: km() })).json('Celonis');
		expect(plain.map((k) => k.id)).toEqual(['OPEN_ORDERS', 'TOTAL_NET_VALUE']);
		expect(plain[0]).not.toHaveProperty('value');
		const withValues = (await run('getKpis', { knowledgeModel: km(), includeValues: true })).json(
			'Celonis',
		);
		expect(withValues.map((k) => [k.id, k.value])).toEqual([
			['OPEN_ORDERS', 4],
			['TOTAL_NET_VALUE', 35355],
		]);
	});

	it('a limit stops the paging', async () => {
		const result = await run('getRecords', { knowledgeModel: km(), returnAll: false, limit: 1 });
		expect(result.json('Celonis')).toHaveLength(1);
	});
});

describe('Get Record Data', () => {
	it('reads the chosen fields of every row, page by page', async () => {
		const result = await recordData({
			fields: ['ORDER_ID', 'NET_VALUE'],
			options: { pageSize: 5 },
		});
		expect(result.status).toBe('success');
		expect(result.json('Celonis')).toEqual(
			seededRows().map((r) => ({ ORDER_ID: r.ORDER_ID, NET_VALUE: r.NET_VALUE })),
		);
		// 12 rows in pages of 5: three pages, the last one short (the first token request aside).
		const pages = requestsTo('/records/SALES_ORDER/data').filter((r) => r.status === 200);
		expect(pages.map((r) => [r.query.page, r.query.pageSize])).toEqual([
			['0', '5'],
			['1', '5'],
			['2', '5'],
		]);
	});

	it('sorts (several fields, both directions), filters and searches', async () => {
		const sorted = await recordData({
			fields: ['CUSTOMER', 'NET_VALUE'],
			sort: {
				field: [
					{ field: 'CUSTOMER', direction: 'asc' },
					{ field: 'NET_VALUE', direction: 'desc' },
				],
			},
		});
		const expected = seededRows()
			.map((r) => ({ CUSTOMER: r.CUSTOMER, NET_VALUE: r.NET_VALUE }))
			.sort(
				(a, b) =>
					String(a.CUSTOMER).localeCompare(String(b.CUSTOMER)) ||
					Number(b.NET_VALUE) - Number(a.NET_VALUE),
			);
		expect(sorted.json('Celonis')).toEqual(expected);

		const open = await recordData({
			fields: 'ORDER_ID,STATUS',
			options: { filters: ['ONLY_OPEN'] },
		});
		expect(open.json('Celonis').map((r) => r.STATUS)).toEqual(['OPEN', 'OPEN', 'OPEN', 'OPEN']);

		const expressions = await recordData({
			fields: ['ORDER_ID'],
			options: { filterExpressions: "STATUS eq 'OPEN'\nNET_VALUE gt 2000\n" },
		});
		expect(expressions.json('Celonis').map((r) => r.ORDER_ID)).toEqual([
			'SO-1003',
			'SO-1006',
			'SO-1009',
		]);

		const searched = await recordData({
			fields: ['ORDER_ID', 'CUSTOMER'],
			options: { searchTerm: 'acme', searchField: 'CUSTOMER' },
		});
		expect(searched.json('Celonis').map((r) => r.CUSTOMER)).toEqual([
			'Acme GmbH',
			'Acme GmbH',
			'Acme GmbH',
		]);

		const distinct = await recordData({ fields: ['STATUS'], options: { distinct: true } });
		expect(distinct.json('Celonis')).toHaveLength(3);
	});

	it("reads a related record's field as RECORD.FIELD, keyed as requested", async () => {
		const result = await recordData({
			fields: ['SALES_ORDER.ORDER_ID'],
			returnAll: false,
			limit: 2,
		});
		expect(result.json('Celonis')).toEqual([
			{ 'SALES_ORDER.ORDER_ID': 'SO-1000' },
			{ 'SALES_ORDER.ORDER_ID': 'SO-1001' },
		]);
	});

	it('refuses bad input before anything is sent', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ fields: '={{ "" }}' }, /Choose at least one of the record's "Fields"/],
			[
				{ fields: Array.from({ length: 201 }, (_, i) => `F${i}`) },
				/names 201 fields; Celonis reads at most 200/,
			],
			[
				{ fields: ['ORDER_ID'], sort: { field: [{ field: 'STATUS', direction: 'asc' }] } },
				/Sort field "STATUS" is not among "Fields"/,
			],
			[{ fields: ['ORDER ID'] }, /not a field ID/],
			[
				{ fields: ['ORDER_ID'], knowledgeModel: km('o2c-km/../../admin') },
				/"Knowledge Model" is "o2c-km\/\.\.\/\.\.\/admin", which is not a knowledge model ID/,
			],
		];
		for (const [parameters, message] of cases) {
			ctx.emu.store.requestLog.clear();
			const before = requestsTo('/intelligence/').length;
			const result = await recordData(parameters);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
			expect(requestsTo('/intelligence/').length).toBe(before);
		}
	});

	it('a deleted knowledge model, an unknown record: errors that name them', async () => {
		const missingRecord = await run('getRecordData', {
			knowledgeModel: km(),
			record: { __rl: true, mode: 'id', value: 'NO_SUCH_RECORD' },
			fields: ['X'],
		});
		expect(missingRecord.error?.message).toMatch(
			/Knowledge Model "o2c-km" has no record "NO_SUCH_RECORD" \(HTTP 404\)/,
		);
		await fetch(`${ctx.emu.url}/__emulator/knowledge-models/${KM}`, { method: 'DELETE' });
		const deleted = await recordData({ fields: ['ORDER_ID'] });
		expect(deleted.error?.message).toMatch(/Knowledge Model "o2c-km" was not found in Celonis/);
		expect(deleted.error?.description).toMatch(/deleted, or the credential cannot see it/);
	});

	it('without the scope intelligence.knowledge-models:read: the scope is named, nothing is sent', async () => {
		const subscriptionsOnly = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['intelligence.subscriptions:manage'] }),
		);
		const result = await engine.runChain([
			celonisNode(
				{
					resource: 'knowledgeModel',
					operation: 'getRecordData',
					knowledgeModel: km(),
					record: { __rl: true, mode: 'id', value: 'SALES_ORDER' },
					fields: ['ORDER_ID'],
				},
				subscriptionsOnly,
			),
		]);
		expect(result.error?.message).toMatch(
			/Missing OAuth scope: Knowledge Model API .* needs intelligence\.knowledge-models:read/,
		);
		expect(requestsTo('/records/SALES_ORDER/data')).toHaveLength(0);
	});
});

describe('Celonis reads only the first 5,000 rows of a query', () => {
	let big: Emulator;
	beforeAll(async () => {
		const rows = Array.from({ length: 6000 }, (_, i) => ({ ID: `R${i}` }));
		big = await startEmulator({
			quiet: true,
			seed: {
				team: { domain: 'big', name: 'Big' },
				users: [
					{ id: 'u', email: 'u@example.com', name: 'U', apiKeys: ['big-key'], permissions: ['*'] },
				],
				knowledgeModels: [
					{
						id: 'big-km',
						name: 'Big',
						records: [
							{
								id: 'ROWS',
								name: 'Rows',
								fields: [{ id: 'ID', name: 'ID', type: 'string' }],
								rows,
							},
						],
						kpis: [],
						filters: [],
						triggers: [],
					},
				],
			},
		});
	});
	afterAll(async () => await big.close());

	it('Return All stops there and says so in a hint', async () => {
		const apiKey = engine.addCredential('celonisApiKeyApi', {
			teamUrl: big.url,
			apiKey: 'big-key',
		});
		const result = await engine.runChain([
			celonisNode(
				{
					resource: 'knowledgeModel',
					operation: 'getRecordData',
					knowledgeModel: km('big-km'),
					record: { __rl: true, mode: 'id', value: 'ROWS' },
					fields: ['ID'],
				},
				apiKey,
			),
		]);
		expect(result.status).toBe('success');
		expect(result.json('Celonis')).toHaveLength(5000);
		const hints = result.run.data.resultData.runData.Celonis[0].hints ?? [];
		expect(hints.map((h) => h.message).join(' ')).toMatch(
			/Celonis returns only the first 5,000 rows of a query/,
		);
	});
});
