/**
 * The stored position of "New Events Since Last Run" exports (issue 11, defect 4), for every export with that mode:
 * - late events (they arrive after a run, with a timestamp before its position) inside the lookback are exported by the
 *   next run exactly once; events older than the lookback when they arrive are not (the documented limit);
 * - a position in the future and a corrupted position fail with a message that names the problem and the way out;
 * - positions stored by the previous version are continued without gaps or repeats;
 * - "Confirm Position: In a Later Step": a run whose later step fails exports the same events again (at least once),
 *   a confirmed run does not; the Confirm step fails clearly when it has nothing of this execution to confirm;
 * - the stored fingerprints stay bounded: the events of the lookback window, at most 10,000.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { parse } from 'csv-parse/sync';
import type { IDataObject } from 'n8n-workflow';

import { fingerprint } from '../../nodes/Celonis/helpers/watermark';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec, type RunResult } from '../harness/engine';

jest.setTimeout(300_000);

const ctx = useEmulator();
const SCOPES = ['audit.log:read', 'team.login-history:read'];
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const LOOKBACK = 10 * MINUTE; // the default of "Late Event Lookback (Minutes)"
const MAX_FINGERPRINTS = 10_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface EventLog {
	append(events: IDataObject[]): void;
	all(): IDataObject[];
}

interface ExportCase {
	label: string;
	params: Record<string, unknown>;
	stateKey: string;
	log(): EventLog;
	/** a test event carrying `tag` */
	event(timestamp: string, tag: string): IDataObject;
	/** the tags of the test events a run exported, in output order */
	tags(run: RunResult): string[];
	/** how many events a run exported, test events or not */
	count(run: RunResult): number;
}

const csvRows = (run: RunResult): IDataObject[] => {
	const [item] = run.items('Celonis');
	if (!item?.binary) return [];
	return parse(Buffer.from(item.binary.data.data, 'base64').toString('utf8'), {
		columns: true,
	}) as IDataObject[];
};

const EXPORTS: ExportCase[] = [
	{
		label: 'Audit Log → Get Many (v2 cursor, items)',
		params: { resource: 'auditLog', operation: 'getAll', apiVersion: 'v2', output: 'items' },
		stateKey: 'auditLog',
		log: () => ctx.emu.store.audit as unknown as EventLog,
		event: (timestamp, tag) => ({
			userId: 'u-position-test',
			userRole: 'ADMIN',
			event: 'POSITION_TEST',
			timestamp,
			message: { tag },
			ipAddress: null,
			port: null,
			diffPayload: null,
		}),
		tags: (run) =>
			run
				.json('Celonis')
				.filter((e) => e.userId === 'u-position-test')
				.map((e) => String((e.message as IDataObject).tag)),
		count: (run) => run.json('Celonis').length,
	},
	{
		label: 'Team → Get Login History (page numbers, CSV file)',
		params: { resource: 'team', operation: 'getLoginHistory', output: 'csv' },
		stateKey: 'loginHistory',
		log: () => ctx.emu.store.logins as unknown as EventLog,
		event: (timestamp, tag) => ({
			authenticationEventType: 'LOGIN',
			email: `${tag}@position.test`,
			success: true,
			timestamp,
		}),
		tags: (run) =>
			csvRows(run)
				.map((row) => String(row.email))
				.filter((email) => email.endsWith('@position.test'))
				.map((email) => email.replace('@position.test', '')),
		count: (run) => Number(run.json('Celonis')[0]?.events ?? 0),
	},
];

let engine: Engine;
let creds: NodeSpec['credentials'];
let counter = 0;
/** Every test has its own workflow (its own static data) and its own event tags. */
const unique = (prefix: string) => `${prefix}-${++counter}-${Date.now().toString(36)}`;

beforeAll(async () => {
	engine = await Engine.create();
	creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes: SCOPES }),
	);
});

const exportNode = (x: ExportCase, extra: Record<string, unknown> = {}): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: {
		authentication: 'oAuth2',
		exportMode: 'incremental',
		timeWindow: 'lastHour',
		...x.params,
		...extra,
	},
	credentials: creds,
});

const confirmNode = (exportNodeName = 'Celonis', name = 'Confirm'): NodeSpec => ({
	name,
	type: 'n8n-nodes-celonis.celonis',
	parameters: { resource: 'exportPosition', operation: 'confirm', exportNode: exportNodeName },
});

/** Puts a workflow's static data in place, as n8n loads it from the workflow at the start of an execution. */
const plant = (workflowId: string, data: IDataObject) =>
	(
		engine as unknown as { staticDataByWorkflow: Map<string, IDataObject> }
	).staticDataByWorkflow.set(workflowId, JSON.parse(JSON.stringify(data)) as IDataObject);

/** The position the export stored in its node ("When This Node Succeeds"). */
const savedPosition = (run: RunResult, x: ExportCase) =>
	(run.staticData['node:Celonis'] as IDataObject | undefined)?.[x.stateKey] as
		| IDataObject
		| undefined;
/** Confirmed and pending positions ("In a Later Step"), kept in the workflow's global static data by export node name. */
const laterStepSlot = (run: RunResult, x: ExportCase) =>
	(
		((run.staticData.global as IDataObject | undefined)?.celonisExportPositions as IDataObject)?.[
			'Celonis'
		] as IDataObject | undefined
	)?.[x.stateKey] as { confirmed?: IDataObject; pending?: IDataObject } | undefined;

const fingerprintCount = (position: IDataObject | undefined): number => {
	const sum = (group: unknown) =>
		Object.values((group ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
	return (
		sum(position?.boundary) +
		Object.values((position?.recent ?? {}) as Record<string, unknown>).reduce<number>(
			(n, group) => n + sum(group),
			0,
		)
	);
};

const hintsOf = (run: RunResult, node = 'Celonis'): string[] =>
	(run.run.data.resultData.runData[node]?.[0]?.hints ?? []).map((h) => h.message);

/** The emulator's request log position, and the Celonis API requests (not token requests) after it. */
const lastRequest = () => ctx.emu.store.requestLog.list(1)[0]?.seq ?? 0;
const apiRequestsAfter = (seq: number) =>
	ctx.emu.store.requestLog.list().filter((r) => r.seq > seq && !r.path.startsWith('/oauth2'));

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

describe.each(EXPORTS)('$label', (x) => {
	const run = async (workflowId: string, extra: Record<string, unknown> = {}) =>
		await engine.runChain([exportNode(x, extra)], { workflowId });
	/** The test events of workflow `wf` that a run exported (other tests' events share the emulator). */
	const mine = (r: RunResult, wf: string) => x.tags(r).filter((t) => t.startsWith(`${wf}-`));

	test('a late event (arriving after a run, 5 s before its position) is exported by the next run, exactly once', async () => {
		const wf = unique('late');
		x.log().append([x.event(iso(Date.now() - 30 * SECOND), `${wf}-first`)]);
		const first = await run(wf);
		expect(first.error?.message).toBeUndefined();
		expect(first.status).toBe('success');
		expect(mine(first, wf)).toContain(`${wf}-first`);
		const position = Date.parse(String(savedPosition(first, x)!.watermark));

		x.log().append([x.event(iso(position - 5 * SECOND), `${wf}-late`)]);
		const second = await run(wf);
		expect(second.error?.message).toBeUndefined();
		expect(mine(second, wf)).toEqual([`${wf}-late`]);
		expect(x.count(second)).toBe(1);

		const third = await run(wf);
		expect(third.error?.message).toBeUndefined();
		expect(x.count(third)).toBe(0);
		expect(savedPosition(third, x)!.watermark).toBe(iso(position));
	});

	test('a late event exactly at the position is exported by the next run, exactly once', async () => {
		const wf = unique('at');
		x.log().append([x.event(iso(Date.now() - 20 * SECOND), `${wf}-first`)]);
		const first = await run(wf);
		expect(first.error?.message).toBeUndefined();
		const position = String(savedPosition(first, x)!.watermark);

		x.log().append([x.event(position, `${wf}-at`)]);
		const second = await run(wf);
		expect(mine(second, wf)).toEqual([`${wf}-at`]);
		expect(x.count(second)).toBe(1);
		expect(x.count(await run(wf))).toBe(0);
	});

	test('an event older than the lookback when it arrives is not exported (the documented limit); a new one is', async () => {
		const wf = unique('old');
		x.log().append([x.event(iso(Date.now() - 20 * SECOND), `${wf}-first`)]);
		const first = await run(wf);
		const position = Date.parse(String(savedPosition(first, x)!.watermark));
		await sleep(5);
		x.log().append([
			x.event(iso(position - LOOKBACK - 5 * SECOND), `${wf}-too-late`),
			x.event(iso(Date.now() - 2), `${wf}-new`),
		]);
		expect(mine(await run(wf), wf)).toEqual([`${wf}-new`]);
	});

	test('Late Event Lookback 0 keeps the previous behaviour: only events at or after the position', async () => {
		const wf = unique('zero');
		x.log().append([x.event(iso(Date.now() - 20 * SECOND), `${wf}-first`)]);
		const options = { lateEventLookback: 0 };
		const first = await run(wf, { options });
		const position = Date.parse(String(savedPosition(first, x)!.watermark));
		expect(fingerprintCount(savedPosition(first, x))).toBe(
			x
				.log()
				.all()
				.filter((e) => Date.parse(String(e.timestamp)) === position).length,
		);
		x.log().append([
			x.event(iso(position - 5 * SECOND), `${wf}-late`),
			x.event(iso(position), `${wf}-at`),
		]);
		expect(mine(await run(wf, { options }), wf)).toEqual([`${wf}-at`]);
	});

	test('a position in the future fails with its date and the way out; within the clock-skew allowance it runs; Start Over recovers', async () => {
		const wf = unique('future');
		const future = iso(Date.now() + 86_400_000);
		const position = (watermark: string) => ({
			'node:Celonis': {
				[x.stateKey]: {
					watermark,
					boundary: {},
					team: ctx.emu.url,
					updatedAt: iso(Date.now()),
					exportedTotal: 7,
				},
			},
		});
		const planted = position(future);
		plant(wf, planted);
		const requestsBefore = lastRequest();
		const failed = await run(wf);
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toContain(future);
		expect(failed.error?.message).toMatch(/in the future/);
		expect(failed.error?.message).toMatch(/Start Over/);
		expect(failed.staticData).toEqual(planted);
		expect(apiRequestsAfter(requestsBefore)).toEqual([]);

		// Positive control: a clock a minute ahead of this one is not "the future".
		plant(wf, position(iso(Date.now() + MINUTE)));
		expect((await run(wf)).error?.message).toBeUndefined();

		plant(wf, position(future));
		x.log().append([x.event(iso(Date.now() - 10 * SECOND), `${wf}-window`)]);
		const over = await run(wf, { options: { startOver: true } });
		expect(over.error?.message).toBeUndefined();
		expect(mine(over, wf)).toEqual([`${wf}-window`]);
		expect(Date.parse(String(savedPosition(over, x)!.watermark))).toBeLessThanOrEqual(Date.now());
	});

	const valid = () => ({
		watermark: iso(Date.now() - MINUTE),
		boundary: { AAAAAAAAAAAAAAAAAAAAAA: 1 },
		team: ctx.emu.url,
		updatedAt: iso(Date.now()),
		exportedTotal: 3,
	});
	const CORRUPTED: Array<[string, () => unknown, RegExp]> = [
		['not an object', () => 'watermark', /not an object/],
		['null', () => null, /not an object/],
		['a watermark that is not a date', () => ({ ...valid(), watermark: 'yesterday' }), /watermark/],
		[
			'a watermark of the wrong type',
			() => ({ ...valid(), watermark: 1_700_000_000_000 }),
			/watermark/,
		],
		['a negative fingerprint count', () => ({ ...valid(), boundary: { abc: -1 } }), /boundary/],
		['fingerprints as a list', () => ({ ...valid(), boundary: ['abc'] }), /boundary/],
		['a negative exported total', () => ({ ...valid(), exportedTotal: -5 }), /exportedTotal/],
		['a team of the wrong type', () => ({ ...valid(), team: 42 }), /team/],
		[
			'a lookback group with a bad date',
			() => {
				const v = valid();
				return { ...v, version: 2, seenFrom: v.watermark, recent: { soon: { a: 1 } } };
			},
			/recent/,
		],
		[
			'seenFrom after the watermark',
			() => ({ ...valid(), version: 2, seenFrom: iso(Date.now()), recent: {} }),
			/seenFrom/,
		],
	];
	test.each(CORRUPTED)(
		'a corrupted position (%s) fails clearly instead of exporting everything again',
		async (_label, value, detail) => {
			const wf = unique('corrupt');
			const stored = { 'node:Celonis': { [x.stateKey]: value() } };
			plant(wf, stored);
			const failed = await run(wf);
			expect(failed.status).toBe('error');
			expect(failed.error?.message).toMatch(/stored position of this export is corrupted/);
			expect(failed.error?.message).toMatch(detail);
			expect(failed.error?.message).toMatch(/Start Over/);
			expect(failed.staticData).toEqual(JSON.parse(JSON.stringify(stored)));
		},
	);

	test('Start Over replaces a corrupted position', async () => {
		const wf = unique('recover');
		plant(wf, { 'node:Celonis': { [x.stateKey]: { watermark: 'garbage' } } });
		x.log().append([x.event(iso(Date.now() - 10 * SECOND), `${wf}-window`)]);
		const over = await run(wf, { options: { startOver: true } });
		expect(over.error?.message).toBeUndefined();
		expect(mine(over, wf)).toEqual([`${wf}-window`]);
		expect(mine(await run(wf), wf)).toEqual([]);
	});

	test('a position stored by the previous version is continued: nothing before it again, everything after it once', async () => {
		const wf = unique('v1');
		const t = Date.now() - 40 * SECOND;
		const atWatermark = x.event(iso(t), `${wf}-at-watermark`);
		x.log().append([
			x.event(iso(t - 2 * MINUTE), `${wf}-before-2m`),
			x.event(iso(t - MINUTE), `${wf}-before-1m`),
			atWatermark,
			x.event(iso(t), `${wf}-at-watermark-new`),
			x.event(iso(t + SECOND), `${wf}-after`),
		]);
		// What the previous version stored: the watermark and the fingerprints of the events exported at it.
		plant(wf, {
			'node:Celonis': {
				[x.stateKey]: {
					watermark: iso(t),
					boundary: { [fingerprint(atWatermark)]: 1 },
					team: ctx.emu.url,
					updatedAt: iso(t + 5 * SECOND),
					exportedTotal: 1234,
				},
			},
		});
		const r = await run(wf);
		expect(r.error?.message).toBeUndefined();
		expect(mine(r, wf)).toEqual([`${wf}-at-watermark-new`, `${wf}-after`]);
		// Every event from the watermark on, except the one the stored fingerprint names.
		const fromWatermark = x
			.log()
			.all()
			.filter((e) => Date.parse(String(e.timestamp)) >= t);
		expect(x.count(r)).toBe(fromWatermark.length - 1);
		expect(savedPosition(r, x)!.exportedTotal).toBe(1234 + fromWatermark.length - 1);
		expect(mine(await run(wf), wf)).toEqual([]);
	});

	test('a position of another team is not continued: the run starts from the Time Window and says so', async () => {
		const wf = unique('team');
		plant(wf, {
			'node:Celonis': {
				[x.stateKey]: {
					watermark: iso(Date.now() - 10 * SECOND),
					boundary: {},
					team: 'https://other-team.eu-1.celonis.cloud',
					updatedAt: iso(Date.now()),
					exportedTotal: 1,
				},
			},
		});
		x.log().append([x.event(iso(Date.now() - 30 * SECOND), `${wf}-window`)]);
		const r = await run(wf);
		expect(r.error?.message).toBeUndefined();
		expect(mine(r, wf)).toEqual([`${wf}-window`]);
		expect(savedPosition(r, x)!.team).toBe(ctx.emu.url);
		expect(hintsOf(r).join('\n')).toMatch(
			/belongs to the team https:\/\/other-team\.eu-1\.celonis\.cloud/,
		);
	});

	describe('Confirm Position: In a Later Step', () => {
		let server: http.Server;
		let url: string;
		let failing = false;
		beforeAll(async () => {
			server = http.createServer((req, res) => {
				req.resume();
				req.on('end', () => {
					res
						.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' })
						.end(failing ? '{"error":"down"}' : '{"ok":true}');
				});
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deliver`;
		});
		afterAll(() => server.close());

		const deliver = (): NodeSpec => ({
			name: 'Deliver',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify($json) }}',
				options: {},
			},
		});
		const laterStep = { confirmPosition: 'laterStep' };
		const chain = async (wf: string, extra: Record<string, unknown> = {}) =>
			await engine.runChain([exportNode(x, { ...laterStep, ...extra }), deliver(), confirmNode()], {
				workflowId: wf,
			});

		test('a later step that fails keeps the position: the rerun exports the same events again (at least once); confirmed runs do not', async () => {
			const wf = unique('alo');
			failing = false;
			x.log().append([x.event(iso(Date.now() - 30 * SECOND), `${wf}-a`)]);
			const first = await chain(wf);
			expect(first.error?.message).toBeUndefined();
			expect(mine(first, wf)).toEqual([`${wf}-a`]);
			const confirmed = laterStepSlot(first, x)!.confirmed!;
			expect(laterStepSlot(first, x)!.pending).toBeUndefined();
			// The engine runs in n8n's "manual" mode (n8n itself would not save this static data): both nodes say so.
			expect(hintsOf(first).join('\n')).toMatch(/Manual execution: .* does not move it/);
			expect(hintsOf(first, 'Confirm').join('\n')).toMatch(/Manual execution: .* not stored/);
			expect(first.json('Confirm')).toEqual([
				expect.objectContaining({
					exportNode: 'Celonis',
					confirmed: true,
					watermark: confirmed.watermark,
				}),
			]);
			const position = Date.parse(String(confirmed.watermark));

			x.log().append([
				x.event(iso(position - 5 * SECOND), `${wf}-late`),
				x.event(iso(Date.now() - 2), `${wf}-b`),
			]);
			failing = true;
			const broken = await chain(wf);
			expect(broken.status).toBe('error');
			expect(broken.run.data.resultData.lastNodeExecuted).toBe('Deliver');
			expect(mine(broken, wf).sort()).toEqual([`${wf}-b`, `${wf}-late`]);
			// n8n stores static data after failed executions too: the new position waits, unconfirmed.
			expect(laterStepSlot(broken, x)!.confirmed).toEqual(confirmed);
			expect(laterStepSlot(broken, x)!.pending).toMatchObject({ executionId: expect.any(String) });

			failing = false;
			const again = await chain(wf);
			expect(again.error?.message).toBeUndefined();
			expect(mine(again, wf).sort()).toEqual([`${wf}-b`, `${wf}-late`]);
			expect(hintsOf(again).join('\n')).toMatch(
				/The 2 event\(s\) exported by execution .* were never confirmed/,
			);
			expect(laterStepSlot(again, x)!.pending).toBeUndefined();

			const nothingNew = await chain(wf);
			expect(nothingNew.error?.message).toBeUndefined();
			expect(mine(nothingNew, wf)).toEqual([]);
			expect(laterStepSlot(nothingNew, x)!.confirmed!.watermark).toBe(
				laterStepSlot(again, x)!.confirmed!.watermark,
			);
			// A run without events may end before the Confirm step (nothing to deliver): that loses nothing, no warning.
			expect(hintsOf(await chain(wf)).join('\n')).not.toMatch(/never confirmed/);
		});

		test('positive control: with "When This Node Succeeds" the same failure loses the rerun (the documented caveat)', async () => {
			const wf = unique('amo');
			failing = false;
			x.log().append([x.event(iso(Date.now() - 30 * SECOND), `${wf}-a`)]);
			const steps = () => [exportNode(x), deliver()];
			expect((await engine.runChain(steps(), { workflowId: wf })).error?.message).toBeUndefined();
			x.log().append([x.event(iso(Date.now() - 2), `${wf}-b`)]);
			failing = true;
			const broken = await engine.runChain(steps(), { workflowId: wf });
			expect(broken.status).toBe('error');
			expect(mine(broken, wf)).toEqual([`${wf}-b`]);
			failing = false;
			expect(mine(await engine.runChain(steps(), { workflowId: wf }), wf)).toEqual([]);
		});

		test('a corrupted confirmed position fails clearly; Start Over replaces it', async () => {
			const wf = unique('alo-corrupt');
			failing = false;
			const stored = {
				global: {
					celonisExportPositions: { Celonis: { [x.stateKey]: { confirmed: { watermark: 7 } } } },
				},
			};
			plant(wf, stored);
			const failed = await chain(wf);
			expect(failed.status).toBe('error');
			expect(failed.error?.message).toMatch(
				/stored position of this export is corrupted \("watermark" is not a date: 7\)/,
			);
			expect(failed.staticData).toEqual(stored);

			plant(wf, { global: { celonisExportPositions: { Celonis: 'garbage' } } });
			expect((await chain(wf)).error?.message).toMatch(/corrupted/);
			x.log().append([x.event(iso(Date.now() - 10 * SECOND), `${wf}-window`)]);
			const over = await chain(wf, { options: { startOver: true } });
			expect(over.error?.message).toBeUndefined();
			expect(mine(over, wf)).toEqual([`${wf}-window`]);
			expect(laterStepSlot(over, x)!.confirmed).toMatchObject({ team: ctx.emu.url });
			expect(mine(await chain(wf), wf)).toEqual([]);
		});

		test('a position of the previous format is confirmed into the new place and continued', async () => {
			const wf = unique('alo-v1');
			failing = false;
			const t = Date.now() - 30 * SECOND;
			const atWatermark = x.event(iso(t), `${wf}-at`);
			x.log().append([
				x.event(iso(t - MINUTE), `${wf}-before`),
				atWatermark,
				x.event(iso(t + 1), `${wf}-after`),
			]);
			plant(wf, {
				'node:Celonis': {
					[x.stateKey]: {
						watermark: iso(t),
						boundary: { [fingerprint(atWatermark)]: 1 },
						team: ctx.emu.url,
						updatedAt: iso(t),
						exportedTotal: 1,
					},
				},
			});
			const r = await chain(wf);
			expect(r.error?.message).toBeUndefined();
			expect(mine(r, wf)).toEqual([`${wf}-after`]);
			expect(mine(await chain(wf), wf)).toEqual([]);
		});
	});

	describe('the Confirm step says what is wrong', () => {
		test('a Confirm step that names no export before it (typo)', async () => {
			const wf = unique('typo');
			const r = await engine.runChain(
				[
					exportNode(x, { confirmPosition: 'laterStep' }),
					confirmNode('Celonis'),
					confirmNode('Celonsi', 'Confirm again'),
				],
				{ workflowId: wf },
			);
			expect(r.status).toBe('error');
			expect(r.run.data.resultData.lastNodeExecuted).toBe('Confirm again');
			expect(r.error?.message).toMatch(/No node named "Celonsi" runs before this step/);
			expect(r.error?.message).toMatch(/"Celonis"/);
		});

		test('an export in "In a Later Step" mode without a Confirm step naming it fails before exporting', async () => {
			const wf = unique('noconfirm');
			const requestsBefore = lastRequest();
			const r = await engine.runChain(
				[exportNode(x, { confirmPosition: 'laterStep' }), confirmNode('Celonsi')],
				{
					workflowId: wf,
				},
			);
			expect(r.status).toBe('error');
			expect(r.run.data.resultData.lastNodeExecuted).toBe('Celonis');
			expect(r.error?.message).toMatch(
				/no Export Position → Confirm step after this node names "Celonis"/,
			);
			expect(apiRequestsAfter(requestsBefore)).toEqual([]);
		});

		test('a Confirm step that names a node which is not an export waiting for confirmation', async () => {
			const wf = unique('notexport');
			const emit: NodeSpec = {
				name: 'Emit',
				type: 'test.emitItems',
				parameters: { items: '[{"a":1}]' },
			};
			const r = await engine.runChain([emit, confirmNode('Emit')], { workflowId: wf });
			expect(r.error?.message).toMatch(
				/"Emit" is not a Celonis export whose position waits for confirmation/,
			);

			const plainExport = await engine.runChain([exportNode(x), confirmNode('Celonis')], {
				workflowId: unique('plain'),
			});
			expect(plainExport.error?.message).toMatch(
				/"Celonis" is not a Celonis export whose position waits for confirmation/,
			);
			expect(plainExport.error?.message).toMatch(/In a Later Step/);
		});

		test('a Confirm step after an export that failed (Continue On Fail) confirms nothing, not even an older unconfirmed position', async () => {
			const wf = unique('nopending');
			x.log().append([x.event(iso(Date.now() - 30 * SECOND), `${wf}-a`)]);
			const failingDeliver: NodeSpec = {
				name: 'Deliver',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: { method: 'POST', url: 'http://127.0.0.1:1/closed', options: {} },
			};
			const broken = await engine.runChain(
				[exportNode(x, { confirmPosition: 'laterStep' }), failingDeliver, confirmNode()],
				{ workflowId: wf },
			);
			expect(broken.status).toBe('error');
			expect(laterStepSlot(broken, x)!.pending).toBeDefined();

			const r = await engine.runChain(
				[
					{
						...exportNode(x, { confirmPosition: 'laterStep', options: { pageSize: 500 } }),
						continueOnFail: true,
					},
					confirmNode(),
				],
				{ workflowId: wf },
			);
			expect(r.status).toBe('error');
			expect(r.run.data.resultData.lastNodeExecuted).toBe('Confirm');
			expect(r.error?.message).toMatch(
				/"Celonis" has no new position waiting for confirmation in this execution/,
			);
			expect(laterStepSlot(r, x)!.confirmed).toBeUndefined();
		});
	});

	test('the stored fingerprints are those of the lookback window, and a flood is capped at 10,000', async () => {
		const wf = unique('size');
		const base = Date.now() - 4 * MINUTE;
		x.log().append(
			Array.from({ length: 300 }, (_, i) => x.event(iso(base + i * 500), `${wf}-w${i}`)),
		);
		const first = await run(wf, { options: { pageSize: 200 } });
		expect(first.error?.message).toBeUndefined();
		const position = savedPosition(first, x)!;
		const watermark = Date.parse(String(position.watermark));
		const inWindow = (lookback: number) =>
			x
				.log()
				.all()
				.filter((e) => {
					const t = Date.parse(String(e.timestamp));
					return t >= watermark - lookback && t <= watermark;
				});
		expect(fingerprintCount(position)).toBe(inWindow(LOOKBACK).length);
		expect(position.seenFrom).toBe(iso(watermark - LOOKBACK));

		// 10,050 more events within 20 seconds (2 ms apart): more than the cap in one lookback window.
		const start = Date.now() - 25 * SECOND;
		x.log().append(
			Array.from({ length: 10_050 }, (_, i) => x.event(iso(start + i * 2), `${wf}-f${i}`)),
		);
		const flood = await run(wf, { options: { pageSize: 200 } });
		expect(flood.error?.message).toBeUndefined();
		expect(mine(flood, wf)).toHaveLength(10_050);
		const capped = savedPosition(flood, x)!;
		const floodWatermark = Date.parse(String(capped.watermark));
		expect(floodWatermark).toBeGreaterThanOrEqual(start + 10_049 * 2); // other tests' events may be newer
		// The newest timestamps are kept whole until the next one would exceed the cap.
		const byTime = new Map<number, number>();
		for (const e of x.log().all()) {
			const t = Date.parse(String(e.timestamp));
			if (t >= floodWatermark - LOOKBACK && t <= floodWatermark)
				byTime.set(t, (byTime.get(t) ?? 0) + 1);
		}
		let kept = 0;
		let oldestKept = floodWatermark;
		for (const [t, n] of [...byTime].sort((a, b) => b[0] - a[0])) {
			if (t !== floodWatermark && kept + n > MAX_FINGERPRINTS) break;
			kept += n;
			oldestKept = t;
		}
		expect(fingerprintCount(capped)).toBe(kept);
		expect(fingerprintCount(capped)).toBeLessThanOrEqual(MAX_FINGERPRINTS);
		expect(capped.seenFrom).toBe(iso(oldestKept));
		expect(hintsOf(flood).join('\n')).toMatch(/10,000/);
		// The size of what n8n stores with the workflow for this position.
		expect(JSON.stringify(capped).length).toBeLessThan(MAX_FINGERPRINTS * 70);

		// Late events: one just after the oldest kept fingerprint is exported; one just before it no longer is.
		x.log().append([
			x.event(iso(oldestKept - 1), `${wf}-before-cap`),
			x.event(iso(oldestKept + 1), `${wf}-after-cap`),
		]);
		expect(mine(await run(wf), wf)).toEqual([`${wf}-after-cap`]);
	});
});
