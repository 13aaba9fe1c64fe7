import type { Emulator } from '../../emulator';
import { appKey, bearer, call, DEMO, tokenFor, withEmulator, type Json } from './helpers';

/** Data-integration endpoints that Celonis' content-cli calls (docs/celonis-api.md#data-integration-api). */
let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
});
afterAll(() => emu.close());
const H = bearer(DEMO.apiKey);
const POOL = `/integration/api/pools/${DEMO.pool1}`;

describe('content-cli data-pool endpoints', () => {
	test('connection overview: every data connection of the pool with id, name and type', async () => {
		const r = await call(`${emu.url}${POOL}/overviews/data-sources`, { headers: H });
		expect(r.status).toBe(200);
		expect(r.json).toEqual([
			expect.objectContaining({
				id: DEMO.conn1,
				name: expect.any(String),
				type: expect.any(String),
			}),
		]);
	});

	test('one connection; unknown connection or pool → 404 JSON string', async () => {
		const r = await call(`${emu.url}${POOL}/data-sources/${DEMO.conn1}`, { headers: H });
		expect(r.status).toBe(200);
		const overview = (await call(`${emu.url}${POOL}/overviews/data-sources`, { headers: H }))
			.json[0];
		expect(r.json).toEqual(overview);
		const nf = await call(`${emu.url}${POOL}/data-sources/nope`, { headers: H });
		expect(nf.status).toBe(404);
		expect(typeof nf.json).toBe('string');
		expect(
			(await call(`${emu.url}/integration/api/pools/nope/overviews/data-sources`, { headers: H }))
				.status,
		).toBe(404);
	});

	test('v2 export: the pool with its connections, data models and data jobs', async () => {
		const r = await call(`${emu.url}${POOL}/v2/export`, { headers: H });
		expect(r.status).toBe(200);
		expect(r.json.dataPool).toMatchObject({ id: DEMO.pool1, name: 'O2C Pool' });
		expect(r.json.dataSources.map((c: Json) => c.id)).toEqual([DEMO.conn1]);
		expect(r.json.dataModels.map((m: Json) => m.id)).toEqual([DEMO.model1]);
		expect(r.json.dataModels[0].tables.length).toBeGreaterThan(0);
		expect(r.json.dataJobs.map((j: Json) => j.id)).toEqual([DEMO.job1]);
		expect(
			(await call(`${emu.url}/integration/api/pools/nope/v2/export`, { headers: H })).status,
		).toBe(404);
	});

	test('scope integration.data-pools(:read) and the pool permission, as for the other pool reads', async () => {
		const studio = await tokenFor(emu, 'demo-client', 'demo-client-secret', 'studio');
		const read = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'integration.data-pools:read',
		);
		for (const path of ['/overviews/data-sources', `/data-sources/${DEMO.conn1}`, '/v2/export']) {
			expect((await call(`${emu.url}${POOL}${path}`, { headers: bearer(studio) })).status).toBe(
				403,
			);
			expect(
				(await call(`${emu.url}${POOL}${path}`, { headers: appKey(DEMO.appKeyNoPerm) })).status,
			).toBe(403);
			expect((await call(`${emu.url}${POOL}${path}`, { headers: bearer(read) })).status).toBe(200);
		}
	});
});
