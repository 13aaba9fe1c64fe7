import { request } from 'undici';
import type { Emulator } from '../../emulator';
import { bearer, call, DEMO, tokenFor, withEmulator, type Json } from './helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
});
afterAll(() => emu.close());
const H = bearer(DEMO.apiKey);

describe('fault injection, generic rate limit, reset, config', () => {
	test('scripted sequence: 429 with reset header, 503, slow, then pass-through', async () => {
		const add = await call(`${emu.url}/__emulator/faults`, {
			json: {
				method: 'GET',
				path: '/api/cloud/team',
				sequence: [
					{ status: 429, headers: { 'x-ratelimit-reset': '1' }, body: 'Too many' },
					{ status: 503 },
					{ delayMs: 50 },
				],
			},
		});
		expect(add.json.ids).toHaveLength(1);
		const a = await call(`${emu.url}/api/cloud/team`, { headers: H });
		expect(a.status).toBe(429);
		expect(a.headers['x-ratelimit-reset']).toBe('1');
		expect((await call(`${emu.url}/api/cloud/team`, { headers: H })).status).toBe(503);
		const t0 = Date.now();
		expect((await call(`${emu.url}/api/cloud/team`, { headers: H })).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
		expect((await call(`${emu.url}/api/cloud/team`, { headers: H })).status).toBe(200);
		const log = await call(`${emu.url}/__emulator/requests?limit=4`);
		expect(log.json[0].fault).toBeDefined();
	});
	test('dropResponse: the request is handled (a job is created) but the client gets a dropped connection', async () => {
		const pool = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
		await call(`${emu.url}/__emulator/faults`, {
			json: {
				method: 'POST',
				path: `/data-ingestion/api/v1/data-push/${pool}/jobs`,
				sequence: [{ dropResponse: true }],
			},
		});
		const before = emu.store.pushJobs.size;
		await expect(
			request(`${emu.url}/data-ingestion/api/v1/data-push/${pool}/jobs/`, {
				method: 'POST',
				headers: { ...H, 'content-type': 'application/json' },
				body: JSON.stringify({ targetName: 'DROPPED', type: 'REPLACE' }),
			}),
		).rejects.toThrow();
		expect(emu.store.pushJobs.size).toBe(before + 1);
		await call(`${emu.url}/__emulator/faults`, { method: 'DELETE' });
	});
	test('connection reset; regex path; probability with seed is deterministic; DELETE clears', async () => {
		await call(`${emu.url}/__emulator/faults`, {
			json: { path: '^/api/cloud$', sequence: [{ reset: true }] },
		});
		await expect(request(`${emu.url}/api/cloud`, { headers: H })).rejects.toThrow();
		await call(`${emu.url}/__emulator/faults`, { method: 'DELETE' });
		const run = async () => {
			await call(`${emu.url}/__emulator/faults`, { method: 'DELETE' });
			await call(`${emu.url}/__emulator/faults`, {
				json: { path: '/api/team', probability: 0.5, seed: 7, response: { status: 502 } },
			});
			const out = [];
			for (let i = 0; i < 12; i++)
				out.push((await call(`${emu.url}/api/team`, { headers: H })).status);
			return out;
		};
		const a = await run();
		const b = await run();
		expect(a).toEqual(b);
		expect(a).toContain(502);
		expect(a).toContain(200);
		await call(`${emu.url}/__emulator/faults`, { method: 'DELETE' });
		expect((await call(`${emu.url}/__emulator/faults`)).json).toEqual([]);
		expect((await call(`${emu.url}/__emulator/faults`, { json: { path: '/x' } })).status).toBe(400);
	});
	test('token revocation mid-run via fault step', async () => {
		const t = await tokenFor(emu, 'demo-client', 'demo-client-secret');
		await call(`${emu.url}/__emulator/faults`, {
			json: { path: '/api/cloud/team', sequence: [{ revokeTokens: { clientId: 'demo-client' } }] },
		});
		expect((await call(`${emu.url}/api/cloud/team`, { headers: bearer(t) })).status).toBe(401);
		await call(`${emu.url}/__emulator/faults`, { method: 'DELETE' });
	});
	test('generic requests/second limiter (off by default)', async () => {
		const put = await call(`${emu.url}/__emulator/config`, {
			method: 'PUT',
			json: { rateLimit: { requestsPerSecond: 3 } },
		});
		expect(put.json.rateLimit.requestsPerSecond).toBe(3);
		const statuses = [];
		for (let i = 0; i < 5; i++)
			statuses.push(await call(`${emu.url}/api/cloud/team`, { headers: H }));
		expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 429, 429]);
		expect(statuses[0]!.headers['x-ratelimit-limit']).toBe('3');
		expect(statuses[3]!.headers['x-ratelimit-reset']).toBe('1');
		const intel = await call(`${emu.url}/intelligence/api/knowledge-models`, { headers: H });
		expect(intel.status).toBe(429);
		expect(intel.json.errorCode).toBe('LIMIT_RATE_EXCEEDED');
		await call(`${emu.url}/__emulator/config`, {
			method: 'PUT',
			json: { rateLimit: { requestsPerSecond: null } },
		});
		expect(
			(await call(`${emu.url}/__emulator/config`, { method: 'PUT', json: { nope: 1 } })).status,
		).toBe(400);
	});
	test('reset restores seed state; tables listing', async () => {
		emu.configure({ tokenLifetimeSeconds: 5 });
		await tokenFor(emu, 'demo-client', 'demo-client-secret');
		expect((await call(`${emu.url}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
		expect((await call(`${emu.url}/__emulator/config`)).json.tokenLifetimeSeconds).toBe(899);
		expect((await call(`${emu.url}/__emulator/token-stats`)).json.issued).toBe(0);
		const tables = await call(`${emu.url}/__emulator/tables`);
		expect(tables.json.map((t: Json) => t.name)).toContain('SALES_ORDERS');
		const so = await call(`${emu.url}/__emulator/tables/${DEMO.pool1}/SALES_ORDERS`);
		expect(so.json.rows).toHaveLength(12);
		expect((await call(`${emu.url}/__emulator/tables/${DEMO.pool1}/NOPE`)).status).toBe(404);
		expect((await call(`${emu.url}/__emulator/jobs`)).json).toEqual([]);
		expect(
			(
				await call(`${emu.url}/__emulator/login-events`, {
					json: {
						authenticationEventType: 'LOGIN',
						email: 'a@b.c',
						success: true,
						timestamp: '2030-01-01T00:00:00Z',
					},
				})
			).json.total,
		).toBe(501);
	});
});
