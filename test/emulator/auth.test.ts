import type { Emulator } from '../../emulator';
import { MALFORMED_AUTH_TEXT } from '../../emulator/errors';
import { appKey, bearer, call, DEMO, tokenFor, withEmulator } from './helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
});
afterAll(() => emu.close());

describe('authentication', () => {
	test('user API key as Bearer, prefix case-insensitive', async () => {
		for (const p of ['Bearer', 'bearer', 'BEARER']) {
			const r = await call(`${emu.url}/api/cloud/team`, {
				headers: { authorization: `${p} ${DEMO.apiKey}` },
			});
			expect(r.status).toBe(200);
			expect(r.json.domain).toBe('demo');
		}
	});
	test('application key as AppKey (any case) and as bare AppKey header', async () => {
		expect(
			(await call(`${emu.url}/api/cloud`, { headers: { authorization: `appkey ${DEMO.appKey}` } }))
				.status,
		).toBe(200);
		const r = await call(`${emu.url}/api/cloud`, { headers: { AppKey: DEMO.appKey } });
		expect(r.status).toBe(200);
		expect(r.json.teamDomain).toBe('demo');
	});
	test('missing header → 401 {"error":"Unauthorized"}', async () => {
		const r = await call(`${emu.url}/api/cloud/team`);
		expect(r.status).toBe(401);
		expect(r.json).toEqual({ error: 'Unauthorized' });
	});
	test('malformed header → 401 documented text', async () => {
		for (const h of ['Basic abc', 'Token x', 'Bearer', 'demo-user-api-key']) {
			const r = await call(`${emu.url}/api/cloud/team`, { headers: { authorization: h } });
			expect(r.status).toBe(401);
			expect(r.text).toBe(MALFORMED_AUTH_TEXT);
		}
	});
	test('known key with the wrong prefix → 401', async () => {
		const a = await call(`${emu.url}/api/cloud`, { headers: appKey(DEMO.apiKey) });
		expect(a.status).toBe(401);
		expect(a.json).toEqual({ error: 'Unauthorized' });
		const b = await call(`${emu.url}/api/cloud`, { headers: bearer(DEMO.appKey) });
		expect(b.status).toBe(401);
	});
	test('unknown key / unknown token → 401', async () => {
		expect((await call(`${emu.url}/api/cloud`, { headers: bearer('nope') })).status).toBe(401);
		expect((await call(`${emu.url}/api/cloud`, { headers: appKey('nope') })).status).toBe(401);
		expect((await call(`${emu.url}/api/cloud`, { headers: { AppKey: 'nope' } })).status).toBe(401);
	});
	test('OAuth token: valid, expired, revoked', async () => {
		const t = await tokenFor(emu, 'demo-client', 'demo-client-secret', 'audit.log:read');
		expect((await call(`${emu.url}/api/cloud/team`, { headers: bearer(t) })).status).toBe(200);
		emu.store.tokens.access.get(t)!.expiresAt = Date.now() - 1;
		expect((await call(`${emu.url}/api/cloud/team`, { headers: bearer(t) })).status).toBe(401);
		const t2 = await tokenFor(emu, 'demo-client', 'demo-client-secret');
		const rv = await call(`${emu.url}/__emulator/tokens/revoke`, {
			json: { clientId: 'demo-client' },
		});
		expect(rv.json.revoked).toBeGreaterThanOrEqual(1);
		expect((await call(`${emu.url}/api/cloud/team`, { headers: bearer(t2) })).status).toBe(401);
	});
	test('probes: /api/cloud, /api/cloud/permissions, /api/team', async () => {
		const c = await call(`${emu.url}/api/cloud`, { headers: bearer(DEMO.apiKey) });
		expect(c.json).toMatchObject({
			email: 'demo.user@example.com',
			teamDomain: 'demo',
			teamName: 'Demo Team',
		});
		const p = await call(`${emu.url}/api/cloud/permissions`, { headers: bearer(DEMO.apiKey) });
		expect(Array.isArray(p.json)).toBe(true);
		expect(p.json.length).toBeGreaterThan(0);
		const none = await call(`${emu.url}/api/cloud/permissions`, {
			headers: appKey(DEMO.appKeyNoPerm),
		});
		expect(none.json).toEqual([]);
		const t = await call(`${emu.url}/api/team`, { headers: appKey(DEMO.appKey) });
		expect(t.json).toMatchObject({
			domain: 'demo',
			dataPushJobSubmissionLimitPerSec: 10,
			dataPushJobSubmissionLimitPerHour: 250,
		});
		expect(t.headers['x-ratelimit-limit']).toBeDefined();
		expect(t.headers['x-ratelimit-remaining']).toBeDefined();
	});
	test('unknown path → 404 errorDTO; wrong method → 405', async () => {
		const r = await call(`${emu.url}/api/nothing-here`, { headers: bearer(DEMO.apiKey) });
		expect(r.status).toBe(404);
		expect(r.json).toMatchObject({ status: 404, errorCode: 'GENERAL_NOTFOUND_PATH' });
		expect(r.headers['content-type']).toContain('application/problem+json');
		const m = await call(`${emu.url}/api/cloud/team`, {
			method: 'DELETE',
			headers: bearer(DEMO.apiKey),
		});
		expect(m.status).toBe(405);
	});
	test('request log redacts the Authorization header', async () => {
		await call(`${emu.url}/api/cloud/team`, { headers: bearer(DEMO.apiKey) });
		const log = await call(`${emu.url}/__emulator/requests?limit=50`);
		expect(JSON.stringify(log.json)).not.toContain(DEMO.apiKey);
		const last = log.json[log.json.length - 1];
		expect(last).toMatchObject({
			method: 'GET',
			path: '/api/cloud/team',
			status: 200,
			identity: { kind: 'apiKey' },
			authorization: 'Bearer [REDACTED]',
		});
	});
});
