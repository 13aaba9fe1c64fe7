import type { Emulator } from '../../emulator';
import { appKey, bearer, call, DEMO, tokenFor, waitFor, withEmulator, type Json } from './helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
	emu.configure({ modelLoadMs: 300, dataJobDelays: { queuedMs: 100, runningMs: 200 } });
});
afterAll(() => emu.close());
const H = bearer(DEMO.apiKey);
const P = DEMO.pool1;
const M = DEMO.model1;

describe('integration', () => {
	test('pools list, paged, get, 404 string', async () => {
		const l = await call(`${emu.url}/integration/api/pools`, { headers: H });
		expect(l.json.map((p: Json) => p.name)).toEqual(['O2C Pool', 'P2P Pool']);
		const pg = await call(`${emu.url}/integration/api/pools/paged?limit=1&page=1`, { headers: H });
		expect(pg.json).toMatchObject({
			pageSize: 1,
			pageNumber: 1,
			totalCount: 2,
			content: [{ name: 'P2P Pool' }],
		});
		expect((await call(`${emu.url}/integration/api/pools/${P}`, { headers: H })).json.id).toBe(P);
		const nf = await call(`${emu.url}/integration/api/pools/nope`, { headers: H });
		expect(nf.status).toBe(404);
		expect(typeof nf.json).toBe('string');
		expect(
			(await call(`${emu.url}/integration/api/pools/${P}/data-sources`, { headers: H })).json[0].id,
		).toBe(DEMO.conn1);
	});
	test('data models and tables', async () => {
		const dms = await call(`${emu.url}/integration/api/pools/${P}/data-models`, { headers: H });
		expect(dms.json[0]).toMatchObject({ id: M, poolId: P });
		expect(
			(await call(`${emu.url}/integration/api/pools/${P}/data-models/${M}`, { headers: H })).json
				.tables,
		).toHaveLength(3);
		expect(
			(
				await call(`${emu.url}/integration/api/v1/data-pools/${P}/data-models/${M}/tables`, {
					headers: H,
				})
			).json[0],
		).toMatchObject({ aliasOrName: 'Sales Orders' });
		expect(
			(await call(`${emu.url}/integration/api/pools/${P}/data-model/${M}/tables`, { headers: H }))
				.json,
		).toHaveLength(3);
		expect(
			(await call(`${emu.url}/integration/api/pools/${P}/data-models/nope`, { headers: H })).status,
		).toBe(404);
	});
	test('load → RUNNING → SUCCESS; 409 while running; partial-sync; load-info-sync; pycelonis reload', async () => {
		const base = `${emu.url}/integration/api/v1/data-pools/${P}/data-models/${M}`;
		const empty = await call(`${base}/last-load`, { headers: H });
		expect(empty.json.loadStatus).toBeNull();
		expect((await call(`${base}/load`, { method: 'POST', headers: H })).status).toBe(200);
		expect((await call(`${base}/last-load`, { headers: H })).json).toMatchObject({
			loadStatus: 'RUNNING',
			loadType: 'COMPLETE',
		});
		expect(
			(await call(`${base}/load?fullReload=false`, { method: 'POST', headers: H })).status,
		).toBe(409);
		await waitFor(async () =>
			(await call(`${base}/last-load`, { headers: H })).json.loadStatus === 'SUCCESS'
				? true
				: undefined,
		);
		const tid = 't0000000-0000-4000-8000-000000001011';
		expect((await call(`${base}/load/partial-sync`, { json: [tid], headers: H })).status).toBe(200);
		expect((await call(`${base}/last-load`, { headers: H })).json.loadType).toBe('PARTIAL');
		await waitFor(async () =>
			(await call(`${base}/last-load`, { headers: H })).json.loadStatus === 'SUCCESS'
				? true
				: undefined,
		);
		expect((await call(`${base}/load/partial-sync`, { json: ['nope'], headers: H })).status).toBe(
			400,
		);
		expect((await call(`${base}/load/partial-sync`, { json: {}, headers: H })).status).toBe(400);
		expect(
			(
				await call(
					`${emu.url}/integration/api/pools/${P}/data-models/${M}/reload?forceComplete=false`,
					{ method: 'POST', headers: H },
				)
			).status,
		).toBe(200);
		const info = await call(
			`${emu.url}/integration/api/pools/${P}/data-models/${M}/load-history/load-info-sync`,
			{ headers: H },
		);
		expect(info.json.loadInfo.currentComputeLoad).toMatchObject({
			loadStatus: 'RUNNING',
			loadType: 'FROM_CACHE',
		});
		expect(info.json.loadHistory.dataLoadHistory.length).toBe(3);
	});
	test('data job execute v2/v1 + status progression; bad mode 400; permissions', async () => {
		const r = await call(
			`${emu.url}/integration/api/v2/data-pools/${P}/data-jobs/${DEMO.job1}/execute?mode=FULL`,
			{ method: 'POST', headers: H },
		);
		expect(r.status).toBe(200);
		const status = async () =>
			(await call(`${emu.url}/integration/api/pools/${P}/jobs/${DEMO.job1}`, { headers: H })).json
				.status;
		expect(['QUEUED', 'RUNNING']).toContain(await status());
		await waitFor(async () => ((await status()) === 'SUCCESS' ? true : undefined));
		expect(
			(
				await call(
					`${emu.url}/integration/api/v1/data-pools/${P}/data-jobs/${DEMO.job1}/execute?mode=DELTA`,
					{ method: 'POST', headers: H },
				)
			).status,
		).toBe(200);
		const bad = await call(
			`${emu.url}/integration/api/v2/data-pools/${P}/data-jobs/${DEMO.job1}/execute?mode=PARTIAL`,
			{ method: 'POST', headers: H },
		);
		expect(bad.status).toBe(400);
		expect(bad.json).toMatchObject({ frontendErrorKey: expect.any(String) });
		expect(
			(await call(`${emu.url}/integration/api/pools/${P}/jobs`, { headers: H })).json,
		).toHaveLength(1);
		expect(
			(
				await call(`${emu.url}/integration/api/pools/${P}/jobs/${DEMO.job1}/execute`, {
					method: 'POST',
					headers: H,
				})
			).status,
		).toBe(200);
		expect(
			(
				await call(`${emu.url}/integration/api/pools/${P}/jobs/${DEMO.job1}/cancel`, {
					method: 'POST',
					headers: H,
				})
			).status,
		).toBe(200);
		expect(await status()).toBe('CANCEL');
		expect(
			(await call(`${emu.url}/integration/api/pools`, { headers: appKey(DEMO.appKeyNoPerm) }))
				.status,
		).toBe(403);
		const ro = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'integration.data-pools:read',
		);
		expect((await call(`${emu.url}/integration/api/pools`, { headers: bearer(ro) })).status).toBe(
			200,
		);
		expect(
			(
				await call(`${emu.url}/integration/api/v2/data-pools/${P}/data-jobs/${DEMO.job1}/execute`, {
					method: 'POST',
					headers: bearer(ro),
				})
			).status,
		).toBe(403);
	});
});
