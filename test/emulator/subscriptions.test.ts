import type { Emulator } from '../../emulator';
import { appKey, bearer, call, DEMO, tokenFor, waitFor, withEmulator, type Json } from './helpers';
import { Hook } from './hook';

let emu: Emulator;
let hook: Hook;
const H = bearer(DEMO.apiKey);
const KM = `/intelligence/api/knowledge-models/${DEMO.km}`;
const SUBS = '/intelligence/api/subscriptions';

beforeAll(async () => {
	emu = await withEmulator();
	hook = await new Hook().start();
});
afterAll(async () => {
	await emu.close();
	await hook.close();
});
beforeEach(() => {
	emu.reset();
	emu.configure({
		subscriptions: { retryDelayMs: 1, recoveryIntervalMs: 20 },
		intelligence: { perSecond: 100_000 },
	});
	hook.clear();
	hook.respond = () => 200;
});

async function subscribe(
	name = 'n8n',
	trigger = 'late-delivery',
	extra: Json = {},
): Promise<string> {
	const r = await call(`${emu.url}${KM}/triggers/${trigger}/subscriptions`, {
		json: { name, callbackInfo: { uri: hook.url, protocol: 'HTTPS' }, ...extra },
		headers: H,
	});
	expect(r.status).toBe(201);
	return r.json.id as string;
}

const fire = (body: Json, trigger = 'late-delivery') =>
	call(`${emu.url}/__emulator/knowledge-models/${DEMO.km}/triggers/${trigger}/fire?wait=true`, {
		json: body,
	});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('trigger bursts through the inspection API', () => {
	test('1,000 events arrive in order, exactly once, and the delivery log says the same', async () => {
		const id = await subscribe();
		const f = await fire({ count: 1000 });
		expect(f.status).toBe(200);
		expect(f.json).toMatchObject({ knowledgeModelId: DEMO.km, triggerId: 'late-delivery' });
		expect(f.json.events.map((e: Json) => e.offset)).toEqual(range(1000));
		const accepted = hook.accepted();
		expect(accepted.map((e) => e.offset)).toEqual(range(1000));
		expect(accepted.every((e) => e.subscriberId === id)).toBe(true);
		expect(accepted.map((e) => e.eventId)).toEqual(f.json.events.map((e: Json) => e.eventId));
		const log = (await call(`${emu.url}/__emulator/deliveries?subscriptionId=${id}`)).json;
		expect(log).toHaveLength(1000);
		expect(log.map((d: Json) => [d.offset, d.eventId, d.attempt, d.status, d.ok])).toEqual(
			accepted.map((e) => [e.offset, e.eventId, 1, 200, true]),
		);
		const sub = (await call(`${emu.url}/__emulator/subscriptions/${id}`)).json;
		expect(sub).toMatchObject({
			status: 'active',
			queued: 0,
			offset: 1000,
			lastSuccessEventOffset: 999,
		});
	});

	test('a callback failing now and then: retries keep the order and no event is accepted twice', async () => {
		emu.configure({ subscriptions: { retries: 3 } });
		hook.respond = ({ method, n }) => (method === 'POST' && n % 7 === 3 ? 503 : 200);
		const id = await subscribe();
		await fire({ count: 300 });
		expect(hook.accepted().map((e) => e.offset)).toEqual(range(300));
		const log = (await call(`${emu.url}/__emulator/deliveries?subscriptionId=${id}`)).json;
		const failed = log.filter((d: Json) => !d.ok);
		expect(failed.length).toBeGreaterThan(30);
		expect(failed.every((d: Json) => d.status === 503)).toBe(true);
		expect(log.filter((d: Json) => d.ok).map((d: Json) => d.offset)).toEqual(range(300));
		// the log lists the attempts exactly as the hook saw them
		expect(log.map((d: Json) => d.status)).toEqual(hook.posts().map((p) => p.status));
	});

	test('array delivery in batches of batchSize', async () => {
		emu.configure({ subscriptions: { deliveryFormat: 'array', batchSize: 100 } });
		const id = await subscribe();
		await fire({ count: 250 });
		expect(hook.posts().map((p) => JSON.parse(p.body).length)).toEqual([100, 100, 50]);
		expect(hook.accepted().map((e) => e.offset)).toEqual(range(250));
		const log = (await call(`${emu.url}/__emulator/deliveries?subscriptionId=${id}`)).json;
		expect(new Set(log.map((d: Json) => d.request)).size).toBe(3);
	});

	test('pause holds events back; resume delivers them in order once', async () => {
		const id = await subscribe();
		expect(
			(await call(`${emu.url}${SUBS}/${id}/pause`, { method: 'PATCH', headers: H })).status,
		).toBe(204);
		const f = await fire({ count: 40 });
		expect(f.json.statuses[id]).toBe('paused');
		expect(hook.posts()).toHaveLength(0);
		await call(`${emu.url}${SUBS}/${id}/resume`, { method: 'PATCH', headers: H });
		await waitFor(() => (hook.accepted().length === 40 ? true : undefined));
		expect(hook.accepted().map((e) => e.offset)).toEqual(range(40));
	});

	test('resume while auto-recovery runs: every event still accepted exactly once, in order', async () => {
		emu.configure({ subscriptions: { retries: 0, recoveryIntervalMs: 5 } });
		let down = true;
		hook.respond = ({ method }) => (method === 'POST' && down ? 500 : 200);
		const id = await subscribe();
		await fire({ count: 30 });
		expect((await call(`${emu.url}${SUBS}`, { headers: H })).json.content[0].status).toBe('failed');
		down = false;
		for (let i = 0; i < 5; i++)
			await call(`${emu.url}${SUBS}/${id}/resume`, { method: 'PATCH', headers: H });
		await waitFor(() => (hook.accepted().length >= 30 ? true : undefined));
		await waitFor(async () =>
			(await call(`${emu.url}/__emulator/subscriptions/${id}`)).json.queued === 0
				? true
				: undefined,
		);
		expect(hook.accepted().map((e) => e.offset)).toEqual(range(30));
	});

	test('events go only to subscriptions of the fired trigger; the older route fires by trigger id', async () => {
		const late = await subscribe('late', 'late-delivery');
		const blocked = await subscribe('blocked', 'blocked-order');
		const f = await call(`${emu.url}/__emulator/triggers/blocked-order/fire?wait=true`, {
			json: { count: 2 },
		});
		expect(f.json.subscriptions).toBe(1);
		expect(hook.accepted().map((e) => e.subscriberId)).toEqual([blocked, blocked]);
		expect((await call(`${emu.url}/__emulator/deliveries?subscriptionId=${late}`)).json).toEqual(
			[],
		);
		expect(
			(await call(`${emu.url}/__emulator/deliveries?triggerId=blocked-order&after=1`)).json,
		).toHaveLength(1);
		expect(
			(
				await call(`${emu.url}/__emulator/knowledge-models/nope/triggers/late-delivery/fire`, {
					json: {},
				})
			).status,
		).toBe(404);
		expect(
			(await call(`${emu.url}/__emulator/triggers/late-delivery/fire`, { json: { count: 0 } }))
				.status,
		).toBe(400);
	});
});

describe('callback probe (configurable: Celonis does not document it)', () => {
	test.each([
		['HEAD', 'HEAD'],
		['GET', 'GET'],
		['POST', 'POST'],
	])('probeMethod %s probes with %s before the subscription exists', async (probeMethod, seen) => {
		emu.configure({ subscriptions: { probeMethod: probeMethod as 'HEAD' } });
		await subscribe();
		expect(hook.received.map((r) => r.method)).toEqual([seen]);
		if (seen === 'POST') expect(JSON.parse(hook.received[0]!.body)).toEqual({ probe: true });
	});
	test('probeMethod NONE: no probe', async () => {
		emu.configure({ subscriptions: { probeMethod: 'NONE' } });
		await subscribe();
		expect(hook.received).toHaveLength(0);
	});
	test('probeAccept: any answer below 500 by default, 2xx only when configured', async () => {
		hook.respond = ({ method }) => (method === 'HEAD' ? 404 : 200);
		await subscribe('below-500');
		emu.configure({ subscriptions: { probeAccept: '2xx' } });
		const r = await call(`${emu.url}${KM}/triggers/late-delivery/subscriptions`, {
			json: { name: '2xx', callbackInfo: { uri: hook.url } },
			headers: H,
		});
		expect(r.status).toBe(400);
		expect(r.json).toMatchObject({ errorCode: 'SUBSCRIPTION_CALLBACK_FAILED' });
		expect(r.json.detail).toContain('HTTP 404');
		hook.respond = () => 503;
		emu.configure({ subscriptions: { probeAccept: 'below-500' } });
		const down = await call(`${emu.url}${KM}/triggers/late-delivery/subscriptions`, {
			json: { name: 'down', callbackInfo: { uri: hook.url } },
			headers: H,
		});
		expect(down.json.errorCode).toBe('SUBSCRIPTION_CALLBACK_FAILED');
	});
});

describe('limits and answers a node must turn into messages', () => {
	test('the 11th subscription of a team: 400 whose detail names the existing ten; no probe', async () => {
		for (let i = 1; i <= 10; i++) await subscribe(`workflow ${i}`);
		hook.clear();
		const r = await call(`${emu.url}${KM}/triggers/blocked-order/subscriptions`, {
			json: { name: 'one too many', callbackInfo: { uri: hook.url } },
			headers: H,
		});
		expect(r.status).toBe(400);
		expect(r.headers['content-type']).toContain('application/problem+json');
		expect(r.json).toMatchObject({ status: 400, errorCode: 'SUBSCRIPTION_TRIGGER_FAILED' });
		for (let i = 1; i <= 10; i++) expect(r.json.detail).toContain(`"workflow ${i}"`);
		expect(hook.received).toHaveLength(0);
		const list = await call(`${emu.url}${SUBS}?pageSize=50`, { headers: H });
		expect(list.json.content).toHaveLength(10);
	});

	test('a deleted trigger: create 404, existing subscription listed, resume 404, delete 204', async () => {
		const id = await subscribe();
		const del = await call(
			`${emu.url}/__emulator/knowledge-models/${DEMO.km}/triggers/late-delivery`,
			{
				method: 'DELETE',
			},
		);
		expect(del.status).toBe(200);
		const create = await call(`${emu.url}${KM}/triggers/late-delivery/subscriptions`, {
			json: { name: 'x', callbackInfo: { uri: hook.url } },
			headers: H,
		});
		expect(create.status).toBe(404);
		expect(create.json.errorCode).toBe('SUBSCRIPTION_TRIGGER_NOTFOUND');
		expect(
			(await call(`${emu.url}${KM}/triggers`, { headers: H })).json.content.map((t: Json) => t.id),
		).toEqual(['blocked-order']);
		expect(
			(await call(`${emu.url}${SUBS}`, { headers: H })).json.content.map((s: Json) => s.id),
		).toEqual([id]);
		const resume = await call(`${emu.url}${SUBS}/${id}/resume`, { method: 'PATCH', headers: H });
		expect(resume.status).toBe(404);
		expect(resume.json.errorCode).toBe('SUBSCRIPTION_TRIGGER_NOTFOUND');
		expect((await call(`${emu.url}${SUBS}/${id}`, { method: 'DELETE', headers: H })).status).toBe(
			204,
		);
		emu.reset();
		expect((await call(`${emu.url}${KM}/triggers`, { headers: H })).json.content).toHaveLength(2);
	});

	test('a deleted knowledge model: its endpoints answer 404 KNOWLEDGE_MODEL_NOTFOUND', async () => {
		expect(
			(await call(`${emu.url}/__emulator/knowledge-models/${DEMO.km}`, { method: 'DELETE' }))
				.status,
		).toBe(200);
		for (const path of [
			'',
			'/records',
			'/kpis',
			'/filters',
			'/triggers',
			'/records/SALES_ORDER/data?fields=ORDER_ID',
		]) {
			const r = await call(`${emu.url}${KM}${path}`, { headers: H });
			expect({ path, status: r.status, code: r.json.errorCode }).toEqual({
				path,
				status: 404,
				code: 'KNOWLEDGE_MODEL_NOTFOUND',
			});
		}
		expect(
			(await call(`${emu.url}/intelligence/api/knowledge-models`, { headers: H })).json.content,
		).toEqual([]);
		expect(
			(await call(`${emu.url}/__emulator/knowledge-models/nope`, { method: 'DELETE' })).status,
		).toBe(404);
	});

	test('missing scope or permission: 403 Access Denied, as on every API', async () => {
		const kmOnly = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'intelligence.knowledge-models:read',
		);
		const denied = { status: 403, errorCode: 'ADMIN_ACCESS_ERROR', title: 'Access Denied.' };
		const create = await call(`${emu.url}${KM}/triggers/late-delivery/subscriptions`, {
			json: { name: 'x', callbackInfo: { uri: hook.url } },
			headers: bearer(kmOnly),
		});
		expect(create.json).toMatchObject(denied);
		expect((await call(`${emu.url}${KM}/triggers`, { headers: bearer(kmOnly) })).status).toBe(200);
		const subsOnly = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'intelligence.subscriptions:manage',
		);
		expect(
			(await call(`${emu.url}${KM}/records`, { headers: bearer(subsOnly) })).json,
		).toMatchObject(denied);
		expect(
			(await call(`${emu.url}${SUBS}`, { headers: appKey(DEMO.appKeyNoPerm) })).json,
		).toMatchObject(denied);
		expect(hook.received).toHaveLength(0);
	});

	test('there is no GET of one subscription (not in the API): 405; Get = the list, filtered', async () => {
		const id = await subscribe();
		const r = await call(`${emu.url}${SUBS}/${id}`, { headers: H });
		expect(r.status).toBe(405);
		expect(r.json).toMatchObject({ status: 405, errorCode: 'GENERAL_METHOD_NOT_ALLOWED' });
	});

	test('20 requests per second per team on the Intelligence API: 429 LIMIT_RATE_EXCEEDED with x-ratelimit-reset', async () => {
		// the second's 20 requests are already counted (sending them would make the test depend on the machine's speed)
		emu.configure({ intelligence: { perSecond: 20 } });
		for (let i = 0; i < 20; i++) emu.store.intelligenceSecond.add();
		const limited = await call(`${emu.url}${SUBS}`, { headers: H });
		expect(limited.status).toBe(429);
		expect(limited.json).toMatchObject({ status: 429, errorCode: 'LIMIT_RATE_EXCEEDED' });
		expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
		expect(limited.headers['x-ratelimit-limit']).toBe('20');
		// positive control: one more allowed per second lets the same request through
		emu.configure({ intelligence: { perSecond: 21 } });
		expect((await call(`${emu.url}${SUBS}`, { headers: H })).status).toBe(200);
	});
});
