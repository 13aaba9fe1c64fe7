import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { testCredential } from '../harness/credentialTest';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import { addFaults as addFaultRules } from '../harness/builders';

const ctx = useEmulator();
const addFaults = (rules: unknown) => addFaultRules(ctx.emu.url, rules);

const get = (
	path: string,
	credentials: NodeSpec['credentials'],
	authentication = 'oAuth2',
	options: NodeSpec['parameters'] = {},
): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: {
		authentication,
		resource: 'httpRequest',
		operation: 'request',
		method: 'GET',
		path,
		options,
	},
	credentials,
});

beforeEach(() => {
	ctx.emu.store.faults.clear();
	ctx.emu.configure({ tokenLifetimeSeconds: 899 });
});

describe('transient failures while authenticating are retried', () => {
	it('one 503 on an API key’s first-use check', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisApiKeyApi', {
			teamUrl: ctx.emu.url,
			apiKey: DEMO.apiKey,
		});
		await addFaults({ method: 'GET', path: '/api/cloud/team', sequence: [{ status: 503 }] });
		const r = await engine.runChain([get('/integration/api/pools', creds, 'apiKey')]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis').length).toBeGreaterThan(0);
	});

	it('one 500 and one reset from the token endpoint', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['integration.data-pools'] }),
		);
		await addFaults({
			method: 'POST',
			path: '/oauth2/token',
			sequence: [{ status: 500 }, { reset: true }],
		});
		const r = await engine.runChain([get('/integration/api/pools', creds)]);
		expect(r.error?.message).toBeUndefined();
	});

	it('but not forever: a token endpoint that keeps failing gives up with a clear message', async () => {
		const engine = await Engine.create();
		// Other scopes than the test before: a token just fetched for the very same settings would be shared.
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, {
				scopes: ['integration.data-pools', 'integration.data-pools:read'],
			}),
		);
		await addFaults({
			method: 'POST',
			path: '/oauth2/token',
			response: { status: 503 },
			probability: 1,
			times: 20,
		});
		const r = await engine.runChain([get('/integration/api/pools', creds)]);
		expect(r.error?.message).toMatch(/The Celonis token endpoint failed \(HTTP 503\)/);
		expect(r.error?.message).toMatch(/tried 4 times/);
	});
});

describe('a revoked token is replaced even when the refresh meets a transient failure', () => {
	it('the request after the revocation succeeds although the first refresh attempt got a 503', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['integration.data-pools'] }),
		);
		expect((await engine.runChain([get('/integration/api/pools', creds)])).error).toBeUndefined();
		// The next request finds its token revoked (401); the GET that makes n8n fetch a new one meets a 503.
		await addFaults({
			method: 'GET',
			path: '/integration/api/pools',
			sequence: [{ revokeTokens: true }, { status: 503 }],
		});
		const r = await engine.runChain([get('/integration/api/pools', creds)]);
		expect(r.error?.message).toBeUndefined();
		expect(ctx.emu.store.faults.list()[0].consumed).toBe(2);
	});
});

describe('token lifetimes that make no sense', () => {
	it('expires_in: 1e20 is clamped, the token works and is reused', async () => {
		let tokenRequests = 0;
		const server = http.createServer((req, res) => {
			if (req.url === '/oauth2/token') {
				tokenRequests++;
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						access_token: 'tok-1e20',
						token_type: 'Bearer',
						expires_in: 1e20,
						scope: 'audit.log:read',
					}),
				);
				return;
			}
			const ok = req.headers.authorization === 'Bearer tok-1e20';
			res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
			res.end(JSON.stringify(ok ? { content: [] } : { error: 'Unauthorized' }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		try {
			const engine = await Engine.create();
			const creds = engine.addCredential(
				'celonisOAuth2Api',
				oauthData(url, DEMO.client, { scopes: ['audit.log:read'] }),
			);
			for (let run = 0; run < 2; run++) {
				const r = await engine.runChain([get('/log/api/external/v2/audit', creds)]);
				expect(r.error?.message).toBeUndefined();
			}
			expect(tokenRequests).toBe(1);
			const stored = engine.store.all()[0].data;
			const lifetime = Date.parse(String(stored.expiresAt)) - Date.parse(String(stored.issuedAt));
			expect(lifetime).toBeGreaterThan(0);
			expect(lifetime).toBeLessThanOrEqual(24 * 3600 * 1000);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});
});

describe('a team URL typed without https:// that points at a plain-http server', () => {
	const bare = () => ctx.emu.url.replace(/^http:\/\//, '');

	it('the credential test says https was assumed and the server speaks http', async () => {
		const engine = await Engine.create();
		for (const [type, data] of [
			['celonisApiKeyApi', { teamUrl: bare(), apiKey: DEMO.apiKey }],
			['celonisOAuth2Api', oauthData(bare(), DEMO.client, { scopes: ['audit.log:read'] })],
		] as const) {
			const outcome = await testCredential(engine, type, data);
			expect(outcome.status).toBe('Error');
			expect(outcome.message).toMatch(/https:\/\/ was assumed .* answered in plain http/);
			expect(outcome.message).toMatch(new RegExp(`http://${bare().replace(/[.]/g, '\\.')}`));
		}
	});

	it('so does a node run', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisAppKeyApi', {
			teamUrl: bare(),
			appKey: DEMO.appKey,
		});
		const r = await engine.runChain([get('/integration/api/pools', creds, 'appKey')]);
		expect(r.error?.message).toMatch(/https:\/\/ was assumed .* answered in plain http/);
	});
});

describe('a password typed into the Team URL is never echoed', () => {
	it('not in an invalid-URL message of the credential test, nor of a node run', async () => {
		const engine = await Engine.create();
		const teamUrl = 'https://admin:Sup3r secret!@acme.eu-1.celonis cloud';
		const outcome = await testCredential(engine, 'celonisApiKeyApi', {
			teamUrl,
			apiKey: DEMO.apiKey,
		});
		expect(outcome.message).toMatch(/is not a valid URL/);
		expect(outcome.message).not.toMatch(/Sup3r|secret|admin/);
		const creds = engine.addCredential('celonisApiKeyApi', { teamUrl, apiKey: DEMO.apiKey });
		const r = await engine.runChain([get('/integration/api/pools', creds, 'apiKey')]);
		expect(r.error?.message).toMatch(/is not a valid URL/);
		expect(JSON.stringify({ m: r.error?.message, d: r.error?.description })).not.toMatch(
			/Sup3r|secret|admin/,
		);
	});
});
