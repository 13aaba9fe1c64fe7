/**
 * The Celonis Trigger's webhook lifecycle and webhook() with n8n-core's real HookContext and WebhookContext
 * (test/harness/triggerHost.ts) against the emulator: activation subscribes (the callback probe starts
 * nothing), events become items in order, forged and hostile deliveries start nothing, deactivation deletes
 * or pauses, a second activation reuses, a test run has its own subscription, and every activation error
 * says what to change. The same in the real `n8n start`: test/e2e/trigger.test.ts.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import {
	leastPrivilegeScopes,
	scopeNeedsOfCalls,
	TRIGGER_ENTRY,
} from '../../shared/operationScopes';
import { connectAuthCode } from '../harness/authCode';
import { addFaults, celonisTriggerNode } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import { TriggerHost } from '../harness/triggerHost';

jest.setTimeout(60_000);

const ctx = useEmulator();
const KM = 'o2c-km';
const TRIGGER = 'late-delivery';

let engine: Engine;
let creds: NodeSpec['credentials'];
let host: TriggerHost;

beforeAll(async () => {
	engine = await Engine.create();
	creds = engine.addCredential(
		'celonisOAuth2Api',
		// Exactly the scopes the operation table gives the trigger (what Connection → Check and npm run scopes say).
		oauthData(ctx.emu.url, DEMO.client, {
			scopes: leastPrivilegeScopes(scopeNeedsOfCalls(TRIGGER_ENTRY.calls)),
		}),
	);
});
beforeEach(async () => {
	ctx.emu.reset();
	host = await TriggerHost.start(engine, celonisTriggerNode({}, creds));
});
afterEach(async () => {
	// No delivery may ever make webhook() throw (n8n would answer 500 and start an error execution).
	expect(host.webhookErrors).toEqual([]);
	await host.close();
});

const subs = () => ctx.emu.store.subscriptions.list();
const secretOf = (id: string) =>
	String(ctx.emu.store.subscriptions.get(id)?.callbackInfo.headers.Authorization ?? '');

async function fire(count = 1, body: IDataObject = {}, trigger = TRIGGER) {
	const res = await fetch(
		`${ctx.emu.url}/__emulator/knowledge-models/${KM}/triggers/${trigger}/fire?wait=true`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ count, ...body }),
		},
	);
	expect(res.status).toBe(200);
	return (await res.json()) as { events: Array<{ subscriptionId: string; offset: number }> };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return res.status;
}

const anEvent = (offset = 0): IDataObject => ({
	subscriberId: 'x',
	triggerId: TRIGGER,
	offset,
	creationDate: '2026-12-01T10:00:00Z',
	event: {
		id: `ev-${offset}`,
		identifier: 'SO-1',
		typedIdentifier: 'SO-1',
		fields: [{ id: 'ORDER_ID', value: 'SO-1', type: 'STRING', isIdentifier: true }],
	},
});

const activationError = async (run: () => Promise<void>) => {
	const error = await run().then(
		() => undefined,
		(e: Error) => e,
	);
	expect(error).toBeInstanceOf(Error);
	return error as Error;
};

describe('activation', () => {
	it('subscribes the production URL with a per-subscription secret; static data keeps only its hash', async () => {
		await host.activate();
		expect(subs()).toHaveLength(1);
		const [s] = subs();
		expect(s).toMatchObject({
			knowledgeModelId: KM,
			triggerId: TRIGGER,
			status: 'active',
			name: 'n8n: Workflow trigger-workflow / Celonis Trigger',
			callbackInfo: { uri: host.productionUrl, protocol: 'HTTP' },
		});
		const secret = secretOf(s.id);
		expect(secret).toMatch(/^Bearer [A-Za-z0-9_-]{43}$/);
		const state = host.staticData['node:Celonis Trigger'] as IDataObject;
		expect((state.production as IDataObject).subscriptionId).toBe(s.id);
		expect(JSON.stringify(host.staticData)).not.toContain(secret.split(' ')[1]);
	});

	it.each(['HEAD', 'GET', 'POST'])(
		"answers Celonis' %s probe at creation without starting an execution",
		async (probeMethod) => {
			ctx.emu.configure({
				subscriptions: { probeMethod: probeMethod as 'HEAD' | 'GET' | 'POST', probeAccept: '2xx' },
			});
			await host.activate();
			expect(subs()).toHaveLength(1);
			expect(host.responses).toEqual([
				{
					method: probeMethod,
					url: expect.stringMatching(/^\/webhook\//),
					status: 200,
					started: false,
				},
			]);
			expect(host.executions).toEqual([]);
		},
	);

	it('an activation after a restart (checkExists) keeps the subscription; a vanished one is created anew', async () => {
		await host.activate();
		const [first] = subs();
		await host.activate('init');
		expect(subs().map((s) => s.id)).toEqual([first.id]);

		await fetch(`${ctx.emu.url}/intelligence/api/subscriptions/${first.id}`, {
			method: 'DELETE',
			headers: { authorization: `Bearer ${DEMO.apiKey}` },
		});
		await host.activate('init');
		expect(subs()).toHaveLength(1);
		expect(subs()[0].id).not.toBe(first.id);
		await fire(1);
		expect(host.executions).toHaveLength(1);
	});

	it('a create whose answer was lost is found in the list and adopted, not made twice', async () => {
		await addFaults(ctx.emu.url, {
			method: 'POST',
			path: `/intelligence/api/knowledge-models/${KM}/triggers/${TRIGGER}/subscriptions`,
			sequence: [{ dropResponse: true }],
		});
		await host.activate();
		expect(subs()).toHaveLength(1);
		const state = (host.staticData['node:Celonis Trigger'] as IDataObject)
			.production as IDataObject;
		expect(state.subscriptionId).toBe(subs()[0].id);
		// It carries the secret this node sent: its deliveries are accepted.
		await fire(1);
		expect(host.executions).toHaveLength(1);
	});

	it('an activation after n8n was unreachable resumes the failed subscription: the events Celonis kept arrive', async () => {
		await host.activate();
		const [s] = subs();
		s.status = 'failed';
		await fire(2);
		expect(host.executions).toEqual([]);
		await host.activate('init');
		expect(subs()).toEqual([expect.objectContaining({ id: s.id, status: 'active' })]);
		const deadline = Date.now() + 10_000;
		while (host.executions.length < 2 && Date.now() < deadline)
			await new Promise((r) => setTimeout(r, 50));
		expect(host.executions.map((e) => e.items[0].offset)).toEqual([0, 1]);
	});

	it('removes a subscription that calls this node with a secret n8n does not know, before subscribing', async () => {
		ctx.emu.configure({ subscriptions: { probeMethod: 'NONE' } });
		const res = await fetch(
			`${ctx.emu.url}/intelligence/api/knowledge-models/${KM}/triggers/${TRIGGER}/subscriptions`,
			{
				method: 'POST',
				headers: { authorization: `Bearer ${DEMO.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					name: 'left over',
					callbackInfo: {
						uri: host.productionUrl,
						protocol: 'HTTP',
						headers: { Authorization: 'Bearer old' },
					},
				}),
			},
		);
		expect(res.status).toBe(201);
		await host.activate();
		expect(subs().map((s) => s.name)).toEqual(['n8n: Workflow trigger-workflow / Celonis Trigger']);
	});

	it('changed settings update the subscription in place (new secret); a changed trigger replaces it', async () => {
		await host.activate();
		const [first] = subs();
		const oldSecret = secretOf(first.id);
		host.setParameters(
			celonisTriggerNode(
				{ subscriptionName: 'Late deliveries', options: { skipErrors: true } },
				creds,
			).parameters,
		);
		await host.activate('update');
		expect(subs()).toEqual([
			expect.objectContaining({
				id: first.id,
				name: 'Late deliveries',
				configurations: ['SKIP_ERRORS'],
			}),
		]);
		expect(secretOf(first.id)).not.toBe(oldSecret);
		expect(await post(host.productionUrl, anEvent(), { authorization: oldSecret })).toBe(401);
		await fire(1);
		expect(host.executions).toHaveLength(1);

		host.setParameters(
			celonisTriggerNode({ trigger: { __rl: true, mode: 'id', value: 'blocked-order' } }, creds)
				.parameters,
		);
		await host.activate('update');
		expect(subs()).toEqual([expect.objectContaining({ triggerId: 'blocked-order' })]);
		expect(subs()[0].id).not.toBe(first.id);
	});
});

describe('deliveries', () => {
	beforeEach(async () => await host.activate());

	it('every event becomes one item, in offset order, with the record fields and the metadata', async () => {
		await fire(3);
		expect(host.executions).toHaveLength(3);
		const items = host.executions.map((e) => e.items[0]);
		expect(items.map((i) => i.offset)).toEqual([0, 1, 2]);
		expect(items[0]).toEqual({
			ORDER_ID: 'SO-1000',
			CUSTOMER: 'Acme GmbH',
			NET_VALUE: 1200,
			eventId: expect.any(String),
			offset: 0,
			triggerId: TRIGGER,
			creationDate: expect.any(String),
		});
	});

	it('a batch (array) delivery becomes one execution with one item per event', async () => {
		ctx.emu.configure({ subscriptions: { deliveryFormat: 'array', batchSize: 5 } });
		await fire(12);
		expect(host.executions.map((e) => e.items.length)).toEqual([5, 5, 2]);
		expect(host.executions.flatMap((e) => e.items.map((i) => i.offset))).toEqual(
			Array.from({ length: 12 }, (_, i) => i),
		);
	});

	it('raw output passes the event as Celonis sent it', async () => {
		host.setParameters(celonisTriggerNode({ options: { output: 'raw' } }, creds).parameters);
		await fire(1);
		expect(host.executions[0].items[0]).toMatchObject({
			offset: 0,
			triggerId: TRIGGER,
			event: { fields: expect.arrayContaining([expect.objectContaining({ id: 'ORDER_ID' })]) },
		});
	});

	it('a forged delivery gets 401 and starts nothing: no secret, a wrong one, another scheme', async () => {
		const secret = secretOf(subs()[0].id);
		expect(await post(host.productionUrl, anEvent())).toBe(401);
		expect(await post(host.productionUrl, anEvent(), { authorization: 'Bearer wrong' })).toBe(401);
		expect(await post(host.productionUrl, anEvent(), { authorization: `${secret}x` })).toBe(401);
		expect(
			await post(host.productionUrl, anEvent(), {
				authorization: secret.replace('Bearer', 'Basic'),
			}),
		).toBe(401);
		expect(host.executions).toEqual([]);
		// Positive control: the same delivery with the subscription's secret starts an execution.
		expect(await post(host.productionUrl, anEvent(), { authorization: secret })).toBe(200);
		expect(host.executions).toHaveLength(1);
	});

	it('a delivery before n8n stored the subscription (activation still saving) gets 503: Celonis retries it', async () => {
		const secret = secretOf(subs()[0].id);
		const saved = host.staticData;
		host.staticData = {};
		expect(await post(host.productionUrl, anEvent(), { authorization: secret })).toBe(503);
		expect(host.executions).toEqual([]);
		host.staticData = saved;
		expect(await post(host.productionUrl, anEvent(), { authorization: secret })).toBe(200);
	});

	it('hostile bodies start nothing or only what is an event, and never crash the webhook', async () => {
		const authorization = secretOf(subs()[0].id);
		const send = (body: unknown, contentType = 'application/json') =>
			fetch(host.productionUrl, {
				method: 'POST',
				headers: { 'content-type': contentType, authorization },
				body: typeof body === 'string' ? body : JSON.stringify(body),
			}).then((r) => r.status);

		expect(await send('not json at all', 'text/plain')).toBe(200);
		expect(await send('{"event":', 'application/json')).toBe(422);
		expect(await send(null)).toBe(200);
		expect(await send(42)).toBe(200);
		expect(await send({ probe: true })).toBe(200);
		expect(await send({ event: 'not an object' })).toBe(200);
		expect(await send(Array.from({ length: 20_000 }, (_, i) => ({ junk: i })))).toBe(200);
		expect(host.executions).toEqual([]);

		const odd = {
			offset: { nested: true },
			triggerId: ['x'],
			creationDate: 7,
			event: {
				id: 'ev-odd',
				fields: [
					{ id: '__proto__', value: { polluted: true } },
					{ id: 'constructor', value: 'c' },
					{ id: 'eventId', value: 'a field named like the metadata' },
					{ value: 'no id' },
					'not a field',
					{ id: 'OK', value: 1 },
				],
			},
		};
		const many = [odd, ...Array.from({ length: 5000 }, (_, i) => ({ junk: i })), anEvent(9)];
		expect(await send(many)).toBe(200);
		expect(host.executions).toHaveLength(1);
		const [first, second] = host.executions[0].items;
		expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
		expect(({} as IDataObject).polluted).toBeUndefined();
		expect(Object.getOwnPropertyDescriptor(first, '__proto__')?.value).toEqual({ polluted: true });
		expect(first).toMatchObject({
			constructor: 'c',
			OK: 1,
			eventId: 'ev-odd',
			offset: null,
			triggerId: null,
			creationDate: 7,
		});
		expect(second).toMatchObject({ ORDER_ID: 'SO-1', offset: 9 });

		const unfielded = { ...anEvent(3), event: { id: 'ev-3', fields: 'nope' } };
		expect(await send(unfielded)).toBe(200);
		expect(host.executions[1].items).toEqual([
			{ eventId: 'ev-3', offset: 3, triggerId: TRIGGER, creationDate: '2026-12-01T10:00:00Z' },
		]);
	});
});

describe('deactivation', () => {
	it('deletes the subscription and forgets it; a subscription already gone counts as deleted', async () => {
		await host.activate();
		await host.deactivate();
		expect(subs()).toEqual([]);
		expect(JSON.stringify(host.staticData)).not.toContain('subscriptionId');

		await host.activate();
		const [s] = subs();
		await fetch(`${ctx.emu.url}/intelligence/api/subscriptions/${s.id}`, {
			method: 'DELETE',
			headers: { authorization: `Bearer ${DEMO.apiKey}` },
		});
		await host.deactivate();
		expect(JSON.stringify(host.staticData)).not.toContain('subscriptionId');
	});

	it('"Pause" keeps the events of the meantime: delivered, in order, once the workflow is active again', async () => {
		host.setParameters(
			celonisTriggerNode({ options: { onDeactivation: 'pause' } }, creds).parameters,
		);
		await host.activate();
		await fire(2);
		const [s] = subs();
		await host.deactivate();
		expect(subs()).toEqual([expect.objectContaining({ id: s.id, status: 'paused' })]);
		await fire(3);
		expect(host.executions).toHaveLength(2);

		await host.activate();
		expect(subs()).toEqual([expect.objectContaining({ id: s.id, status: 'active' })]);
		const deadline = Date.now() + 10_000;
		while (host.executions.length < 5 && Date.now() < deadline)
			await new Promise((r) => setTimeout(r, 50));
		expect(host.executions.map((e) => e.items[0].offset)).toEqual([0, 1, 2, 3, 4]);
	});
});

describe('"Listen for test event"', () => {
	it('subscribes the test URL for one event and removes that subscription; the production one stays', async () => {
		await host.activate();
		const [production] = subs();
		await host.listenForTest();
		expect(subs()).toHaveLength(2);
		const test = subs().find((s) => s.id !== production.id)!;
		expect(test).toMatchObject({
			name: 'n8n: Workflow trigger-workflow / Celonis Trigger (n8n test)',
			callbackInfo: { uri: host.testUrl },
		});
		// The production secret does not open the test URL.
		expect(await post(host.testUrl, anEvent(), { authorization: secretOf(production.id) })).toBe(
			401,
		);

		await fire(1);
		await host.settled();
		expect(host.executions.map((e) => e.mode).sort()).toEqual(['production', 'test']);
		expect(subs().map((s) => s.id)).toEqual([production.id]);
	});

	it('a test subscription left behind by a crashed run is replaced, not added to', async () => {
		await host.listenForTest();
		const [left] = subs();
		await host.listenForTest();
		expect(subs()).toHaveLength(1);
		expect(subs()[0].id).not.toBe(left.id);
		await host.stopListening();
		expect(subs()).toEqual([]);
	});
});

describe('activation errors say what to change', () => {
	it("n8n's webhook URL is not reachable from a real Celonis team: set WEBHOOK_URL (nothing is sent)", async () => {
		const real = engine.addCredential('celonisApiKeyApi', {
			teamUrl: 'https://acme.eu-1.celonis.cloud',
			apiKey: 'unused-key',
		});
		const remote = await TriggerHost.start(engine, celonisTriggerNode({}, real));
		try {
			const error = await activationError(() => remote.activate());
			expect(error.message).toBe(
				`Celonis cannot call n8n at ${remote.productionUrl}: 127.0.0.1 is an address that only this machine or network can reach. Set n8n's WEBHOOK_URL environment variable to the public https address of this n8n (e.g. WEBHOOK_URL=https://n8n.example.com/), restart n8n and activate the workflow again.`,
			);
		} finally {
			await remote.close();
		}
	});

	it('the team limit of 10 subscriptions: names the existing ones', async () => {
		ctx.emu.configure({ subscriptions: { probeMethod: 'NONE' } });
		for (let i = 0; i < 10; i++) {
			const res = await fetch(
				`${ctx.emu.url}/intelligence/api/knowledge-models/${KM}/triggers/blocked-order/subscriptions`,
				{
					method: 'POST',
					headers: { authorization: `Bearer ${DEMO.apiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({
						name: `Other ${i}`,
						callbackInfo: { uri: `https://hooks.example.com/${i}`, protocol: 'HTTPS' },
					}),
				},
			);
			expect(res.status).toBe(201);
		}
		const error = await activationError(() => host.activate());
		expect(error.message).toMatch(
			/^The team has reached Celonis' limit of 10 event subscriptions: "Other 0" \(active, trigger blocked-order of o2c-km\), .*"Other 9" .*Delete one that is no longer needed \(Celonis node → Subscription → Delete, or in Celonis\) and activate the workflow again\.$/,
		);
	});

	it('a missing scope is named', async () => {
		const readOnly = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['intelligence.knowledge-models:read'] }),
		);
		const other = await TriggerHost.start(engine, celonisTriggerNode({}, readOnly));
		try {
			const error = await activationError(() => other.activate());
			expect(error.message).toMatch(
				/Missing OAuth scope: Event Subscription API .* needs intelligence\.subscriptions:manage/,
			);
		} finally {
			await other.close();
		}
	});

	it('a missing permission is named, with what to grant', async () => {
		const noPermission = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.noPermissions, { scopes: ['intelligence.subscriptions:manage'] }),
		);
		const other = await TriggerHost.start(engine, celonisTriggerNode({}, noPermission));
		try {
			const error = await activationError(() => other.activate());
			expect(error.message).toMatch(
				/Missing Celonis permission for GET \/intelligence\/api\/subscriptions \(HTTP 403\)/,
			);
			expect(error.message).toMatch(
				/Grant USE PACKAGE on the Studio package of the knowledge model/,
			);
		} finally {
			await other.close();
		}
	});

	it('a deleted trigger, a deleted knowledge model', async () => {
		await fetch(`${ctx.emu.url}/__emulator/knowledge-models/${KM}/triggers/${TRIGGER}`, {
			method: 'DELETE',
		});
		const trigger = await activationError(() => host.activate());
		expect(trigger.message).toMatch(
			/^Knowledge Model "o2c-km" has no trigger "late-delivery" \(HTTP 404\)\. The trigger or its whole Knowledge Model was deleted in Celonis\. Choose an existing trigger/,
		);
		await fetch(`${ctx.emu.url}/__emulator/knowledge-models/${KM}`, { method: 'DELETE' });
		const km = await activationError(() => host.activate());
		expect(km.message).toMatch(
			/^Knowledge Model "o2c-km" was not found in Celonis \(HTTP 404\)\. It was deleted/,
		);
		expect(subs()).toEqual([]);
	});

	it('Celonis cannot reach the webhook URL: says which URL and what to do', async () => {
		const url = host.productionUrl;
		await host.close();
		const error = await activationError(() => host.activate());
		expect(error.message).toMatch(
			new RegExp(
				`^Celonis could not call n8n back at ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.+\\)\\. That address must reach this n8n from Celonis: set n8n's WEBHOOK_URL`,
			),
		);
		expect(subs()).toEqual([]);
		host = await TriggerHost.start(engine, celonisTriggerNode({}, creds));
	});

	it('an ID from an expression is checked like any ID', async () => {
		host.setParameters(
			celonisTriggerNode({ trigger: { __rl: true, mode: 'id', value: '../subscriptions' } }, creds)
				.parameters,
		);
		const error = await activationError(() => host.activate());
		expect(error.message).toMatch(/"Trigger" is "\.\.\/subscriptions", which is not a trigger ID/);
	});
});

describe('with each kind of credential', () => {
	it.each(['celonisApiKeyApi', 'celonisAppKeyApi', 'celonisAuthCodeOAuth2Api'] as const)(
		'%s: activation subscribes, events arrive, deactivation deletes',
		async (type) => {
			const other = await Engine.create();
			const data: ICredentialDataDecryptedObject =
				type === 'celonisApiKeyApi'
					? { teamUrl: ctx.emu.url, apiKey: DEMO.apiKey }
					: type === 'celonisAppKeyApi'
						? { teamUrl: ctx.emu.url, appKey: DEMO.appKey }
						: {
								teamUrl: ctx.emu.url,
								clientId: DEMO.client.id,
								clientSecret: DEMO.client.secret,
								scopes: ['intelligence.subscriptions:manage'],
							};
			const credentials = other.addCredential(type, data);
			if (type === 'celonisAuthCodeOAuth2Api')
				await connectAuthCode(other, (credentials[type] as { id: string }).id);
			await host.close();
			host = await TriggerHost.start(other, celonisTriggerNode({}, credentials));
			await host.activate();
			expect(subs()).toHaveLength(1);
			await fire(2);
			expect(host.executions.map((e) => e.items[0].offset)).toEqual([0, 1]);
			await host.deactivate();
			expect(subs()).toEqual([]);
		},
	);
});
