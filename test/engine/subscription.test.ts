/**
 * Subscription resource through n8n-core's real WorkflowExecute against the emulator: list and find (Celonis
 * has no GET of one subscription), pause / resume / resume from latest / replay with the subscription's
 * state afterwards, taking over failed events, delete, and the errors of unknown IDs and wrong states.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { celonisNode } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';

const ctx = useEmulator();
const KM = 'o2c-km';

let engine: Engine;
let creds: NodeSpec['credentials'];
/** A callback that records the offsets it accepted; `failing` makes it answer 500. */
let callback: { url: string; offsets: number[]; failing: boolean; server: http.Server };

beforeAll(async () => {
	engine = await Engine.create();
	creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes: ['intelligence.subscriptions:manage'] }),
	);
	const state = { offsets: [] as number[], failing: false };
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c: Buffer) => (body += c.toString()));
		req.on('end', () => {
			const accepted = req.method !== 'POST' || !state.failing;
			if (req.method === 'POST' && accepted)
				state.offsets.push((JSON.parse(body) as { offset: number }).offset);
			res.writeHead(accepted ? 200 : 500).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	callback = Object.assign(state, {
		server,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
	});
});
afterAll(async () => await new Promise((resolve) => callback.server.close(resolve)));

let subscriptionId: string;
beforeEach(async () => {
	ctx.emu.reset();
	ctx.emu.configure({
		subscriptions: { retries: 1, retryDelayMs: 10, recoveryIntervalMs: 60_000 },
	});
	callback.offsets = [];
	callback.failing = false;
	subscriptionId = await createSubscription('Orders at risk', 'late-delivery');
});

async function createSubscription(name: string, trigger: string): Promise<string> {
	const res = await fetch(
		`${ctx.emu.url}/intelligence/api/knowledge-models/${KM}/triggers/${trigger}/subscriptions`,
		{
			method: 'POST',
			headers: { authorization: `Bearer ${DEMO.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ name, callbackInfo: { uri: callback.url, protocol: 'HTTP' } }),
		},
	);
	expect(res.status).toBe(201);
	return ((await res.json()) as { id: string }).id;
}

async function fire(count: number) {
	const res = await fetch(
		`${ctx.emu.url}/__emulator/knowledge-models/${KM}/triggers/late-delivery/fire?wait=true`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ count }),
		},
	);
	expect(res.status).toBe(200);
}

const byId = (id = subscriptionId) => ({ __rl: true, mode: 'id', value: id });
const run = async (operation: string, parameters: Record<string, unknown> = {}) =>
	await engine.runChain([
		celonisNode({ resource: 'subscription', operation, ...parameters }, creds),
	]);
const statusOf = (id = subscriptionId) => ctx.emu.store.subscriptions.get(id)?.status;

describe('reading subscriptions', () => {
	it('Get Many lists them (filtered here); Get finds one in the list', async () => {
		const other = await createSubscription('Blocked orders', 'blocked-order');
		const all = (await run('getAll')).json('Celonis');
		expect(all.map((s) => s.name).sort()).toEqual(['Blocked orders', 'Orders at risk']);
		const blocked = (await run('getAll', { filters: { triggerId: 'blocked-order' } })).json(
			'Celonis',
		);
		expect(blocked.map((s) => s.id)).toEqual([other]);
		const paused = (await run('getAll', { filters: { status: ['paused'] } })).json('Celonis');
		expect(paused).toEqual([]);
		expect((await run('getAll', { returnAll: false, limit: 1 })).json('Celonis')).toHaveLength(1);

		const one = (await run('get', { subscription: byId() })).json('Celonis');
		expect(one).toEqual([
			expect.objectContaining({
				id: subscriptionId,
				name: 'Orders at risk',
				status: 'active',
				triggerId: 'late-delivery',
				callbackInfo: { uri: callback.url, protocol: 'HTTP' },
			}),
		]);
	});

	it('Get of an unknown subscription names the ones the team has', async () => {
		const result = await run('get', { subscription: byId('no-such-subscription') });
		expect(result.error?.message).toBe(
			'Subscription "no-such-subscription" was not found in Celonis',
		);
		expect(result.error?.description).toMatch(/The team has 1 subscription\(s\): "Orders at risk"/);
	});

	it('an ID that could reshape the path is refused before anything is sent', async () => {
		// n8n validates a typed ID itself; one from an expression reaches the node.
		const result = await run('delete', { subscription: byId('={{ "../knowledge-models" }}') });
		expect(result.error?.message).toMatch(/which is not a subscription ID/);
		expect(ctx.emu.store.subscriptions.list()).toHaveLength(1);
	});
});

describe('changing a subscription', () => {
	it('Pause keeps the events; Resume delivers them, in order; each returns the subscription afterwards', async () => {
		const paused = (await run('pause', { subscription: byId() })).json('Celonis');
		expect(paused).toEqual([expect.objectContaining({ id: subscriptionId, status: 'paused' })]);
		await fire(3);
		expect(callback.offsets).toEqual([]);
		const resumed = (await run('resume', { subscription: byId() })).json('Celonis');
		expect(resumed[0].status).toBe('active');
		await waitFor(() => callback.offsets.length === 3);
		expect(callback.offsets).toEqual([0, 1, 2]);
	});

	it('Resume From Latest drops the events of the meantime', async () => {
		await run('pause', { subscription: byId() });
		await fire(2);
		await run('resumeFromLatest', { subscription: byId() });
		await fire(1);
		expect(callback.offsets).toEqual([2]);
	});

	it('Replay From Offset delivers the events from there again', async () => {
		await fire(4);
		expect(callback.offsets).toEqual([0, 1, 2, 3]);
		const replayed = await run('replayFromOffset', { subscription: byId(), fromOffset: 2 });
		expect(replayed.status).toBe('success');
		await waitFor(() => callback.offsets.length === 6);
		expect(callback.offsets).toEqual([0, 1, 2, 3, 2, 3]);
	});

	it('Delete removes it; deleting it again says it is gone', async () => {
		expect((await run('delete', { subscription: byId() })).json('Celonis')).toEqual([
			{ id: subscriptionId, deleted: true },
		]);
		expect(ctx.emu.store.subscriptions.list()).toEqual([]);
		const again = await run('delete', { subscription: byId() });
		expect(again.error?.message).toBe(
			`Subscription "${subscriptionId}" was not found in Celonis (HTTP 404)`,
		);
	});
});

describe('Get Failed Events', () => {
	it('takes over what a failed subscription could not deliver, as items like the trigger makes', async () => {
		callback.failing = true;
		await fire(3);
		expect(statusOf()).toBe('failed');
		const result = await run('getFailedEvents', { subscription: byId(), returnAll: true });
		expect(result.status).toBe('success');
		const items = result.json('Celonis');
		expect(items.map((i) => i.offset)).toEqual([0, 1, 2]);
		expect(items[0]).toMatchObject({ ORDER_ID: 'SO-1000', triggerId: 'late-delivery' });
		// Handed over: they are no longer queued.
		expect(ctx.emu.store.subscriptions.get(subscriptionId)?.queue).toEqual([]);
	});

	it('without Return All takes one batch of at most 50', async () => {
		callback.failing = true;
		await fire(60);
		const first = (await run('getFailedEvents', { subscription: byId(), output: 'raw' })).json(
			'Celonis',
		);
		expect(first).toHaveLength(50);
		expect(first[0]).toMatchObject({ offset: 0, event: expect.any(Object) } as IDataObject);
		const rest = (await run('getFailedEvents', { subscription: byId() })).json('Celonis');
		expect(rest.map((i) => i.offset)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
	});

	it('of an active subscription: says that only failed or suspended ones hand events over', async () => {
		const result = await run('getFailedEvents', { subscription: byId() });
		expect(result.error?.message).toMatch(
			/^Celonis hands out failed events only of a failed or suspended subscription; ".+" is active or paused \(HTTP 400\)$/,
		);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 20));
	}
}
