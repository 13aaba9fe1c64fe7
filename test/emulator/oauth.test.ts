import { execFile } from 'node:child_process';
import { FormData } from 'undici';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Emulator } from '../../emulator';
import { bearer, call, DEMO, withEmulator, type Json } from './helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
});
afterAll(() => emu.close());

const form = (p: Record<string, string>) => ({
	body: new URLSearchParams(p).toString(),
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
/** n8n's OAuth callback on a loopback address: registered for the demo clients, any port matches. */
const CALLBACK = 'http://127.0.0.1:9/rest/oauth2-credential/callback';
const basic = (id: string, secret: string) =>
	`Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('/oauth2/token', () => {
	test('client_secret_basic, full scope set when no scope requested, no-store', async () => {
		const r = await call(`${emu.url}/oauth2/token`, {
			body: 'grant_type=client_credentials',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: basic('demo-audit-client', 'demo-audit-secret'),
			},
		});
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({
			scope: 'audit.log:read',
			token_type: 'Bearer',
			expires_in: 899,
		});
		expect(r.headers['cache-control']).toBe('no-store');
	});
	test('client_secret_post with requested scopes', async () => {
		const r = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-post-client',
				client_secret: 'demo-post-secret',
				scope: 'audit.log:read integration.data-pools',
			}),
		);
		expect(r.status).toBe(200);
		expect(r.json.scope).toBe('audit.log:read integration.data-pools');
	});
	test('multipart/form-data and query-string parameters', async () => {
		const fd = new FormData();
		fd.set('grant_type', 'client_credentials');
		fd.set('client_id', 'demo-client');
		fd.set('client_secret', 'demo-client-secret');
		fd.set('scope', 'studio');
		const r = await call(`${emu.url}/oauth2/token`, { method: 'POST', body: fd });
		expect(r.status).toBe(200);
		expect(r.json.scope).toBe('studio');
		const q = await call(`${emu.url}/oauth2/token?grant_type=client_credentials&scope=studio`, {
			method: 'POST',
			headers: { authorization: basic('demo-client', 'demo-client-secret') },
		});
		expect(q.status).toBe(200);
	});
	test('invalid_client: bad secret, unknown client (+WWW-Authenticate for basic), disallowed method', async () => {
		const bad = await call(`${emu.url}/oauth2/token`, {
			...form({ grant_type: 'client_credentials' }),
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: basic('demo-client', 'wrong'),
			},
		});
		expect(bad.status).toBe(401);
		expect(bad.json.error).toBe('invalid_client');
		expect(bad.headers['www-authenticate']).toMatch(/^Basic/);
		const unknown = await call(
			`${emu.url}/oauth2/token`,
			form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }),
		);
		expect(unknown.status).toBe(401);
		expect(unknown.json.error).toBe('invalid_client');
		expect(unknown.headers['www-authenticate']).toBeUndefined();
		const post = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-basic-client',
				client_secret: 'demo-basic-secret',
			}),
		);
		expect(post.status).toBe(401);
		expect(post.json.error_description).toMatch(
			/client_secret_post is not allowed for this client/,
		);
		const b = await call(`${emu.url}/oauth2/token`, {
			body: 'grant_type=client_credentials',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: basic('demo-post-client', 'demo-post-secret'),
			},
		});
		expect(b.status).toBe(401);
		expect(b.json.error_description).toMatch(/client_secret_basic is not allowed/);
		const none = await call(`${emu.url}/oauth2/token`, form({ grant_type: 'client_credentials' }));
		expect(none.status).toBe(401);
	});
	test('invalid_scope names the scopes; invalid_request; unsupported_grant_type', async () => {
		const s = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-audit-client',
				client_secret: 'demo-audit-secret',
				scope: 'audit.log:read studio made.up',
			}),
		);
		expect(s.status).toBe(400);
		expect(s.json.error).toBe('invalid_scope');
		expect(s.json.error_description).toContain('made.up');
		const s2 = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-audit-client',
				client_secret: 'demo-audit-secret',
				scope: 'studio',
			}),
		);
		expect(s2.json.error_description).toContain('studio');
		const g = await call(
			`${emu.url}/oauth2/token`,
			form({ client_id: 'demo-client', client_secret: 'demo-client-secret' }),
		);
		expect(g.status).toBe(400);
		expect(g.json.error).toBe('invalid_request');
		const u = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'password',
				client_id: 'demo-client',
				client_secret: 'demo-client-secret',
			}),
		);
		expect(u.status).toBe(400);
		expect(u.json.error).toBe('unsupported_grant_type');
	});
	test('URL-decodes Basic credentials (RFC 6749 §2.3.1)', async () => {
		emu.store.clients.set('odd:client', {
			...emu.store.clients.get('demo-client')!,
			clientId: 'odd:client',
			clientSecret: 's3cret +/%',
		});
		const r = await call(`${emu.url}/oauth2/token`, {
			body: 'grant_type=client_credentials&scope=studio',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: `Basic ${Buffer.from('odd%3Aclient:s3cret+%2B%2F%25').toString('base64')}`,
			},
		});
		expect(r.status).toBe(200);
		emu.store.clients.delete('odd:client');
	});
	test('configurable lifetime and token stats', async () => {
		emu.configure({ tokenLifetimeSeconds: 2 });
		const r = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-client',
				client_secret: 'demo-client-secret',
				scope: 'studio',
			}),
		);
		expect(r.json.expires_in).toBe(2);
		emu.configure({ tokenLifetimeSeconds: 899 });
		const stats = await call(`${emu.url}/__emulator/token-stats`);
		expect(stats.json.issued).toBeGreaterThan(0);
		expect(stats.json.byClient['demo-client']).toBeGreaterThan(0);
		const log = await call(`${emu.url}/__emulator/requests`);
		const tokenEntries = log.json.filter((e: Json) => e.path === '/oauth2/token');
		expect(tokenEntries[0].oauth).toMatchObject({ grantType: 'client_credentials' });
		expect(JSON.stringify(log.json)).not.toContain('demo-client-secret');
	});
	test('authorization_code approved without the page (emulator_consent=approve), then refresh_token rotation', async () => {
		const a = await call(
			`${emu.url}/oauth2/authorize?client_id=demo-client&response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=studio&state=xyz&emulator_consent=approve`,
		);
		expect(a.status).toBe(302);
		const loc = new URL(a.headers.location as string);
		expect(loc.searchParams.get('state')).toBe('xyz');
		const code = loc.searchParams.get('code')!;
		const client = { client_id: 'demo-client', client_secret: 'demo-client-secret' };
		const redeem = () =>
			call(
				`${emu.url}/oauth2/token`,
				form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...client }),
			);
		const refreshWith = (refresh_token: string) =>
			call(
				`${emu.url}/oauth2/token`,
				form({ grant_type: 'refresh_token', refresh_token, ...client }),
			);
		const t = await redeem();
		expect(t.status).toBe(200);
		expect(t.json.refresh_token).toBeDefined();
		const me = await call(`${emu.url}/api/cloud`, { headers: bearer(t.json.access_token) });
		expect(me.json.email).toBe('demo.user@example.com');
		const r = await refreshWith(t.json.refresh_token);
		expect(r.status).toBe(200);
		expect(r.json.refresh_token).not.toBe(t.json.refresh_token);
		const old = await refreshWith(t.json.refresh_token);
		expect(old.json.error).toBe('invalid_grant');
		const again = await redeem();
		expect(again.json.error).toBe('invalid_grant');
		// a code used twice revokes what was issued with it, rotated refresh tokens included
		const revoked = await refreshWith(r.json.refresh_token);
		expect(revoked.json.error).toBe('invalid_grant');
		const badScope = await call(
			`${emu.url}/oauth2/authorize?client_id=demo-audit-client&response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=studio`,
		);
		expect(new URL(badScope.headers.location as string).searchParams.get('error')).toBe(
			'invalid_scope',
		);
	});
	test('discovery document', async () => {
		const r = await call(`${emu.url}/.well-known/openid-configuration`);
		expect(r.json).toMatchObject({
			issuer: emu.url,
			token_endpoint: `${emu.url}/oauth2/token`,
			token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		});
	});
});

describe('scopes and permissions on API routes', () => {
	test('probe accepts Json token; noperm client gets 403 errorDTO on permissioned API', async () => {
		const t = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-noperm-client',
				client_secret: 'demo-noperm-secret',
				scope: 'audit.log:read',
			}),
		);
		const tok = t.json.access_token;
		expect((await call(`${emu.url}/api/cloud/team`, { headers: bearer(tok) })).status).toBe(200);
		const a = await call(`${emu.url}/log/api/external/audit`, { headers: bearer(tok) });
		expect(a.status).toBe(403);
		expect(a.json).toEqual({
			title: 'Access Denied.',
			status: 403,
			detail: 'Access is denied',
			errorCode: 'ADMIN_ACCESS_ERROR',
		});
	});
	test('token lacking the route scope → 403', async () => {
		const t = await call(
			`${emu.url}/oauth2/token`,
			form({
				grant_type: 'client_credentials',
				client_id: 'demo-client',
				client_secret: 'demo-client-secret',
				scope: 'studio',
			}),
		);
		const a = await call(`${emu.url}/log/api/external/audit`, {
			headers: bearer(t.json.access_token),
		});
		expect(a.status).toBe(403);
		expect(a.json.errorCode).toBe('ADMIN_ACCESS_ERROR');
		expect(a.headers['x-celonis-required-scope']).toBeUndefined();
	});
	test('app key without permissions → 403', async () => {
		const a = await call(`${emu.url}/log/api/external/audit`, {
			headers: { authorization: `AppKey ${DEMO.appKeyNoPerm}` },
		});
		expect(a.status).toBe(403);
	});
});

describe('openid-client (certified client) against the emulator', () => {
	test('both auth methods succeed; invalid_client / invalid_scope where they should', async () => {
		const cases = [
			{
				name: 'basic',
				clientId: 'demo-client',
				secret: 'demo-client-secret',
				method: 'client_secret_basic',
				scope: 'audit.log:read studio',
			},
			{
				name: 'post',
				clientId: 'demo-client',
				secret: 'demo-client-secret',
				method: 'client_secret_post',
				scope: 'integration.data-pools',
			},
			{
				name: 'basic-only',
				clientId: 'demo-basic-client',
				secret: 'demo-basic-secret',
				method: 'client_secret_basic',
			},
			{
				name: 'basic-only-via-post',
				clientId: 'demo-basic-client',
				secret: 'demo-basic-secret',
				method: 'client_secret_post',
			},
			{
				name: 'post-only-via-basic',
				clientId: 'demo-post-client',
				secret: 'demo-post-secret',
				method: 'client_secret_basic',
			},
			{
				name: 'bad-secret',
				clientId: 'demo-client',
				secret: 'wrong',
				method: 'client_secret_post',
			},
			{
				name: 'bad-scope',
				clientId: 'demo-audit-client',
				secret: 'demo-audit-secret',
				method: 'client_secret_basic',
				scope: 'studio',
			},
		];
		const { stdout } = await promisify(execFile)(
			process.execPath,
			[join(__dirname, 'fixtures', 'openid-client-probe.mjs'), emu.url, JSON.stringify(cases)],
			{ timeout: 15000 },
		);
		const results = Object.fromEntries(
			(JSON.parse(stdout.trim().split('\n').pop()!) as Json[]).map((r) => [r.name, r]),
		);
		expect(results.basic).toMatchObject({
			ok: true,
			scope: 'audit.log:read studio',
			expiresIn: 899,
			hasToken: true,
		});
		expect(results.post).toMatchObject({ ok: true, scope: 'integration.data-pools' });
		expect(results['basic-only']).toMatchObject({ ok: true });
		expect(results['basic-only-via-post']).toMatchObject({
			ok: false,
			error: 'invalid_client',
			status: 401,
		});
		expect(results['post-only-via-basic']).toMatchObject({
			ok: false,
			error: 'invalid_client',
			status: 401,
		});
		expect(results['bad-secret']).toMatchObject({ ok: false, error: 'invalid_client' });
		expect(results['bad-scope']).toMatchObject({ ok: false, error: 'invalid_scope', status: 400 });
	});
});
