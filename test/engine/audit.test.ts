/**
 * Audit log, login history, members and tracking-event exports through n8n-core's real WorkflowExecute
 * against the emulator: full exports with 100,000 events equal the emulator's events (v1 and v2, items,
 * CSV and JSON Lines), windows respect their bounds, faults cost nothing, bad input gets clear errors.
 * Incremental ("since last run") runs are in audit.incremental.test.ts.
 */
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { celonisNode } from '../harness/builders';
import { Engine, type NodeSpec } from '../harness/engine';

jest.setTimeout(180_000);

const ctx = useEmulator();
const N = 100_000;
const SCOPES = [
	'audit.log:read',
	'team.login-history:read',
	'team.user-group-info:read',
	'platform-adoption.tracking-events:read',
];

let engine: Engine;
let creds: NodeSpec['credentials'];
let auditAll: IDataObject[];

beforeAll(async () => {
	ctx.emu.configure({
		generated: { auditEvents: N, loginEvents: 20_000, trackingEvents: 5_000, members: 450 },
	});
	auditAll = ctx.emu.store.audit.all() as unknown as IDataObject[];
	engine = await Engine.create();
	creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes: SCOPES }),
	);
});

export const celonis = (
	parameters: Record<string, unknown>,
	credentials: NodeSpec['credentials'],
	extra: Partial<NodeSpec> = {},
): NodeSpec =>
	celonisNode({ resource: 'auditLog', operation: 'getAll', ...parameters }, credentials, extra);

const run = async (parameters: Record<string, unknown>, extra: Partial<NodeSpec> = {}) =>
	await engine.runChain([celonis(parameters, creds, extra)]);

function fileText(item: INodeExecutionData, property = 'data'): string {
	const binary = item.binary?.[property];
	expect(binary).toBeDefined();
	return Buffer.from(binary!.data, 'base64').toString('utf8');
}

/** CSV back to events: unquoted empty = null, quoted = text, message/diffPayload are JSON. */
function csvToEvents(
	text: string,
	jsonColumns: string[],
	typed: Record<string, (v: string) => unknown> = {},
): IDataObject[] {
	const rows = parse(text, {
		columns: true,
		cast: (value, context) => {
			if (context.header) return value;
			if (!context.quoting && value === '') return null;
			const column = String(context.column);
			if (jsonColumns.includes(column)) return JSON.parse(value);
			return typed[column] ? typed[column](value) : value;
		},
	}) as IDataObject[];
	return rows;
}

const byAuditShape = (e: IDataObject): IDataObject => ({
	userId: e.userId,
	userRole: e.userRole,
	event: e.event,
	timestamp: e.timestamp,
	message: e.message,
	ipAddress: e.ipAddress,
	port: e.port,
	diffPayload: e.diffPayload,
});

describe('full export of 100,000 audit events equals the emulator exactly', () => {
	test.each(['v2', 'v1'])('%s as items', async (apiVersion) => {
		const r = await run({ apiVersion, timeWindow: 'all' });
		expect(r.error).toBeUndefined();
		const items = r.items('Celonis');
		expect(items).toHaveLength(N);
		expect(items.every((i) => i.pairedItem !== undefined)).toBe(true);
		expect(JSON.stringify(items.map((i) => i.json))).toBe(JSON.stringify(auditAll));
	});

	test('v2 as a CSV file', async () => {
		const r = await run({
			apiVersion: 'v2',
			timeWindow: 'all',
			output: 'csv',
			binaryPropertyName: 'auditCsv',
		});
		expect(r.error).toBeUndefined();
		const [item] = r.items('Celonis');
		expect(item.json).toMatchObject({
			events: N,
			format: 'csv',
			columns: [
				'timestamp',
				'event',
				'userId',
				'userRole',
				'ipAddress',
				'port',
				'message',
				'diffPayload',
			],
		});
		expect(item.binary!.auditCsv.mimeType).toBe('text/csv');
		expect(item.binary!.auditCsv.fileName).toMatch(/^celonis-audit-log_until-.*\.csv$/);
		const events = csvToEvents(fileText(item, 'auditCsv'), ['message', 'diffPayload']);
		expect(events).toHaveLength(N);
		expect(JSON.stringify(events.map(byAuditShape))).toBe(
			JSON.stringify(auditAll.map(byAuditShape)),
		);
	});

	test('v1 as a JSON Lines file', async () => {
		const r = await run({
			apiVersion: 'v1',
			timeWindow: 'all',
			output: 'jsonl',
			options: { fileName: 'audit.jsonl' },
		});
		expect(r.error).toBeUndefined();
		const [item] = r.items('Celonis');
		expect(item.json).toMatchObject({ events: N, format: 'jsonl', fileName: 'audit.jsonl' });
		expect(item.binary!.data.mimeType).toBe('application/x-ndjson');
		const lines = fileText(item).split('\n');
		expect(lines.pop()).toBe('');
		expect(`[${lines.join(',')}]`).toBe(JSON.stringify(auditAll));
	});

	test('faults (429 with x-ratelimit-reset, 503, connection resets) cost nothing', async () => {
		await run({ timeWindow: 'lastHour', options: { pageSize: 1 }, returnAll: false, limit: 1 }); // token in hand
		const before = ctx.emu.store.requestLog.list().length;
		ctx.emu.store.faults.add([
			{
				id: 'audit-chaos',
				path: '/log/api/external/v2/audit',
				sequence: [
					{},
					{},
					{
						status: 429,
						headers: { 'x-ratelimit-reset': '1' },
						body: { title: 'Rate limit exceeded', status: 429 },
					},
					{},
					{ status: 503 },
					{},
					{},
					{ reset: true },
					{ status: 502 },
				],
			},
		]);
		try {
			const r = await run({ timeWindow: 'all' });
			expect(r.error).toBeUndefined();
			expect(JSON.stringify(r.json('Celonis'))).toBe(JSON.stringify(auditAll));
			const faulted = ctx.emu.store.requestLog
				.list()
				.slice(before)
				.filter((e) => e.fault === 'audit-chaos' && (e.status >= 429 || e.status === 0));
			expect(faulted.length).toBeGreaterThanOrEqual(3);
		} finally {
			ctx.emu.store.faults.clear();
		}
	});
});

describe('windows', () => {
	test('custom From/To: from inclusive, to exclusive, on v1 and v2, as items and as a file', async () => {
		const from = auditAll[20_000].timestamp as string;
		const to = auditAll[23_456].timestamp as string;
		const expected = auditAll.filter(
			(e) => (e.timestamp as string) >= from && (e.timestamp as string) < to,
		);
		expect(expected.length).toBeGreaterThan(3000);
		for (const apiVersion of ['v1', 'v2']) {
			const r = await run({ apiVersion, timeWindow: 'custom', from, to });
			expect(r.error).toBeUndefined();
			expect(JSON.stringify(r.json('Celonis'))).toBe(JSON.stringify(expected));
		}
		const file = await run({ timeWindow: 'custom', from, to, output: 'jsonl' });
		const [item] = file.items('Celonis');
		expect(item.json).toMatchObject({ events: expected.length, from, to });
		expect(item.binary!.data.fileName).toBe(
			`celonis-audit-log_${from.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}_to-${to.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}.jsonl`,
		);
		expect(
			fileText(item)
				.trim()
				.split('\n')
				.map((l) => JSON.parse(l)),
		).toEqual(expected);
	});

	test("a date without offset is read in the workflow's time zone (n8n's default America/New_York); a To in the future is capped at now", async () => {
		const from = auditAll[N - 50].timestamp as string;
		const local = DateTime.fromISO(from)
			.setZone('America/New_York')
			.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
		const r = await run({ timeWindow: 'custom', from: local, to: '2999-01-01T00:00:00Z' });
		expect(r.error).toBeUndefined();
		expect(r.json('Celonis')).toEqual(
			auditAll.filter(
				(e) => (e.timestamp as string) >= from && Date.parse(e.timestamp as string) <= Date.now(),
			),
		);
	});

	test('presets: last hour / 24 hours / 7 days stay inside their bounds', async () => {
		for (const [preset, span] of [
			['lastHour', 3_600_000],
			['last24Hours', 86_400_000],
			['last7Days', 7 * 86_400_000],
		] as const) {
			const start = Date.now();
			const r = await run({ timeWindow: preset });
			const end = Date.now();
			expect(r.error).toBeUndefined();
			const ts = r.json('Celonis').map((e) => Date.parse(e.timestamp as string));
			expect(ts.length).toBeGreaterThan(0);
			expect(Math.min(...ts)).toBeGreaterThanOrEqual(start - span);
			expect(Math.max(...ts)).toBeLessThan(end);
			const expected = auditAll.filter(
				(e) =>
					Date.parse(e.timestamp as string) >= end - span &&
					Date.parse(e.timestamp as string) < start,
			);
			expect(ts.length).toBeGreaterThanOrEqual(expected.length);
		}
	});

	test('Limit returns the first events of the window', async () => {
		const r = await run({ apiVersion: 'v1', timeWindow: 'all', returnAll: false, limit: 321 });
		expect(r.json('Celonis')).toEqual(auditAll.slice(0, 321));
		const flat = await run({ timeWindow: 'all', returnAll: false, limit: 3, flatten: true });
		const first = flat.json('Celonis')[0];
		expect(first).toMatchObject({
			userId: auditAll[0].userId,
			'message.eventId': (auditAll[0].message as IDataObject).eventId,
		});
		expect(first).not.toHaveProperty('message');
	});
});

describe('bad input: clear errors before any request', () => {
	const cases: Array<[string, Record<string, unknown>, RegExp]> = [
		[
			'From after To',
			{ timeWindow: 'custom', from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' },
			/"From" \(2025-02-01T00:00:00.000Z\) must be before "To" \(2025-01-01T00:00:00.000Z\)/,
		],
		[
			'a window in the future',
			{ timeWindow: 'custom', from: '2999-01-01T00:00:00Z' },
			/starts in the future/,
		],
		[
			'an invalid date',
			{ timeWindow: 'custom', from: 'last tuesday' },
			/"From" is not a valid date: "last tuesday"\. Use ISO-8601/,
		],
		['an invalid To', { timeWindow: 'custom', to: '2025-13-45' }, /"To" is not a valid date/],
		[
			'page size above 200',
			{ timeWindow: 'all', options: { pageSize: 500 } },
			/"Page Size" must be a whole number from 1 to 200 \(got 500\)/,
		],
		[
			'page size 0',
			{ timeWindow: 'all', options: { pageSize: 0 } },
			/"Page Size" must be a whole number from 1 to 200/,
		],
		[
			'limit 0',
			{ timeWindow: 'all', returnAll: false, limit: 0 },
			/"Limit" must be a whole number of at least 1/,
		],
	];
	test.each(cases)('%s', async (_name, parameters, message) => {
		const before = ctx.emu.store.requestLog.list().length;
		const r = await run(parameters);
		expect(r.status).toBe('error');
		expect(r.error?.message).toMatch(message);
		expect(ctx.emu.store.requestLog.list().length).toBe(before);
	});

	test('with Continue On Fail the error becomes an item, with [item N] context', async () => {
		const r = await run({ timeWindow: 'custom', from: 'nope' }, { continueOnFail: true });
		expect(r.status).toBe('success');
		expect(r.json('Celonis')).toEqual([
			expect.objectContaining({ error: expect.stringMatching(/"From" is not a valid date/) }),
		]);
		expect(r.items('Celonis')[0].pairedItem).toEqual({ item: 0 });
	});
});

describe('scopes and permissions', () => {
	test('a credential without audit.log:read is stopped before any request, naming the scope', async () => {
		const noScope = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['team.login-history:read'] }),
		);
		const before = ctx.emu.store.requestLog.list().filter((e) => e.path.startsWith('/log/')).length;
		const r = await engine.runChain([celonis({ timeWindow: 'all' }, noScope)]);
		expect(r.error?.message).toMatch(/Missing OAuth scope: Audit Log API .* needs audit\.log:read/);
		expect(ctx.emu.store.requestLog.list().filter((e) => e.path.startsWith('/log/')).length).toBe(
			before,
		);
		const members = await engine.runChain([
			celonis({ resource: 'team', operation: 'getMembers' }, noScope),
		]);
		expect(members.error?.message).toMatch(/needs team\.user-group-info:read/);
	});

	test('a 403 with the scope present names the Celonis permission "Use Audit Log API"', async () => {
		const noPermission = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.noPermissions, {
				scopes: ['audit.log:read', 'team.login-history:read'],
			}),
		);
		const r = await engine.runChain([celonis({ timeWindow: 'lastHour' }, noPermission)]);
		expect(r.error?.message).toMatch(/Missing Celonis permission/);
		expect(r.error?.description).toMatch(/Use Audit Log API/);
		expect(r.error?.description).toMatch(/has the scope audit\.log:read/);
		expect(JSON.stringify(r.error)).not.toMatch(/demo-noperm-secret/);
		const logins = await engine.runChain([
			celonis(
				{ resource: 'team', operation: 'getLoginHistory', timeWindow: 'lastHour' },
				noPermission,
			),
		]);
		expect(logins.error?.description).toMatch(/Login history – Use API/);
	});
});

describe('team and platform adoption', () => {
	test('login history: all 20,000 events, as items and CSV', async () => {
		const all = ctx.emu.store.logins.all() as unknown as IDataObject[];
		const r = await run({ resource: 'team', operation: 'getLoginHistory', timeWindow: 'all' });
		expect(r.error).toBeUndefined();
		expect(JSON.stringify(r.json('Celonis'))).toBe(JSON.stringify(all));
		const csv = await run({
			resource: 'team',
			operation: 'getLoginHistory',
			timeWindow: 'all',
			output: 'csv',
		});
		const [item] = csv.items('Celonis');
		expect(item.json.columns).toEqual(['timestamp', 'authenticationEventType', 'email', 'success']);
		const events = csvToEvents(fileText(item), [], { success: (v) => v === 'true' });
		expect(events).toEqual(
			all.map((e) => ({
				timestamp: e.timestamp,
				authenticationEventType: e.authenticationEventType,
				email: e.email,
				success: e.success,
			})),
		);
	});

	test('members with and without internal members', async () => {
		const members = ctx.emu.store.team.members;
		const strip = ({ internal: _i, ...m }: (typeof members)[number]) => m;
		const withInternal = await run({ resource: 'team', operation: 'getMembers' });
		expect(withInternal.json('Celonis')).toEqual(members.map(strip));
		const external = await run({
			resource: 'team',
			operation: 'getMembers',
			includeInternal: false,
			flatten: true,
		});
		expect(external.json('Celonis')).toHaveLength(members.filter((m) => !m.internal).length);
		const file = await run({ resource: 'team', operation: 'getMembers', output: 'jsonl' });
		expect(
			fileText(file.items('Celonis')[0])
				.trim()
				.split('\n')
				.map((l) => JSON.parse(l)),
		).toEqual(members.map(strip));
	});

	test('tracking events (v2 cursor) equal the emulator, window respected', async () => {
		const all = ctx.emu.store.tracking.all() as unknown as IDataObject[];
		const r = await run({
			resource: 'platformAdoption',
			operation: 'getTrackingEvents',
			timeWindow: 'all',
			options: { pageSize: 150 },
		});
		expect(r.error).toBeUndefined();
		expect(r.json('Celonis')).toEqual(all);
		const from = all[1000].timestamp as string;
		const to = all[2000].timestamp as string;
		const windowed = await run({
			resource: 'platformAdoption',
			operation: 'getTrackingEvents',
			timeWindow: 'custom',
			from,
			to,
			output: 'csv',
		});
		const [item] = windowed.items('Celonis');
		const expected = all.filter(
			(e) => (e.timestamp as string) >= from && (e.timestamp as string) < to,
		);
		expect(item.json.events).toBe(expected.length);
		expect(csvToEvents(fileText(item), [])).toEqual(
			expected.map((e) => ({ timestamp: e.timestamp, ...e })),
		);
		const bad = await run({
			resource: 'platformAdoption',
			operation: 'getTrackingEvents',
			eventType: '../audit',
		});
		expect(bad.error?.message).toMatch(/"Event Type" must be a type name/);
	});
});
