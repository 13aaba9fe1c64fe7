/**
 * "New events since last run": the union of the outputs of all successful runs equals the emulator's
 * log exactly (every event once, in order) across new events, events sharing the watermark's timestamp
 * (identical ones included), and runs that fail half way after exhausting their retries.
 */
import { parse } from 'csv-parse/sync';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { startEchoTeam } from '../harness/echoTeam';
import { Engine, type NodeSpec, type RunResult } from '../harness/engine';

jest.setTimeout(180_000);

const ctx = useEmulator();
const SCOPES = ['audit.log:read', 'team.login-history:read'];

let engine: Engine;
let creds: NodeSpec['credentials'];

beforeAll(async () => {
	ctx.emu.configure({ generated: { auditEvents: 100_000, loginEvents: 20_000 } });
	engine = await Engine.create();
	creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes: SCOPES }),
	);
});

const node = (parameters: Record<string, unknown>): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: {
		authentication: 'oAuth2',
		exportMode: 'incremental',
		timeWindow: 'all',
		...parameters,
	},
	credentials: creds,
});

const stateOf = (r: RunResult, key: string) =>
	(r.staticData['node:Celonis'] as IDataObject | undefined)?.[key] as IDataObject | undefined;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Appended timestamps strictly after `afterMs` and already in the past when the next run starts. */
async function pastTimestamps(afterMs: number, count: number, perMs = 3): Promise<string[]> {
	const out = Array.from({ length: count }, (_, i) =>
		new Date(afterMs + 1 + Math.floor(i / perMs)).toISOString(),
	);
	const last = Date.parse(out[out.length - 1]);
	if (last >= Date.now() - 5) await sleep(last - Date.now() + 20);
	return out;
}

const auditEvent = (timestamp: string, n: number) => ({
	userId: `u-incr-${n}`,
	userRole: 'ADMIN',
	event: 'TEST_EVENT',
	timestamp,
	message: { n },
	ipAddress: null,
	port: null,
	diffPayload: null,
});

describe('audit log, v2 cursor, items', () => {
	const params = { resource: 'auditLog', operation: 'getAll', apiVersion: 'v2' };
	const runs: IDataObject[][] = [];
	const run = async (extra: Record<string, unknown> = {}) =>
		await engine.runChain([node({ ...params, ...extra })], { workflowId: 'wf-audit' });

	test('first run exports all 100,000 events and stores the last timestamp with its boundary events', async () => {
		const r = await run();
		expect(r.error).toBeUndefined();
		const out = r.json('Celonis');
		expect(out).toHaveLength(100_000);
		runs.push(out);
		const all = ctx.emu.store.audit.all();
		const last = all[all.length - 1];
		const state = stateOf(r, 'auditLog')!;
		expect(state.watermark).toBe(last.timestamp);
		const atLast = all.filter((e) => e.timestamp === last.timestamp).length;
		expect(Object.values(state.boundary as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
			atLast,
		);
		expect(state.team).toBe(ctx.emu.url);
	});

	test('events that arrive between runs, at the watermark (even identical to an exported one) and after it, are exported once', async () => {
		const all = ctx.emu.store.audit.all();
		const last = all[all.length - 1];
		const watermark = Date.parse(last.timestamp);
		const later = await pastTimestamps(watermark, 5);
		ctx.emu.store.audit.append([
			auditEvent(last.timestamp, 1),
			auditEvent(last.timestamp, 2),
			{ ...last }, // identical to an exported event, but a new event
			...later.map((t, i) => auditEvent(t, 10 + i)),
		]);
		const r = await run();
		expect(r.error).toBeUndefined();
		const out = r.json('Celonis');
		expect(out).toHaveLength(8);
		runs.push(out);
		expect(stateOf(r, 'auditLog')!.watermark).toBe(later[later.length - 1]);
	});

	test('a run without new events exports nothing and keeps the position', async () => {
		const before = JSON.stringify(
			stateOf(
				{ staticData: (await run({ options: { pageSize: 'x' } })).staticData } as RunResult,
				'auditLog',
			),
		);
		const r = await run();
		expect(r.status).toBe('success');
		expect(r.json('Celonis')).toEqual([]);
		runs.push([]);
		const after = stateOf(r, 'auditLog')!;
		expect(JSON.stringify({ ...after, updatedAt: undefined })).toBe(
			JSON.stringify({ ...JSON.parse(before), updatedAt: undefined }),
		);
	});

	test('a run that fails half way (retries exhausted) leaves the position; the next run exports those events once', async () => {
		const all = ctx.emu.store.audit.all();
		const stamps = await pastTimestamps(Date.parse(all[all.length - 1].timestamp), 1000);
		ctx.emu.store.audit.append(stamps.map((t, i) => auditEvent(t, 1000 + i)));
		const stored = JSON.stringify((await run({ options: { pageSize: -1 } })).staticData); // rejected before any request: nothing changes
		ctx.emu.store.faults.add([
			{
				id: 'mid-run',
				path: '/log/api/external/v2/audit',
				sequence: [{}, {}, { status: 503 }, { status: 503 }],
			},
		]);
		const failed = await run({ options: { pageSize: 200, maxRetries: 1 } });
		ctx.emu.store.faults.clear();
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/HTTP 503/);
		expect(failed.error?.description).toMatch(/gave up after 1 retries/);
		expect(JSON.stringify(failed.staticData)).toBe(stored);

		const r = await run({ options: { pageSize: 200 } });
		expect(r.error).toBeUndefined();
		const out = r.json('Celonis');
		expect(out).toHaveLength(1000);
		runs.push(out);
	});

	test('the successful runs together are exactly the emulator log: every event once, in order', () => {
		expect(JSON.stringify(runs.flat())).toBe(JSON.stringify(ctx.emu.store.audit.all()));
	});

	test('Start Over exports the time window again and continues from there', async () => {
		const r = await run({ timeWindow: 'lastHour', options: { startOver: true } });
		expect(r.error).toBeUndefined();
		const hourAgo = Date.now() - 3_600_000 - 60_000;
		expect(r.json('Celonis').length).toBe(
			ctx.emu.store.audit
				.all()
				.filter(
					(e) => Date.parse(e.timestamp) >= Date.parse(r.json('Celonis')[0].timestamp as string),
				).length,
		);
		expect(Date.parse(r.json('Celonis')[0].timestamp as string)).toBeGreaterThan(hourAgo);
		expect((await run()).json('Celonis')).toEqual([]);
	});
});

describe('login history, v1 page numbers, CSV files', () => {
	const params = { resource: 'team', operation: 'getLoginHistory', output: 'csv' };
	const files: IDataObject[][] = [];
	const run = async (extra: Record<string, unknown> = {}) =>
		await engine.runChain([node({ ...params, ...extra })], { workflowId: 'wf-logins' });
	const rows = (item: INodeExecutionData): IDataObject[] =>
		parse(Buffer.from(item.binary!.data.data, 'base64').toString('utf8'), {
			columns: true,
			cast: (value, context) =>
				context.header ? value : context.column === 'success' ? value === 'true' : value,
		}) as IDataObject[];
	const login = (timestamp: string, email: string) => ({
		authenticationEventType: 'LOGIN',
		email,
		success: true,
		timestamp,
	});

	test('runs across identical events at the watermark, new events and a failed run export every event once', async () => {
		let r = await run();
		expect(r.error).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({
			events: 20_000,
			incremental: { previousWatermark: null },
		});
		files.push(rows(r.items('Celonis')[0]));

		// Login events have no id: two identical events at the same millisecond are two events.
		const all = ctx.emu.store.logins.all();
		const last = all[all.length - 1];
		ctx.emu.store.logins.append([
			login(last.timestamp, 'twin@example.com'),
			login(last.timestamp, 'twin@example.com'),
		]);
		r = await run();
		expect(r.json('Celonis')[0]).toMatchObject({
			events: 2,
			incremental: {
				previousWatermark: last.timestamp,
				watermark: last.timestamp,
				// The run asks from the default 10-minute lookback before the watermark: it skips every event of it.
				skippedAlreadyExported: all.filter(
					(e) => Date.parse(e.timestamp) >= Date.parse(last.timestamp) - 10 * 60_000,
				).length,
			},
		});
		files.push(rows(r.items('Celonis')[0]));
		ctx.emu.store.logins.append([login(last.timestamp, 'twin@example.com')]);
		r = await run();
		expect(r.json('Celonis')[0]).toMatchObject({ events: 1 });
		files.push(rows(r.items('Celonis')[0]));

		const stamps = await pastTimestamps(Date.parse(last.timestamp), 700, 2);
		ctx.emu.store.logins.append(stamps.map((t, i) => login(t, `user${i}@example.com`)));
		const stored = JSON.stringify(r.staticData);
		ctx.emu.store.faults.add([
			{
				id: 'resets',
				path: '/api/external/authentication-events',
				sequence: [{}, {}, { reset: true }, { reset: true }],
			},
		]);
		const failed = await run({ options: { pageSize: 100, maxRetries: 1 } });
		ctx.emu.store.faults.clear();
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/connection|reach/i);
		expect(JSON.stringify(failed.staticData)).toBe(stored);

		r = await run({ options: { pageSize: 100 } });
		expect(r.json('Celonis')[0]).toMatchObject({ events: 700 });
		files.push(rows(r.items('Celonis')[0]));

		expect(files.flat()).toEqual(
			ctx.emu.store.logins.all().map((e) => ({
				timestamp: e.timestamp,
				authenticationEventType: e.authenticationEventType,
				email: e.email,
				success: e.success,
			})),
		);
	});
});

describe('incremental with a limit needs events oldest first', () => {
	it('refuses, exporting nothing and keeping the position, when the events come newest first', async () => {
		// The emulator always answers oldest first; a team that answers newest first is played by the echo team.
		const echo = await startEchoTeam();
		try {
			const local = await Engine.create();
			const key = local.addCredential('celonisApiKeyApi', {
				teamUrl: echo.url,
				apiKey: 'echo-api-key',
			});
			const run = async (extra: Record<string, unknown>) =>
				await local.runChain(
					[
						{
							...node({
								authentication: 'apiKey',
								resource: 'auditLog',
								operation: 'getAll',
								apiVersion: 'v2',
								...extra,
							}),
							credentials: key,
						},
					],
					{ workflowId: 'wf-newest-first' },
				);
			const limited = await run({ returnAll: false, limit: 2 });
			expect(limited.error?.message).toMatch(
				/returned the events newest first, so a Limit could skip events in incremental mode/,
			);
			expect(limited.staticData).toEqual({});
			const all = await run({ returnAll: true });
			expect(all.error?.message).toBeUndefined();
			expect(all.json('Celonis').map((e) => (e.message as IDataObject).n)).toEqual([3, 2, 1]);
		} finally {
			await echo.close();
		}
	});
});
