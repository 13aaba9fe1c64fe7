import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { testCredential } from '../harness/credentialTest';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { celonisRequest, httpRequestNode } from '../harness/builders';
import { Engine, type NodeSpec } from '../harness/engine';

const ctx = useEmulator();

const celonisGet = (
	path: string,
	credentials: NodeSpec['credentials'],
	authentication = 'oAuth2',
): NodeSpec => celonisRequest({ authentication, path }, credentials);

async function tokenStats() {
	return (await (await fetch(`${ctx.emu.url}/__emulator/token-stats`)).json()) as {
		issued: number;
	};
}

describe('each credential authenticates our node and n8n’s HTTP Request node', () => {
	const cases: Array<[string, string, () => Record<string, unknown>]> = [
		[
			'celonisApiKeyApi',
			'apiKey',
			() => ({ teamUrl: `${ctx.emu.url}/some/studio/page`, apiKey: DEMO.apiKey }),
		],
		['celonisAppKeyApi', 'appKey', () => ({ teamUrl: ctx.emu.url, appKey: DEMO.appKey })],
		[
			'celonisOAuth2Api',
			'oAuth2',
			() => oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
		],
	];

	it.each(cases)('%s in the Celonis node', async (type, authentication, data) => {
		const engine = await Engine.create();
		const creds = engine.addCredential(type, data() as never);
		const result = await engine.runChain([celonisGet('/api/cloud/team', creds, authentication)]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('Celonis')[0]).toMatchObject({ domain: 'demo' });
	});

	it.each(cases)(
		'%s as predefined credential type in the HTTP Request node',
		async (type, _authentication, data) => {
			const engine = await Engine.create();
			const creds = engine.addCredential(type, data() as never);
			const result = await engine.runChain([
				httpRequestNode(`${ctx.emu.url}/api/cloud/team`, type, creds),
			]);
			expect(result.error?.message).toBeUndefined();
			expect(result.json('HTTP Request')[0]).toMatchObject({ domain: 'demo' });
		},
	);

	it('refuses to send the credential to another origin, even from the HTTP Request node', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisApiKeyApi', {
			teamUrl: ctx.emu.url,
			apiKey: DEMO.apiKey,
		});
		const other = ctx.emu.url.replace('127.0.0.1', 'localhost');
		const result = await engine.runChain([
			httpRequestNode(`${other}/api/cloud/team`, 'celonisApiKeyApi', creds),
		]);
		expect(result.status).toBe('error');
		expect(JSON.stringify(result.error)).toMatch(/only sends its key or token to its team/);
	});
});

describe('the credential test says precisely what is wrong', () => {
	let notCelonis: http.Server;
	let notCelonisUrl: string;
	beforeAll(async () => {
		notCelonis = http.createServer((_req, res) => {
			res.writeHead(404, { 'content-type': 'text/html' });
			res.end('<html>Not here</html>');
		});
		await new Promise<void>((resolve) => notCelonis.listen(0, '127.0.0.1', resolve));
		notCelonisUrl = `http://127.0.0.1:${(notCelonis.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await new Promise((resolve) => notCelonis.close(resolve));
	});

	const run = async (type: string, data: Record<string, unknown>) =>
		await testCredential(await Engine.create(), type, data as never);

	it('succeeds for each identity of the demo team', async () => {
		expect(
			await run(
				'celonisOAuth2Api',
				oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read', 'studio'] }),
			),
		).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(
			await run('celonisApiKeyApi', { teamUrl: ctx.emu.url, apiKey: DEMO.apiKey }),
		).toMatchObject({ status: 'OK' });
		expect(
			await run('celonisAppKeyApi', { teamUrl: ctx.emu.url, appKey: DEMO.appKey }),
		).toMatchObject({ status: 'OK' });
	});

	it('wrong client id or secret', async () => {
		for (const client of [
			{ id: DEMO.client.id, secret: 'not-the-secret' },
			{ id: 'no-such-client', secret: DEMO.client.secret },
		]) {
			const result = await run('celonisOAuth2Api', oauthData(ctx.emu.url, client));
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				new RegExp(
					`rejected the Client ID or Client Secret \\(invalid_client\\) for client "${client.id}"`,
				),
			);
		}
	});

	it('a client that only allows the other authentication method: tells the user to switch', async () => {
		const toBasic = await run(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.basicOnly, { authMethod: 'clientSecretPost' }),
		);
		expect(toBasic.message).toBe(
			`The OAuth client "${DEMO.basicOnly.id}" does not accept Client Secret Post but accepts Client Secret Basic: set Client Authentication Method to "Client Secret Basic".`,
		);
		const toPost = await run(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.postOnly, { authMethod: 'clientSecretBasic' }),
		);
		expect(toPost.message).toMatch(
			/does not accept Client Secret Basic but accepts Client Secret Post: set Client Authentication Method to "Client Secret Post"/,
		);
	});

	it('scopes the client may not request: names exactly the offending ones', async () => {
		const result = await run(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.auditOnly, {
				scopes: ['audit.log:read', 'integration.data-pools'],
				customScopes: 'studio',
			}),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/may not request these scopes: integration\.data-pools, studio\. Remove them/,
		);
		expect(result.message).not.toMatch(/scopes: audit\.log:read/);
	});

	it('an API key in the Application Key credential, and the reverse: names the right credential', async () => {
		const apiKeyAsAppKey = await run('celonisAppKeyApi', {
			teamUrl: ctx.emu.url,
			appKey: DEMO.apiKey,
		});
		expect(apiKeyAsAppKey.message).toMatch(
			/This is a User API key, not an Application key.*Use the "Celonis API Key" credential/,
		);
		const appKeyAsApiKey = await run('celonisApiKeyApi', {
			teamUrl: ctx.emu.url,
			apiKey: DEMO.appKey,
		});
		expect(appKeyAsApiKey.message).toMatch(
			/This is an Application key, not a User API key.*Use the "Celonis Application Key" credential/,
		);
	});

	it('a key the team does not know', async () => {
		const result = await run('celonisApiKeyApi', {
			teamUrl: ctx.emu.url,
			apiKey: 'unknown-key-123',
		});
		expect(result.message).toMatch(
			/rejected the key \(HTTP 401\)\. Check that it is complete and still active/,
		);
	});

	it('a team URL that is unreachable, or not a Celonis team', async () => {
		const unreachable = await run('celonisOAuth2Api', oauthData('http://127.0.0.1:1'));
		expect(unreachable.message).toMatch(
			/^Could not reach the Celonis team at http:\/\/127\.0\.0\.1:1: the connection was refused\. Nothing accepts connections there/,
		);
		const keyUnreachable = await run('celonisApiKeyApi', {
			teamUrl: 'http://127.0.0.1:1',
			apiKey: 'x-key',
		});
		expect(keyUnreachable.message).toMatch(/Could not reach the Celonis team/);
		const notATeam = await run('celonisOAuth2Api', oauthData(notCelonisUrl));
		expect(notATeam.message).toMatch(
			/does not look like a Celonis team: .*\/oauth2\/token answered HTTP 404/,
		);
		const keyNotATeam = await run('celonisAppKeyApi', { teamUrl: notCelonisUrl, appKey: 'x-key' });
		expect(keyNotATeam.message).toMatch(
			/does not look like a Celonis team: .*\/api\/cloud\/team answered HTTP 404/,
		);
	});

	it('http:// to a non-loopback host, and input mistakes', async () => {
		const plainHttp = await run('celonisOAuth2Api', oauthData('http://acme.eu-1.celonis.cloud'));
		expect(plainHttp.message).toMatch(/The team URL must use https:\/\//);
		expect(
			(await run('celonisApiKeyApi', { teamUrl: ctx.emu.url, apiKey: `Bearer ${DEMO.apiKey}` }))
				.message,
		).toMatch(/without a "Bearer " or "AppKey " prefix/);
		expect(
			(await run('celonisOAuth2Api', oauthData(ctx.emu.url, { id: '', secret: 'x' }))).message,
		).toMatch(/Enter the Client ID/);
		expect(
			(
				await run(
					'celonisOAuth2Api',
					oauthData(ctx.emu.url, DEMO.client, { customScopes: 'bad"scope' }),
				)
			).message,
		).toMatch(/contain characters a scope cannot have/);
	});
});

describe('token lifecycle', () => {
	const items = (n: number): NodeSpec => ({
		name: 'Input',
		type: 'test.emitItems',
		parameters: { items: JSON.stringify(Array.from({ length: n }, (_, i) => ({ i }))) },
	});

	beforeEach(async () => {
		ctx.emu.reset();
		ctx.emu.configure({ tokenLifetimeSeconds: 899 });
	});

	it('one token request per expiry window across 1,000 items and several executions', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
		);
		for (let run = 0; run < 3; run++) {
			const result = await engine.runChain([
				items(run === 0 ? 1000 : 50),
				{
					...celonisGet('/api/cloud/team', creds),
					parameters: {
						...celonisGet('/api/cloud/team', creds).parameters,
						options: { concurrency: 8 },
					},
				},
			]);
			expect(result.error?.message).toBeUndefined();
			expect(result.json('Celonis')).toHaveLength(run === 0 ? 1000 : 50);
		}
		expect((await tokenStats()).issued).toBe(1);
		const stored = engine.store.all()[0].data;
		expect(stored.grantedScopes).toBe('audit.log:read');
		expect(Date.parse(String(stored.expiresAt)) - Date.parse(String(stored.issuedAt))).toBe(
			899_000,
		);
	});

	it('a new token after expiry: exactly one per window', async () => {
		ctx.emu.configure({ tokenLifetimeSeconds: 1 });
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisOAuth2Api', oauthData(ctx.emu.url));
		for (let window = 0; window < 3; window++) {
			const result = await engine.runChain([items(20), celonisGet('/api/cloud/team', creds)]);
			expect(result.error?.message).toBeUndefined();
			await new Promise((resolve) => setTimeout(resolve, 1100));
		}
		expect((await tokenStats()).issued).toBe(3);
	});

	it('a revoked token is replaced transparently', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisOAuth2Api', oauthData(ctx.emu.url));
		expect((await engine.runChain([celonisGet('/api/cloud/team', creds)])).error).toBeUndefined();
		await fetch(`${ctx.emu.url}/__emulator/tokens/revoke`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		const result = await engine.runChain([items(5), celonisGet('/api/cloud/team', creds)]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('Celonis')).toHaveLength(5);
		expect((await tokenStats()).issued).toBe(2);
	});
});
