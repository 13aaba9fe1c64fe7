import { testCredential } from '../harness/credentialTest';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { celonisNode, celonisRequest, celonisTriggerNode } from '../harness/builders';
import { Engine, type NodeSpec, type RunResult } from '../harness/engine';
import { TriggerHost } from '../harness/triggerHost';

const ctx = useEmulator();

const CANARY_SECRET = 'canary-secret-7f3a9c';
const CANARY_KEY = 'canary-api-key-51b2e8';

/** Everything a user, a log or another node could ever see. */
const seen: string[] = [];
const record = (value: unknown) =>
	seen.push(typeof value === 'string' ? value : JSON.stringify(value));
/** An error with everything n8n could show or store of it: its own enumerable fields and the Error basics. */
const recordError = (error: unknown): void => {
	if (!error || typeof error !== 'object') {
		record(String(error));
		return;
	}
	const e = error as Error & {
		description?: unknown;
		context?: unknown;
		cause?: unknown;
		messages?: unknown;
	};
	record({
		...e,
		name: e.name,
		message: e.message,
		stack: e.stack,
		description: e.description,
		context: e.context,
		messages: e.messages,
	});
	if (e.cause) recordError(e.cause);
};
const recordRun = (result: RunResult, node: string) => {
	record(result.run.data.resultData.runData);
	recordError(result.error);
	record(result.items(node));
};

const request = (
	path: string,
	credentials: NodeSpec['credentials'],
	authentication: string,
	extra: Record<string, unknown> = {},
): NodeSpec => celonisRequest({ authentication, path, ...extra }, credentials);

const restore: Array<() => void> = [];
beforeAll(() => {
	for (const stream of [process.stdout, process.stderr]) {
		const original = stream.write.bind(stream);
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			record(String(chunk));
			return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof stream.write;
		restore.push(() => (stream.write = original));
	}
	for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
		const spy = jest
			.spyOn(console, method)
			.mockImplementation((...args: unknown[]) => record(args.map(String).join(' ')));
		restore.push(() => spy.mockRestore());
	}
});
afterAll(() => restore.forEach((r) => r()));

test('no key, secret or token appears in any error, test message, item or log line, on every failure path', async () => {
	const engine = await Engine.create();
	const url = ctx.emu.url;

	// Credential tests on every failure path.
	for (const [type, data] of [
		['celonisOAuth2Api', oauthData(url, { id: DEMO.client.id, secret: CANARY_SECRET })],
		[
			'celonisOAuth2Api',
			oauthData(
				url,
				{ id: DEMO.basicOnly.id, secret: DEMO.basicOnly.secret },
				{ authMethod: 'clientSecretPost' },
			),
		],
		['celonisOAuth2Api', oauthData(url, DEMO.auditOnly, { scopes: ['studio'] })],
		['celonisOAuth2Api', oauthData('http://127.0.0.1:1', { id: 'x', secret: CANARY_SECRET })],
		['celonisOAuth2Api', oauthData('http://example.com', { id: 'x', secret: CANARY_SECRET })],
		['celonisApiKeyApi', { teamUrl: url, apiKey: CANARY_KEY }],
		['celonisAppKeyApi', { teamUrl: url, appKey: CANARY_KEY }],
		['celonisAppKeyApi', { teamUrl: url, appKey: DEMO.apiKey }],
		['celonisApiKeyApi', { teamUrl: url, apiKey: DEMO.appKey }],
		['celonisApiKeyApi', { teamUrl: 'http://127.0.0.1:1', apiKey: CANARY_KEY }],
	] as const) {
		const result = await testCredential(engine, type, data as never);
		expect(result.status).toBe('Error');
		record(result);
	}

	// Node runs that fail: wrong secret, wrong key, wrong key type, missing scope, missing permission, 404, foreign URL.
	const runs: Array<[NodeSpec['credentials'], string, string, Record<string, unknown>?]> = [
		[
			engine.addCredential(
				'celonisOAuth2Api',
				oauthData(url, { id: DEMO.client.id, secret: CANARY_SECRET }),
			),
			'oAuth2',
			'/api/cloud/team',
		],
		[
			engine.addCredential('celonisApiKeyApi', { teamUrl: url, apiKey: CANARY_KEY }),
			'apiKey',
			'/api/cloud/team',
		],
		[
			engine.addCredential('celonisApiKeyApi', { teamUrl: url, apiKey: DEMO.appKey }),
			'apiKey',
			'/api/cloud/team',
		],
		[
			engine.addCredential(
				'celonisOAuth2Api',
				oauthData(url, DEMO.client, { scopes: ['audit.log:read'] }),
			),
			'oAuth2',
			'/integration/api/pools',
		],
		[
			engine.addCredential(
				'celonisOAuth2Api',
				oauthData(url, DEMO.noPermissions, { scopes: ['audit.log:read'] }),
			),
			'oAuth2',
			'/log/api/external/audit',
		],
		[
			engine.addCredential('celonisAppKeyApi', { teamUrl: url, appKey: DEMO.appKeyNoPermissions }),
			'appKey',
			'/log/api/external/audit',
		],
		[engine.addCredential('celonisOAuth2Api', oauthData(url)), 'oAuth2', '/no/such/api'],
		[
			engine.addCredential('celonisOAuth2Api', oauthData(url)),
			'oAuth2',
			'https://elsewhere.example.com/steal',
		],
		[
			engine.addCredential('celonisOAuth2Api', oauthData(url)),
			'oAuth2',
			'/no/such/api',
			{ options: { neverError: true, fullResponse: true } },
		],
	];
	for (const [credentials, authentication, path, extra] of runs) {
		const result = await engine.runChain([request(path, credentials, authentication, extra)]);
		recordRun(result, 'Celonis');
	}

	// A successful run, and the HTTP Request node failing with our credential.
	const ok = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(url, DEMO.client, { scopes: ['audit.log:read'] }),
	);
	recordRun(
		await engine.runChain([
			request('/log/api/external/audit', ok, 'oAuth2', { options: { fullResponse: true } }),
		]),
		'Celonis',
	);
	recordRun(
		await engine.runChain([
			{
				name: 'HTTP',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					method: 'GET',
					url: `${url}/no/such/api`,
					authentication: 'predefinedCredentialType',
					nodeCredentialType: 'celonisOAuth2Api',
					options: {},
				},
				credentials: ok,
			},
		]),
		'HTTP',
	);

	const tokens = engine.store
		.all()
		.map((c) => c.data.accessToken)
		.filter((t): t is string => typeof t === 'string' && t !== '');
	expect(tokens.length).toBeGreaterThan(0);
	const requestLog = await (await fetch(`${url}/__emulator/requests?limit=10000`)).text();

	const secrets = [
		CANARY_SECRET,
		CANARY_KEY,
		DEMO.client.secret,
		DEMO.apiKey,
		DEMO.appKey,
		DEMO.appKeyNoPermissions,
		DEMO.basicOnly.secret,
		DEMO.auditOnly.secret,
		DEMO.noPermissions.secret,
		...tokens,
	];
	const everything = seen.join('\n');
	expect(everything.length).toBeGreaterThan(1000);
	for (const secret of secrets) {
		expect({ secret, foundInOutput: everything.includes(secret) }).toEqual({
			secret,
			foundInOutput: false,
		});
		expect({ secret, foundInEmulatorLog: requestLog.includes(secret) }).toEqual({
			secret,
			foundInEmulatorLog: false,
		});
	}
});

test("the Celonis Trigger's subscription secrets never appear in items, errors, stored data or logs", async () => {
	const engine = await Engine.create();
	const url = ctx.emu.url;
	const creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(url, DEMO.client, { scopes: ['intelligence.subscriptions:manage'] }),
	);
	const subscriptionSecrets = new Set<string>();
	const collectSecrets = () => {
		for (const s of ctx.emu.store.subscriptions.list())
			for (const value of Object.values(s.callbackInfo.headers))
				subscriptionSecrets.add(value.replace(/^Bearer /, ''));
	};
	const fire = async (count: number) =>
		await fetch(`${url}/__emulator/knowledge-models/o2c-km/triggers/late-delivery/fire?wait=true`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ count }),
		});
	const post = async (target: string, body: unknown, authorization?: string) => {
		const res = await fetch(target, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				...(authorization ? { authorization } : {}),
			},
			body: JSON.stringify(body),
		});
		record(await res.text());
	};

	const host = await TriggerHost.start(engine, celonisTriggerNode({}, creds));
	try {
		await host.activate();
		collectSecrets();
		await fire(3);
		const event = { offset: 0, event: { id: 'e', fields: [{ id: 'F', value: 1 }] } };
		await post(host.productionUrl, event);
		await post(host.productionUrl, event, 'Bearer forged');
		// New settings rotate the secret; the old one is refused from then on.
		const old = [...subscriptionSecrets][0];
		host.setParameters(celonisTriggerNode({ subscriptionName: 'Renamed' }, creds).parameters);
		await host.activate('update');
		collectSecrets();
		await post(host.productionUrl, event, `Bearer ${old}`);
		await host.listenForTest();
		collectSecrets();
		await fire(1);
		await host.settled();
		// The resource operations that show subscriptions.
		for (const operation of ['getAll', 'get', 'pause', 'resume']) {
			recordRun(
				await engine.runChain([
					celonisNode(
						{
							resource: 'subscription',
							operation,
							subscription: {
								__rl: true,
								mode: 'id',
								value: ctx.emu.store.subscriptions.list()[0].id,
							},
						},
						creds,
					),
				]),
				'Celonis',
			);
		}
		// Activation failures: the callback unreachable, the team limit.
		const unreachable = await TriggerHost.start(engine, celonisTriggerNode({}, creds));
		await unreachable.close();
		await unreachable.activate().catch(recordError);
		ctx.emu.configure({ subscriptions: { maxSubscriptions: 1 } });
		const second = await TriggerHost.start(
			engine,
			celonisTriggerNode({}, creds, '6a0b2f1e-0000-4000-8000-00000000beef'),
			'second-workflow',
		);
		await second.activate().catch(recordError);
		await second.close();
		await host.deactivate();

		record(host.executions);
		record(host.responses);
		record(host.staticData);
		record(host.webhookErrors);
	} finally {
		await host.close();
	}
	expect(subscriptionSecrets.size).toBe(3);
	// Positive control: what was recorded holds the subscriptions as the operations showed them.
	expect(seen.join('\n')).toContain('"name":"Renamed"');
	expect(host.executions.length).toBeGreaterThanOrEqual(4);
	const everything = seen.join('\n');
	const requestLog = await (await fetch(`${url}/__emulator/requests?limit=10000`)).text();
	const deliveries = await (await fetch(`${url}/__emulator/deliveries`)).text();
	for (const secret of subscriptionSecrets) {
		expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect({
			found: [everything, requestLog, deliveries].map((text) => text.includes(secret)),
		}).toEqual({ found: [false, false, false] });
	}
});
