import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from '../../emulator';
import { appKey, bearer, call, DEMO, tokenFor, waitFor, withEmulator, type Json } from './helpers';

let emu: Emulator;
let hook: Server;
let hookUrl: string;
let hookStatus = 200;
const received: { method: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
	emu = await withEmulator();
	emu.configure({
		subscriptions: { retries: 1, retryDelayMs: 5, recoveryIntervalMs: 30 },
		intelligence: { perSecond: 10000 },
	});
	hook = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			received.push({ method: req.method!, headers: req.headers, body });
			res.statusCode = req.method === 'POST' ? hookStatus : 200;
			res.end();
		});
	});
	await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
	hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
	await emu.close();
	await new Promise((r) => hook.close(r));
});
const H = bearer(DEMO.apiKey);
const KM = `/intelligence/api/knowledge-models`;

describe('knowledge models', () => {
	test('list, details, records, record details, kpis, filters', async () => {
		const l = await call(`${emu.url}${KM}`, { headers: H });
		expect(l.json).toMatchObject({
			page: 0,
			pageSize: 50,
			total: 1,
			content: [{ id: DEMO.km, name: 'O2C Knowledge Model', published: true }],
		});
		expect(l.headers['x-ratelimit-limit']).toBe('6000');
		expect(Number(l.headers['x-ratelimit-remaining'])).toBeLessThan(6000);
		expect((await call(`${emu.url}${KM}/${DEMO.km}`, { headers: H })).json).toMatchObject({
			id: DEMO.km,
		});
		expect(
			(
				await call(`${emu.url}${KM}/${DEMO.km}/records?sort=-name`, { headers: H })
			).json.content.map((r: Json) => r.id),
		).toEqual(['SALES_ORDER', 'CUSTOMER']);
		expect(
			(await call(`${emu.url}${KM}/${DEMO.km}/records/SALES_ORDER`, { headers: H })).json.fields
				.length,
		).toBe(5);
		expect(
			(await call(`${emu.url}${KM}/${DEMO.km}/kpis`, { headers: H })).json.content,
		).toHaveLength(2);
		expect(
			(await call(`${emu.url}${KM}/${DEMO.km}/filters`, { headers: H })).json.content[0].id,
		).toBe('ONLY_OPEN');
		const nf = await call(`${emu.url}${KM}/nope`, { headers: H });
		expect(nf.status).toBe(404);
		expect(nf.headers['content-type']).toContain('application/problem+json');
		const pm = await call(`${emu.url}${KM}?page=abc`, { headers: H });
		expect(pm.json).toMatchObject({ status: 400, errorCode: 'GENERAL_PARAMETER_MISSMATCH' });
	});
	test('record data GET/POST with fields, filterExpr, sort, paging; 400 without fields', async () => {
		const r = await call(
			`${emu.url}${KM}/${DEMO.km}/records/SALES_ORDER/data?fields=ORDER_ID,STATUS&filterExpr=${encodeURIComponent("STATUS eq 'OPEN'")}&sort=-ORDER_ID&pageSize=2`,
			{ headers: H },
		);
		expect(r.status).toBe(200);
		expect(r.json.content.headers.map((h: Json) => h.id)).toEqual(['ORDER_ID', 'STATUS']);
		expect(r.json.content.data).toEqual([
			{ ORDER_ID: 'SO-1009', STATUS: 'OPEN' },
			{ ORDER_ID: 'SO-1006', STATUS: 'OPEN' },
		]);
		const p = await call(`${emu.url}${KM}/${DEMO.km}/records/SALES_ORDER/data`, {
			json: { projection: { fields: 'ORDER_ID', pagination: { pageNumber: 1, pageSize: 5 } } },
			headers: H,
		});
		expect(p.json.content.data[0]).toEqual({ ORDER_ID: 'SO-1005' });
		const miss = await call(`${emu.url}${KM}/${DEMO.km}/records/SALES_ORDER/data`, { headers: H });
		expect(miss.json).toMatchObject({ status: 400, errorCode: 'GENERAL_PARAMETER_MISSING' });
		expect(
			(
				await call(`${emu.url}${KM}/${DEMO.km}/records/SALES_ORDER/data?fields=NOPE`, {
					headers: H,
				})
			).status,
		).toBe(400);
		expect(
			(
				await call(
					`${emu.url}${KM}/${DEMO.km}/records/SALES_ORDER/data?fields=ORDER_ID&filterExpr=garbage`,
					{ headers: H },
				)
			).status,
		).toBe(400);
		const k = await call(`${emu.url}${KM}/${DEMO.km}/data?kpis=OPEN_ORDERS`, { headers: H });
		expect(k.json.content.data).toEqual([{ OPEN_ORDERS: 4 }]);
		expect((await call(`${emu.url}${KM}/${DEMO.km}/data`, { headers: H })).status).toBe(400);
	});
	test('scope and permission; intelligence rate limit 429 LIMIT_RATE_EXCEEDED', async () => {
		const t = await tokenFor(emu, 'demo-client', 'demo-client-secret', 'studio');
		expect((await call(`${emu.url}${KM}`, { headers: bearer(t) })).status).toBe(403);
		expect((await call(`${emu.url}${KM}`, { headers: appKey(DEMO.appKeyNoPerm) })).status).toBe(
			403,
		);
		emu.configure({
			intelligence: { perSecond: 1000, perDay: emu.store.intelligenceDay.count() + 1 },
		});
		expect((await call(`${emu.url}${KM}`, { headers: H })).status).toBe(200);
		const r = await call(`${emu.url}${KM}`, { headers: H });
		expect(r.status).toBe(429);
		expect(r.json).toMatchObject({ status: 429, errorCode: 'LIMIT_RATE_EXCEEDED' });
		expect(Number(r.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
		emu.configure({ intelligence: { perSecond: 10000, perDay: 6000 } });
		emu.store.intelligenceDay.clear();
	});
	test('chat', async () => {
		const r = await call(`${emu.url}/intelligence/api/ai/agents/o2c-copilot/conversations`, {
			json: { message: 'hi' },
			headers: H,
		});
		expect(r.json).toMatchObject({
			conversationId: expect.any(String),
			text: expect.stringContaining('hi'),
		});
		const again = await call(`${emu.url}/intelligence/api/ai/agents/o2c-copilot/conversations`, {
			json: { message: 'again', conversationId: r.json.conversationId },
			headers: H,
		});
		expect(again.json.conversationId).toBe(r.json.conversationId);
		const bad = await call(`${emu.url}/intelligence/api/ai/agents/o2c-copilot/conversations`, {
			json: { nope: 1 },
			headers: H,
		});
		expect(bad.status).toBe(400);
		expect(bad.json).toMatchObject({ type: 'about:blank', status: 400 });
	});
});

describe('triggers and subscriptions', () => {
	const SUBS = `${KM}/${DEMO.km}/triggers/late-delivery/subscriptions`;
	test('triggers list/detail', async () => {
		expect(
			(await call(`${emu.url}${KM}/${DEMO.km}/triggers`, { headers: H })).json.content.map(
				(t: Json) => t.id,
			),
		).toEqual(['late-delivery', 'blocked-order']);
		expect(
			(await call(`${emu.url}${KM}/${DEMO.km}/triggers/late-delivery`, { headers: H })).json.fields,
		).toHaveLength(3);
		expect(
			(await call(`${emu.url}${KM}/${DEMO.km}/triggers/nope`, { headers: H })).json.errorCode,
		).toBe('SUBSCRIPTION_TRIGGER_NOTFOUND');
	});
	test('create validation: unreachable callback, protocol mismatch, headers, unknown trigger', async () => {
		const bad = await call(`${emu.url}${SUBS}`, {
			json: { name: 'x', callbackInfo: { uri: 'http://127.0.0.1:1/nothing', protocol: 'HTTPS' } },
			headers: H,
		});
		expect(bad.status).toBe(400);
		expect(bad.json.errorCode).toBe('SUBSCRIPTION_CALLBACK_FAILED');
		expect(
			(
				await call(`${emu.url}${SUBS}`, {
					json: { name: 'x', callbackInfo: { uri: 'ftp://x', protocol: 'HTTPS' } },
					headers: H,
				})
			).json.errorCode,
		).toBe('SUBSCRIPTION_URI_ILLEGAL');
		expect(
			(
				await call(`${emu.url}${SUBS}`, {
					json: { name: 'x', callbackInfo: { uri: hookUrl, headers: { Authorization: ' ' } } },
					headers: H,
				})
			).json.errorCode,
		).toBe('SUBSCRIPTION_EMPTY_HEADER');
		expect(
			(
				await call(`${emu.url}${SUBS}`, {
					json: { name: 'x', callbackInfo: { uri: hookUrl, headers: { 'X-Custom': 'a' } } },
					headers: H,
				})
			).status,
		).toBe(400);
		expect(
			(
				await call(`${emu.url}${KM}/${DEMO.km}/triggers/nope/subscriptions`, {
					json: { name: 'x', callbackInfo: { uri: hookUrl } },
					headers: H,
				})
			).status,
		).toBe(404);
	});
	test('create → probe → fire → delivered eventDTO with configured headers; failure → retries → failed → recovery', async () => {
		received.length = 0;
		const c = await call(`${emu.url}${SUBS}`, {
			json: {
				name: 'n8n',
				callbackInfo: {
					uri: hookUrl,
					protocol: 'HTTPS',
					headers: { Authorization: 'Bearer hook-secret' },
				},
			},
			headers: H,
		});
		expect(c.status).toBe(201);
		const id = c.json.id;
		expect(received[0]!.method).toBe('HEAD');
		const f = await call(`${emu.url}/__emulator/triggers/late-delivery/fire?wait=true`, {
			json: { fields: { ORDER_ID: 'SO-1' } },
		});
		expect(f.json.subscriptions).toBe(1);
		const post = received.find((r) => r.method === 'POST')!;
		expect(post.headers.authorization).toBe('Bearer hook-secret');
		const ev = JSON.parse(post.body);
		expect(ev).toMatchObject({
			subscriberId: id,
			triggerId: 'late-delivery',
			offset: 0,
			event: {
				identifier: 'SO-1',
				fields: expect.arrayContaining([
					{ id: 'ORDER_ID', value: 'SO-1', type: 'STRING', isIdentifier: true },
				]),
			},
		});
		hookStatus = 500;
		await call(`${emu.url}/__emulator/triggers/late-delivery/fire?wait=true`, { json: {} });
		const list = await call(`${emu.url}/intelligence/api/subscriptions`, { headers: H });
		expect(list.json.content[0]).toMatchObject({
			id,
			status: 'failed',
			offset: 2,
			lastSuccessEventOffset: 0,
		});
		expect(list.json.content[0].callbackInfo.headers).toBeUndefined();
		const inspected = await call(`${emu.url}/__emulator/subscriptions`);
		expect(
			inspected.json[0].deliveries.filter((d: Json) => d.offset === 1 && d.attempt > 0),
		).toHaveLength(2);
		hookStatus = 200;
		await waitFor(async () =>
			(await call(`${emu.url}/intelligence/api/subscriptions`, { headers: H })).json.content[0]
				.status === 'active'
				? true
				: undefined,
		);
		expect(
			(await call(`${emu.url}/intelligence/api/subscriptions`, { headers: H })).json.content[0]
				.lastSuccessEventOffset,
		).toBe(1);
	});
	test('pause/resume/replay/resume-from-latest, events extraction, SKIP_ERRORS, suspend, delete, update', async () => {
		const id = (await call(`${emu.url}/intelligence/api/subscriptions`, { headers: H })).json
			.content[0].id;
		const base = `${emu.url}/intelligence/api/subscriptions/${id}`;
		expect((await call(`${base}/pause`, { method: 'PATCH', headers: H })).status).toBe(204);
		await call(`${emu.url}/__emulator/triggers/late-delivery/fire?wait=true`, { json: {} });
		expect((await call(`${base}/events`, { method: 'PATCH', headers: H })).status).toBe(400);
		const before = received.filter((r) => r.method === 'POST').length;
		expect((await call(`${base}/resume`, { method: 'PATCH', headers: H })).status).toBe(204);
		await waitFor(() =>
			received.filter((r) => r.method === 'POST').length > before ? true : undefined,
		);
		const n = received.filter((r) => r.method === 'POST').length;
		expect(
			(await call(`${base}/replay?fromOffset=0`, { method: 'PATCH', headers: H })).status,
		).toBe(204);
		await waitFor(() =>
			received.filter((r) => r.method === 'POST').length >= n + 3 ? true : undefined,
		);
		expect(
			(await call(`${base}/replay?fromOffset=x`, { method: 'PATCH', headers: H })).status,
		).toBe(400);
		// failed → events extraction allowed; suspend after suspendAfterMs
		emu.configure({ subscriptions: { suspendAfterMs: 50 } });
		hookStatus = 503;
		await call(`${emu.url}/__emulator/triggers/late-delivery/fire?wait=true`, { json: {} });
		await waitFor(async () =>
			(await call(`${emu.url}/intelligence/api/subscriptions`, { headers: H })).json.content[0]
				.status === 'suspended'
				? true
				: undefined,
		);
		const ex = await call(`${base}/events`, { method: 'PATCH', headers: H });
		expect(ex.status).toBe(200);
		expect(ex.json.content.length).toBe(1);
		expect((await call(`${base}/resume-from-latest`, { method: 'PATCH', headers: H })).status).toBe(
			204,
		);
		// SKIP_ERRORS drops failed events and stays active
		const u = await call(base, {
			method: 'PUT',
			json: { name: 'skip', callbackInfo: { uri: hookUrl }, configurations: ['SKIP_ERRORS'] },
			headers: H,
		});
		expect(u.status).toBe(200);
		await call(`${emu.url}/__emulator/triggers/late-delivery/fire?wait=true`, { json: {} });
		const sub = (await call(`${emu.url}/__emulator/subscriptions`)).json[0];
		expect(sub).toMatchObject({ status: 'active', skipped: 1, queued: 0, name: 'skip' });
		hookStatus = 200;
		emu.configure({ subscriptions: { suspendAfterMs: 8 * 3600 * 1000 } });
		expect((await call(base, { method: 'DELETE', headers: H })).status).toBe(204);
		const gone = await call(`${base}/pause`, { method: 'PATCH', headers: H });
		expect(gone.status).toBe(404);
		expect(gone.json.errorCode).toBe('SUBSCRIPTION_SUBSCRIPTION_NOTFOUND');
		expect((await call(`${emu.url}/__emulator/triggers/nope/fire`, { json: {} })).status).toBe(404);
	});
	test('subscription scope required', async () => {
		const t = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'intelligence.knowledge-models:read',
		);
		expect(
			(await call(`${emu.url}/intelligence/api/subscriptions`, { headers: bearer(t) })).status,
		).toBe(403);
		expect((await call(`${emu.url}${KM}/${DEMO.km}/triggers`, { headers: bearer(t) })).status).toBe(
			200,
		);
	});
});
