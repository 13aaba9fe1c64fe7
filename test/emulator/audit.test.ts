import type { Emulator } from '../../emulator';
import { bearer, call, DEMO, tokenFor, withEmulator, type Json } from './helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
});
afterAll(() => emu.close());
const H = bearer(DEMO.apiKey);

async function v2All(path: string, extra = ''): Promise<Json[]> {
	const out: Json[] = [];
	let token: string | undefined;
	for (let i = 0; i < 10000; i++) {
		const r = await call(
			`${emu.url}${path}?pageSize=200${extra}${token ? `&pageToken=${token}` : ''}`,
			{ headers: H },
		);
		expect(r.status).toBe(200);
		out.push(...r.json.content);
		token = r.json.nextPageToken;
		if (!token) break;
	}
	return out;
}

describe('audit log', () => {
	test('v1 pages cover all events, ascending, with shared timestamps', async () => {
		const first = await call(`${emu.url}/log/api/external/audit?pageNumber=0&pageSize=200`, {
			headers: H,
		});
		expect(first.status).toBe(200);
		expect(first.json).toMatchObject({ pageNumber: 0, pageSize: 200, totalCount: 1000 });
		const all: Json[] = [];
		for (let p = 0; p < 5; p++)
			all.push(
				...(
					await call(`${emu.url}/log/api/external/audit?pageNumber=${p}&pageSize=200`, {
						headers: H,
					})
				).json.content,
			);
		expect(all).toEqual(emu.store.audit.all());
		const ts = all.map((e) => Date.parse(e.timestamp));
		for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]!);
		expect(new Set(ts).size).toBeLessThan(ts.length);
		expect(all[0]).toEqual(
			expect.objectContaining({
				userId: expect.any(String),
				userRole: expect.any(String),
				event: expect.any(String),
				message: expect.any(Object),
			}),
		);
	});
	test('pageSize > 200 or < 1 → 400 errorDTO; bad date → 400', async () => {
		const r = await call(`${emu.url}/log/api/external/audit?pageSize=201`, { headers: H });
		expect(r.status).toBe(400);
		expect(r.json).toMatchObject({ status: 400, errorCode: expect.any(String) });
		expect(
			(await call(`${emu.url}/log/api/external/audit?pageSize=0`, { headers: H })).status,
		).toBe(400);
		expect(
			(await call(`${emu.url}/log/api/external/audit?from=yesterday`, { headers: H })).status,
		).toBe(400);
		expect(
			(await call(`${emu.url}/log/api/external/v2/audit?pageToken=garbage!`, { headers: H }))
				.status,
		).toBe(400);
	});
	test('from inclusive, to exclusive', async () => {
		const all = emu.store.audit.all();
		const from = all[100]!.timestamp;
		const to = all[300]!.timestamp;
		const r = await call(`${emu.url}/log/api/external/audit?pageSize=200&from=${from}&to=${to}`, {
			headers: H,
		});
		const expected = all.filter((e) => e.timestamp >= from && e.timestamp < to);
		expect(r.json.totalCount).toBe(expected.length);
		expect(r.json.content).toEqual(expected.slice(0, 200));
	});
	test('v2 cursor: all events, nextPageToken absent on last page, appended events included', async () => {
		const all = await v2All('/log/api/external/v2/audit');
		expect(all).toEqual(emu.store.audit.all());
		const lastTs = all[500].timestamp;
		const added = { userId: 'u-test', userRole: 'ADMIN', event: 'TEST_EVENT', timestamp: lastTs };
		const r = await call(`${emu.url}/__emulator/audit/events`, { json: [added] });
		expect(r.json.total).toBe(1001);
		emu.store.audit.append([
			{
				...added,
				event: 'TEST_EVENT_2',
				message: {},
				ipAddress: null,
				port: null,
				diffPayload: null,
			},
		]);
		const again = await v2All(
			'/log/api/external/v2/audit',
			`&from=${encodeURIComponent(all[400].timestamp)}`,
		);
		const expected = emu.store.audit.all().filter((e) => e.timestamp >= all[400].timestamp);
		expect(again).toEqual(expected);
		expect(again.filter((e) => e.event.startsWith('TEST_EVENT')).length).toBe(2);
		emu.reset();
	});
	test('100,000 events are cheap', async () => {
		emu.configure({ generated: { auditEvents: 100_000 } });
		const t0 = Date.now();
		const r = await call(`${emu.url}/log/api/external/audit?pageNumber=499&pageSize=200`, {
			headers: H,
		});
		expect(r.json.totalCount).toBe(100_000);
		expect(r.json.content).toHaveLength(200);
		expect(Date.now() - t0).toBeLessThan(2000);
		emu.reset();
	});
	test('audit client token works; login history; members; platform adoption', async () => {
		const t = await tokenFor(emu, 'demo-audit-client', 'demo-audit-secret');
		expect(
			(await call(`${emu.url}/log/api/external/audit?pageSize=1`, { headers: bearer(t) })).status,
		).toBe(200);
		expect((await call(`${emu.url}/api/external/members`, { headers: bearer(t) })).status).toBe(
			403,
		);
		const l = await call(`${emu.url}/api/external/authentication-events?pageSize=200`, {
			headers: H,
		});
		expect(l.json.totalCount).toBe(500);
		expect(l.json.content[0]).toEqual(
			expect.objectContaining({
				authenticationEventType: expect.any(String),
				email: expect.any(String),
				success: expect.any(Boolean),
			}),
		);
		const m = await call(`${emu.url}/api/external/members?includeInternal=true`, { headers: H });
		expect(m.json.totalCount).toBe(25);
		expect(m.json.content[0].nameAndEmail).toMatch(/\(.+@.+\)/);
		const ext = await call(`${emu.url}/api/external/members?includeInternal=false`, { headers: H });
		expect(ext.json.totalCount).toBeLessThan(25);
		expect(
			(await call(`${emu.url}/api/external/members?includeInternal=maybe`, { headers: H })).status,
		).toBe(400);
		const pa = await v2All(
			'/platform-adoption/api/external/v2/adoption-tracking-events/STUDIO_ASSET',
		);
		expect(pa).toHaveLength(300);
		const v1 = await call(
			`${emu.url}/platform-adoption/api/external/adoption-tracking-events/STUDIO_ASSET?pageSize=10`,
			{ headers: H },
		);
		expect(v1.json.totalCount).toBe(300);
		const other = await call(
			`${emu.url}/platform-adoption/api/external/v2/adoption-tracking-events/VIEWS`,
			{ headers: H },
		);
		expect(other.json.content).toEqual([]);
	});
});
