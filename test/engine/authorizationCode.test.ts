/**
 * The authorization-code credential in n8n-core's real OAuth2 request path (requestOAuth2: sign, refresh on 401,
 * single-flight, store), connected the way n8n's Connect button and callback connect it (test/harness/authCode.ts),
 * against the emulator's authorization server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { connectAuthCode, N8N_CALLBACK } from '../harness/authCode';
import {
	addFaults,
	celonisNode,
	celonisRequest,
	emitItems,
	httpRequestNode,
} from '../harness/builders';
import { DEMO, useEmulator } from '../harness/emulator';
import { Engine } from '../harness/engine';
import { loadTypes } from '../harness/packageTypes';

const ctx = useEmulator();
const TYPE = 'celonisAuthCodeOAuth2Api';

interface LoggedRequest {
	seq: number;
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
	oauth?: { clientId?: string; authMethod?: string; grantType?: string; scope?: string };
}

const requests = async () =>
	(await (await fetch(`${ctx.emu.url}/__emulator/requests?limit=10000`)).json()) as LoggedRequest[];
const tokenRequests = async () =>
	(await requests()).filter((r) => r.path === '/oauth2/token' && r.method === 'POST');

async function connected(
	data: Record<string, unknown> = {},
	options: Parameters<typeof connectAuthCode>[2] = {},
) {
	const engine = await Engine.create();
	const creds = engine.addCredential(TYPE, {
		teamUrl: ctx.emu.url,
		clientId: DEMO.client.id,
		clientSecret: DEMO.client.secret,
		scopes: ['audit.log:read', 'team.user-group-info:read'],
		...data,
	});
	const id = creds[TYPE].id as string;
	if (options !== null) await connectAuthCode(engine, id, options);
	return { engine, creds, id };
}

const read = (creds: Record<string, unknown>, path = '/api/cloud') =>
	celonisRequest({ authentication: 'oAuth2AuthCode', path }, creds as never);

beforeEach(() => {
	ctx.emu.reset();
	ctx.emu.store.faults.clear();
	ctx.emu.configure({
		tokenLifetimeSeconds: 899,
		oauth: {
			...ctx.emu.store.config.oauth,
			consentLifetimeSeconds: 30 * 86_400,
			codeLifetimeSeconds: 60,
		},
	});
});

describe('the credential’s fields, as n8n resolves them', () => {
	it('computes the authorization and token URLs from any Team URL, and the scope from the multi-select and custom scopes', async () => {
		const engine = await Engine.create();
		const resolved = engine.credentialsHelper.applyDefaults(TYPE, {
			teamUrl: ' ACME.eu-1.celonis.cloud/studio/ui/spaces?x=1#y ',
			clientId: 'c',
			clientSecret: 's',
			scopes: ['audit.log:read', 'team.login-history:read'],
			customScopes: 'my.scope:read,  other',
			// Stored values of pinned fields never win over the type's (n8n 2.41 pins them).
			authUrl: 'https://evil.example/authorize',
			accessTokenUrl: 'https://evil.example/token',
			grantType: 'clientCredentials',
		});
		expect(resolved).toMatchObject({
			authUrl: 'https://acme.eu-1.celonis.cloud/oauth2/authorize',
			accessTokenUrl: 'https://acme.eu-1.celonis.cloud/oauth2/token',
			grantType: 'authorizationCode',
			scope: 'audit.log:read team.login-history:read my.scope:read other',
			authentication: 'header',
			usePkce: true,
			allowedHttpRequestDomains: 'domains',
			allowedDomains: 'acme.eu-1.celonis.cloud',
		});
	});

	it('connects with PKCE (S256) and Client Secret Basic by default, or Client Secret Post', async () => {
		const basic = await connected();
		const authorize = (await requests()).find((r) => r.path === '/oauth2/authorize')!;
		expect(authorize.query).toMatchObject({
			code_challenge_method: 'S256',
			redirect_uri: N8N_CALLBACK,
			scope: 'audit.log:read team.user-group-info:read',
		});
		expect((await tokenRequests()).map((r) => r.oauth)).toEqual([
			expect.objectContaining({
				grantType: 'authorization_code',
				authMethod: 'client_secret_basic',
			}),
		]);
		expect(basic.engine.store.get(basic.id).data.oauthTokenData).toMatchObject({
			scope: 'audit.log:read team.user-group-info:read',
			refresh_token: expect.any(String),
			n8n_expires_at: expect.any(String),
		});

		ctx.emu.reset();
		await connected({
			authentication: 'body',
			usePkce: false,
			clientId: DEMO.postOnly.id,
			clientSecret: DEMO.postOnly.secret,
		});
		const [withoutPkce] = (await requests()).filter((r) => r.path === '/oauth2/authorize');
		expect(withoutPkce.query.code_challenge).toBeUndefined();
		expect((await tokenRequests()).map((r) => r.oauth?.authMethod)).toEqual(['client_secret_post']);
	});
});

describe('the Celonis node with the authorization-code credential', () => {
	it('acts as the person who approved, within the scopes they granted', async () => {
		const { engine, creds } = await connected();
		const me = await engine.runChain([read(creds)]);
		expect(me.error?.message).toBeUndefined();
		expect(me.json('Celonis')[0]).toMatchObject({ email: 'demo.user@example.com' });
		const members = await engine.runChain([read(creds, '/api/external/members')]);
		expect(members.error?.message).toBeUndefined();
		const pools = await engine.runChain([read(creds, '/integration/api/pools')]);
		expect(pools.error?.message).toMatch(
			/^Missing OAuth scope: Data Integration API .* was granted only: audit\.log:read team\.user-group-info:read\. Add integration\.data-pools:read .*reconnect the credential\.$/,
		);
	});

	it('says how to connect a credential nobody connected yet', async () => {
		const { engine, creds } = await connected({}, null as never);
		const r = await engine.runChain([read(creds)]);
		expect(r.error?.message).toMatch(/is not connected to Celonis yet/);
		expect(r.error?.description).toMatch(/Connect my account/);
	});

	it('renews an expired token without the user: once, for all items in flight, also before a multipart upload', async () => {
		ctx.emu.configure({ tokenLifetimeSeconds: 1 });
		const { engine, creds, id } = await connected({
			scopes: ['integration.data-pools:data_push', 'team.user-group-info:read'],
		});
		const first = engine.store.get(id).data.oauthTokenData as Record<string, string>;
		await new Promise((resolve) => setTimeout(resolve, 1100));
		const many = await engine.runChain([
			emitItems(Array.from({ length: 20 }, (_, i) => ({ i }))),
			{
				...read(creds, '/api/external/members'),
				parameters: {
					...read(creds, '/api/external/members').parameters,
					options: { concurrency: 8 },
				},
			},
		]);
		expect(many.error?.message).toBeUndefined();
		expect(many.json('Celonis')).toHaveLength(20);
		const refreshes = (await tokenRequests()).filter((r) => r.oauth?.grantType === 'refresh_token');
		expect(refreshes).toHaveLength(1);
		const second = engine.store.get(id).data.oauthTokenData as Record<string, string>;
		expect(second.access_token).not.toBe(first.access_token);
		expect(second.refresh_token).not.toBe(first.refresh_token); // rotated, and stored

		await new Promise((resolve) => setTimeout(resolve, 1100));
		const push = await engine.runChain([
			emitItems([{ id: 1, v: 'a' }]),
			celonisNode(
				{
					authentication: 'oAuth2AuthCode',
					resource: 'dataPush',
					operation: 'pushItems',
					dataPool: { __rl: true, mode: 'id', value: 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001' },
					tableName: `AUTHCODE_${Date.now()}`,
					mode: 'DELTA',
					keyColumns: 'id',
				},
				creds,
			),
		]);
		expect(push.error?.message).toBeUndefined();
		expect(push.json('Celonis')[0]).toMatchObject({ rows: 1, status: 'DONE' });
		// Renewed before it was refused: no request was answered 401, so no upload had to be repeated.
		expect((await requests()).filter((r) => r.status === 401)).toEqual([]);
		expect(
			(await tokenRequests()).filter((r) => r.oauth?.grantType === 'refresh_token'),
		).toHaveLength(2);
	});

	it('a token Celonis refuses while the consent lives: n8n renews it on the 401', async () => {
		const { engine, creds } = await connected();
		await addFaults(ctx.emu.url, {
			method: 'GET',
			path: '/api/cloud',
			sequence: [{ status: 401, body: { error: 'Unauthorized' } }],
		});
		const r = await engine.runChain([read(creds)]);
		expect(r.error?.message).toBeUndefined();
		expect((await tokenRequests()).map((t) => t.oauth?.grantType)).toEqual([
			'authorization_code',
			'refresh_token',
		]);
	});

	it('an ended consent: the message says to reconnect, in the Celonis node and in n8n’s HTTP Request node', async () => {
		ctx.emu.configure({
			tokenLifetimeSeconds: 899,
			oauth: { ...ctx.emu.store.config.oauth, consentLifetimeSeconds: 1 },
		});
		const { engine, creds } = await connected();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const node = await engine.runChain([read(creds)]);
		expect(node.error?.message).toBe(
			`The Celonis sign-in behind the credential "${TYPE} ${TYPE}-1" has ended: reconnect the credential`,
		);
		expect(node.error?.description).toMatch(/at most 30 days.*click "Reconnect"/);
		// The emulator said why (a positive control that the consent, not something else, ended).
		const refresh = (await tokenRequests()).find((r) => r.oauth?.grantType === 'refresh_token');
		expect(refresh?.status).toBe(400);

		const viaHttpNode = await engine.runChain([
			httpRequestNode(`${ctx.emu.url}/api/cloud`, TYPE, creds),
		]);
		expect(viaHttpNode.error?.message).toMatch(/needs to be reconnected/);
		expect(viaHttpNode.error?.description).toMatch(/reconnect it/);
	});
});

describe('consent-flow misuses end in a clear message where n8n shows it (its callback page)', () => {
	it('denied consent', async () => {
		await expect(connected({}, { consent: 'deny' })).rejects.toThrow(/denied/i);
	});

	it('a redirect URI the client has not registered: the team shows the error and never redirects', async () => {
		const engine = await Engine.create();
		const { celonisAuthCodeOAuth2Api: ref } = engine.addCredential(TYPE, {
			teamUrl: ctx.emu.url,
			clientId: DEMO.client.id,
			clientSecret: DEMO.client.secret,
		});
		const unregistered = 'https://n8n.example.com/rest/oauth2-credential/callback';
		await expect(
			connectAuthCode(engine, ref.id as string, { redirectUri: unregistered }),
		).rejects.toThrow(/answered 400 without a redirect/);
		const page = await (
			await fetch(
				`${ctx.emu.url}/oauth2/authorize?client_id=${DEMO.client.id}&response_type=code&redirect_uri=${encodeURIComponent(unregistered)}`,
			)
		).text();
		expect(page).toContain(
			`redirect_uri ${unregistered} is not registered for client ${DEMO.client.id}`,
		);
	});

	it('a reused code is refused and revokes what its first use got: the node then says to reconnect', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential(TYPE, {
			teamUrl: ctx.emu.url,
			clientId: DEMO.client.id,
			clientSecret: DEMO.client.secret,
		});
		await expect(
			connectAuthCode(engine, creds[TYPE].id as string, { reuseCode: true }),
		).rejects.toThrow(/authorization grant .* is invalid/);
		const r = await engine.runChain([read(creds)]);
		expect(r.error?.message).toMatch(/has ended: reconnect the credential/);
	});

	it('a PKCE verifier that does not match the challenge', async () => {
		await expect(connected({}, { wrongVerifier: true })).rejects.toThrow(
			/authorization grant .* is invalid/,
		);
	});

	it('a code used after its short life', async () => {
		ctx.emu.configure({ oauth: { ...ctx.emu.store.config.oauth, codeLifetimeSeconds: 1 } });
		const engine = await Engine.create();
		const creds = engine.addCredential(TYPE, {
			teamUrl: ctx.emu.url,
			clientId: DEMO.client.id,
			clientSecret: DEMO.client.secret,
		});
		await addFaults(ctx.emu.url, {
			method: 'POST',
			path: '/oauth2/token',
			sequence: [{ delayMs: 1500 }],
		});
		await expect(connectAuthCode(engine, creds[TYPE].id as string)).rejects.toThrow(
			/authorization grant .* is invalid/,
		);
	});
});

describe('the token travels only to the team', () => {
	let other: http.Server;
	let otherUrl: string;
	const received: Array<string | undefined> = [];
	beforeAll(async () => {
		other = http.createServer((req, res) => {
			received.push(req.headers.authorization);
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		// "localhost" is another host name than the team's 127.0.0.1, on another port.
		otherUrl = `http://localhost:${(other.address() as AddressInfo).port}`;
	});
	afterAll(() => other.close());
	beforeEach(() => (received.length = 0));

	it('n8n’s HTTP Request node refuses another host before sending anything', async () => {
		const { engine, creds } = await connected();
		const ok = await engine.runChain([httpRequestNode(`${ctx.emu.url}/api/cloud`, TYPE, creds)]);
		expect(ok.error?.message).toBeUndefined(); // control: the team itself is fine
		const r = await engine.runChain([httpRequestNode(`${otherUrl}/steal`, TYPE, creds)]);
		expect(r.error?.message).toMatch(/Domain not allowed.*localhost/);
		expect(received).toEqual([]);
	});

	it('and a redirect from the team to another host', async () => {
		const { engine, creds } = await connected();
		await addFaults(ctx.emu.url, {
			method: 'GET',
			path: '/api/cloud/redirect-me',
			response: { status: 302, headers: { location: `${otherUrl}/steal` } },
			probability: 1,
		});
		const r = await engine.runChain([
			httpRequestNode(`${ctx.emu.url}/api/cloud/redirect-me`, TYPE, creds),
		]);
		expect(r.error?.message).toMatch(/Domain not allowed.*localhost/);
		expect(received).toEqual([]);
		// Control: the other server does receive what is sent to it directly (without a credential).
		await fetch(`${otherUrl}/direct`);
		expect(received).toEqual([undefined]);
	});

	it('authenticate, for any caller that uses it, puts the token on team requests only', async () => {
		const { engine, id } = await connected();
		const { credentials } = await loadTypes();
		const data = engine.credentialsHelper.applyDefaults(TYPE, engine.store.get(id).data);
		const authenticate = credentials[TYPE].authenticate as unknown as (
			c: unknown,
			o: Record<string, unknown>,
		) => Promise<{ headers: Record<string, string> }>;
		const team = await authenticate(data, { url: '/api/cloud/team', method: 'GET' });
		expect(team.headers.Authorization).toMatch(/^Bearer emu_at_/);
		await expect(authenticate(data, { url: `${otherUrl}/x`, method: 'GET' })).rejects.toThrow(
			/only sends its key or token to its team/,
		);
	});
});
