/**
 * The Celonis Trigger in a real n8n 2.41.1 (`n8n start`, the package installed as a community package),
 * against the emulator: publishing subscribes (the probe starts nothing), 1,000 events fired in bursts reach
 * the workflow's HTTP Request exactly once and in order, a forged delivery starts nothing, the secret is in
 * no log, a restart keeps the subscription, unpublishing deletes it (or pauses it and the events of the
 * meantime arrive later), an activation error is shown with its message, and the trigger example works.
 */
import { randomUUID } from 'node:crypto';

import { startEmulator, type Emulator } from '../../emulator';
import { createN8nSandbox, freePort, type N8nSandbox, type N8nServer } from '../../scripts/n8n-cli';
import {
	DEMO_IDENTITIES,
	emulatorCredentials,
	loadExamples,
	ownerEnv,
	startWebhookSink,
	withLocalWebhook,
} from '../../scripts/n8n-fixtures';
import { n8nRest, PublicationError, type N8nRest } from '../../scripts/n8n-rest';
import { isTriggerExample, runTriggerExample } from '../../scripts/triggerExample';
import {
	celonisTriggerWorkflow,
	fireEvents,
	waitUntil,
	type SinkRecord,
} from '../../scripts/triggerWorkflows';
import { repoRoot } from './helpers';

const SECRETS = [DEMO_IDENTITIES.apiKey, DEMO_IDENTITIES.appKey, DEMO_IDENTITIES.clientSecret];

describe('the Celonis Trigger in a real n8n (n8n start)', () => {
	let emu: Emulator;
	let sandbox: N8nSandbox;
	let server: N8nServer;
	let rest: N8nRest;
	let sink: Awaited<ReturnType<typeof startWebhookSink>>;
	let chat: Awaited<ReturnType<typeof startWebhookSink>>;
	let port: number;

	const main = { id: 'celonisTrigE2E', webhookId: randomUUID() };
	const paused = { id: 'celonisTrigPause', webhookId: randomUUID() };
	const broken = { id: 'celonisTrigBroken', webhookId: randomUUID() };
	const urlOf = (webhookId: string) => `${server.url}/webhook/${webhookId}/webhook`;
	const subscriptionsOf = (webhookId: string) =>
		emu.store.subscriptions.list().filter((s) => s.callbackInfo.uri.includes(`/${webhookId}/`));
	const records = () => sink.received as SinkRecord[];

	const start = async () => {
		server = await sandbox.startServer({ port, env: await ownerEnv(sandbox.runtime) });
		rest = n8nRest(server.url);
	};

	beforeAll(async () => {
		emu = await startEmulator({ quiet: true });
		sink = await startWebhookSink();
		chat = await startWebhookSink();
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		const examples = (await loadExamples(repoRoot)).filter(isTriggerExample);
		await sandbox.importWorkflow([
			celonisTriggerWorkflow({ ...main, sinkUrl: sink.url }),
			celonisTriggerWorkflow({
				...paused,
				sinkUrl: sink.url,
				options: { onDeactivation: 'pause' },
			}),
			celonisTriggerWorkflow({ ...broken, sinkUrl: sink.url, triggerId: 'no-such-trigger' }),
			...examples.map((e) => withLocalWebhook(e.workflow, chat.url)),
		] as unknown as { id: string });
		port = await freePort();
		await start();
	});

	afterAll(async () => {
		await server?.stop();
		await sandbox?.dispose();
		await sink?.close();
		await chat?.close();
		await emu?.close();
	});

	it('publishing subscribes the production webhook URL; the callback probe starts no execution', async () => {
		await rest.activate(main.id);
		const subs = subscriptionsOf(main.webhookId);
		expect(subs).toHaveLength(1);
		expect(subs[0]).toMatchObject({
			status: 'active',
			triggerId: 'blocked-order',
			callbackInfo: { uri: urlOf(main.webhookId), protocol: 'HTTP' },
		});
		expect(await rest.executions(main.id)).toEqual([]);
	});

	it('1,000 events fired in bursts: every one arrives exactly once, executions started in event order', async () => {
		const [subscription] = subscriptionsOf(main.webhookId);
		for (let burst = 0; burst < 10; burst++)
			await fireEvents(emu.url, 100, { triggerId: 'blocked-order', wait: false });
		await waitUntil(() => records().length >= 1000, '1,000 events at the sink', 600_000);
		await new Promise((resolve) => setTimeout(resolve, 1000)); // a duplicate would arrive by now

		const log = emu.store.subscriptions.deliveries({ subscriptionId: subscription.id });
		const accepted = log.filter((d) => d.ok);
		expect(accepted.map((d) => d.offset)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
		expect(log.filter((d) => !d.ok)).toEqual([]);

		const received = records();
		expect(received).toHaveLength(1000);
		expect(new Set(received.map((r) => r.eventId)).size).toBe(1000);
		expect(new Set(received.map((r) => r.eventId))).toEqual(
			new Set(accepted.map((d) => d.eventId)),
		);
		// n8n numbers executions as it starts them: in that order, the offsets ascend.
		const byExecution = [...received].sort((a, b) => a.executionId - b.executionId);
		expect(byExecution.map((r) => r.offset)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
		expect(new Set(received.map((r) => r.executionId)).size).toBe(1000);
	});

	it('a forged delivery gets 401 and starts no execution; hostile bodies start none either', async () => {
		const [subscription] = subscriptionsOf(main.webhookId);
		const secret = subscription.callbackInfo.headers.Authorization;
		const event = { offset: 5000, triggerId: 'blocked-order', event: { id: 'forged', fields: [] } };
		const post = async (body: string, headers: Record<string, string>) =>
			(
				await fetch(urlOf(main.webhookId), {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...headers },
					body,
				})
			).status;
		const before = records().length;
		expect(await post(JSON.stringify(event), {})).toBe(401);
		expect(await post(JSON.stringify(event), { authorization: 'Bearer forged-secret' })).toBe(401);
		expect(await post(JSON.stringify(event), { authorization: `${secret}0` })).toBe(401);
		expect(await post('{"event": ', { authorization: secret })).toBeGreaterThanOrEqual(400);
		expect(await post(JSON.stringify({ probe: true }), { authorization: secret })).toBe(200);
		const junk = JSON.stringify(Array.from({ length: 50_000 }, (_, i) => ({ junk: i })));
		expect(await post(junk, { authorization: secret })).toBe(200);
		expect(
			(await fetch(urlOf(main.webhookId), { method: 'HEAD' })).status,
			// the probe route answers without an execution
		).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(records()).toHaveLength(before);
		// Positive control: the same event with the subscription's secret runs the workflow.
		expect(await post(JSON.stringify(event), { authorization: secret })).toBe(200);
		await waitUntil(() => records().length === before + 1, 'the authorized event at the sink');
		expect(records()[before]).toMatchObject({ eventId: 'forged', offset: 5000 });
	});

	it("the subscription's secret appears nowhere in n8n's output or execution data", async () => {
		const [subscription] = subscriptionsOf(main.webhookId);
		const secret = subscription.callbackInfo.headers.Authorization.replace(/^Bearer /, '');
		const [latest] = await rest.executions(main.id, 1);
		const execution = JSON.stringify(await rest.call('GET', `/executions/${latest.id}`));
		expect(execution).toContain('forged'); // positive control: it is the execution of the event above
		for (const text of [server.output(), execution]) {
			expect(text).not.toContain(secret);
			for (const other of SECRETS) expect(text).not.toContain(other);
		}
	});

	it('a restart of n8n keeps the subscription (checkExists) and its events still arrive', async () => {
		const [before] = subscriptionsOf(main.webhookId);
		await server.stop();
		await start();
		await waitUntil(
			async () => (await rest.publicationStatus(main.id)).status === 'published',
			'the workflow to be published again after the restart',
			90_000,
		);
		expect(subscriptionsOf(main.webhookId).map((s) => s.id)).toEqual([before.id]);
		const count = records().length;
		await fireEvents(emu.url, 2, { triggerId: 'blocked-order' });
		await waitUntil(() => records().length === count + 2, 'two events after the restart');
	});

	it('unpublishing deletes the subscription: Celonis has nobody to send events to', async () => {
		await rest.deactivate(main.id);
		expect(subscriptionsOf(main.webhookId)).toEqual([]);
		expect((await fireEvents(emu.url, 1, { triggerId: 'blocked-order' })).subscriptions).toBe(0);
	});

	it('"Pause" on unpublishing: Celonis keeps the events and delivers them, in order, once published again', async () => {
		await rest.activate(paused.id);
		const [subscription] = subscriptionsOf(paused.webhookId);
		await rest.deactivate(paused.id);
		expect(subscriptionsOf(paused.webhookId)).toEqual([
			expect.objectContaining({ id: subscription.id, status: 'paused' }),
		]);
		const count = records().length;
		await fireEvents(emu.url, 3, { triggerId: 'blocked-order' });
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(records()).toHaveLength(count);

		await rest.activate(paused.id);
		await waitUntil(() => records().length === count + 3, 'the three events of the pause');
		expect(
			records()
				.slice(count)
				.map((r) => r.offset),
		).toEqual([0, 1, 2]);
		expect(subscriptionsOf(paused.webhookId).map((s) => s.id)).toEqual([subscription.id]);
		await rest.deactivate(paused.id);
	});

	it('an activation error is shown with what to change', async () => {
		const error = await rest.activate(broken.id).then(
			() => undefined,
			(e: Error) => e,
		);
		expect(error).toBeInstanceOf(PublicationError);
		expect(error?.message).toMatch(
			/Knowledge Model "o2c-km" has no trigger "no-such-trigger" \(HTTP 404\)\. The trigger or its whole Knowledge Model was deleted in Celonis/,
		);
		expect(subscriptionsOf(broken.webhookId)).toEqual([]);
	});

	it('the trigger example: every event posted to the chat webhook once; unpublishing deletes its subscription', async () => {
		const examples = (await loadExamples(repoRoot)).filter(isTriggerExample);
		expect(examples.map((e) => e.file)).toContain('celonis-trigger-to-chat.json');
		for (const example of examples) {
			const checks = await runTriggerExample(example, { emu, rest, sink: chat });
			for (const check of checks)
				expect({ check: check.label, detail: check.detail, ok: check.ok }).toEqual({
					check: check.label,
					detail: check.detail,
					ok: true,
				});
		}
	});
});
