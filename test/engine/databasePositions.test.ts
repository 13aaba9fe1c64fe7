/**
 * "Keep Position In: n8n Database (Queue Mode)": runs as a queue-mode worker runs them (without the workflow's
 * static data), alone and overlapping, against n8n's deduplication store (test/harness/deduplication.ts, a port
 * of n8n's; the queue-mode suite runs the real one on Postgres).
 */
import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { addFaults as addFaultRules, celonisNode } from '../harness/builders';
import { deduplicationStore } from '../harness/deduplication';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec, type RunOptions } from '../harness/engine';

const ctx = useEmulator();
const addFaults = (rules: unknown) => addFaultRules(ctx.emu.url, rules);

const WORKER: RunOptions = { mode: 'trigger', asQueueWorker: true };

async function setup() {
	const engine = await Engine.create();
	const creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
	);
	return { engine, creds };
}

const exportNode = (
	creds: NodeSpec['credentials'],
	options: IDataObject = {},
	extra: IDataObject = {},
) =>
	celonisNode(
		{
			resource: 'auditLog',
			operation: 'getAll',
			exportMode: 'incremental',
			positionStore: 'database',
			timeWindow: 'last24Hours',
			output: 'items',
			options: { pageSize: 50, ...options },
			...extra,
		},
		creds,
	);

const key = (e: IDataObject) => JSON.stringify(e);

/**
 * How many exported events are one too many: events are compared by content, and the emulator may hold identical
 * events (the same content twice), each of which may be exported once.
 */
function duplicates(exported: IDataObject[]): number {
	const held = new Map<string, number>();
	for (const event of ctx.emu.store.audit.all())
		held.set(
			key(event as unknown as IDataObject),
			(held.get(key(event as unknown as IDataObject)) ?? 0) + 1,
		);
	const seen = new Map<string, number>();
	for (const event of exported) seen.set(key(event), (seen.get(key(event)) ?? 0) + 1);
	let extra = 0;
	for (const [k, n] of seen) extra += Math.max(0, n - (held.get(k) ?? 0));
	return extra;
}
const inLastDay = () =>
	ctx.emu.store.audit
		.all()
		.filter((e) => Date.parse(e.timestamp) >= Date.now() - 86_400_000 + 60_000);

let workflowCounter = 0;
const freshWorkflow = () => `db-positions-${++workflowCounter}`;

function auditEvent(timestamp: number, id: string) {
	return {
		userId: 'u-db',
		userRole: 'ADMIN',
		event: 'DB_POSITION_TEST',
		timestamp: new Date(timestamp).toISOString(),
		message: { id },
		ipAddress: null,
		port: null,
		diffPayload: null,
	};
}

beforeEach(() => ctx.emu.store.faults.clear());

describe('on a worker (no static data), runs continue where the last one ended', () => {
	it('the first run exports the Time Window, later runs only what is new, late events included', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		const first = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(first.error?.message).toBeUndefined();
		const exported = first.json('Celonis');
		expect(exported.length).toBeGreaterThan(0);
		expect(duplicates(exported)).toBe(0);
		expect(exported.length).toBeGreaterThanOrEqual(inLastDay().length - 2);

		const second = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(second.error?.message).toBeUndefined();
		expect(second.json('Celonis')).toEqual([]);

		const newest = Math.max(...first.json('Celonis').map((e) => Date.parse(String(e.timestamp))));
		ctx.emu.store.audit.append([
			auditEvent(Date.now() - 1000, 'new-1'),
			auditEvent(newest - 5_000, 'late-1'), // arrived late, within the 10-minute lookback
		]);
		const third = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(third.error?.message).toBeUndefined();
		expect(
			third
				.json('Celonis')
				.map((e) => (e.message as IDataObject).id)
				.sort(),
		).toEqual(['late-1', 'new-1']);
		const fourth = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(fourth.json('Celonis')).toEqual([]);
	});

	it('identical events are two events: the second one, arriving later, is exported too', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		const at = Date.now() - 2000;
		ctx.emu.store.audit.append([auditEvent(at, 'twin')]);
		const first = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(
			first.json('Celonis').filter((e) => (e.message as IDataObject).id === 'twin'),
		).toHaveLength(1);
		ctx.emu.store.audit.append([auditEvent(at, 'twin')]);
		const second = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(second.json('Celonis').map((e) => (e.message as IDataObject).id)).toEqual(['twin']);
	});
});

describe('overlapping runs export every event once', () => {
	it('two runs started together: one waits for the other, together they export each event once', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		// Slow pages, so that the runs surely overlap.
		await addFaults({
			path: '/log/api/external/v2/audit',
			probability: 1,
			response: { delayMs: 150 },
		});
		const [a, b] = await Promise.all([
			engine.runChain([exportNode(creds)], { ...WORKER, workflowId }),
			engine.runChain([exportNode(creds)], { ...WORKER, workflowId }),
		]);
		expect(a.error?.message).toBeUndefined();
		expect(b.error?.message).toBeUndefined();
		const all = [...a.json('Celonis'), ...b.json('Celonis')];
		expect(all.length).toBeGreaterThan(0);
		expect(duplicates(all)).toBe(0);
		expect(Math.min(a.json('Celonis').length, b.json('Celonis').length)).toBe(0);

		// Positive control: the same overlapping runs with the position in static data export events twice.
		const static1 = { ...WORKER, workflowId: freshWorkflow() };
		const [c, d] = await Promise.all([
			engine.runChain([exportNode(creds, {}, { positionStore: 'staticData' })], static1),
			engine.runChain([exportNode(creds, {}, { positionStore: 'staticData' })], static1),
		]);
		expect(duplicates([...c.json('Celonis'), ...d.json('Celonis')])).toBeGreaterThan(0);
	});

	it('a lock left by a stopped run: the next run waits at most "Max Wait for Other Runs", then says what to do; Start Over releases it', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		const store = await deduplicationStore();
		// What a worker that stopped in the middle of an export leaves behind: the workflow's lock row.
		await store.table.insert(workflowId, '', {
			mode: 'entries',
			data: [createHash('md5').update('celonis-export-lock').digest('base64')],
		});
		const refused = await engine.runChain([exportNode(creds, { maxLockWait: 1 })], {
			...WORKER,
			workflowId,
		});
		expect(refused.error?.message).toMatch(
			/Another run of this workflow's Celonis exports has been exporting for more than 1 s: this run exported nothing/,
		);
		expect(refused.error?.description).toMatch(/Start Over/);
		const released = await engine.runChain([exportNode(creds, { startOver: true })], {
			...WORKER,
			workflowId,
		});
		expect(released.error?.message).toBeUndefined();
		expect(released.json('Celonis').length).toBeGreaterThan(0);
	});
});

describe('nothing is lost', () => {
	it('a run that fails half way takes its records back: the next run exports those events', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		await addFaults({
			method: 'GET',
			path: '/log/api/external/v2/audit',
			sequence: [{}, {}, { status: 503 }, { status: 503 }],
		});
		const failed = await engine.runChain([exportNode(creds, { maxRetries: 1, pageSize: 10 })], {
			...WORKER,
			workflowId,
		});
		expect(failed.error?.message).toMatch(/HTTP 503/);
		const next = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(next.error?.message).toBeUndefined();
		expect(next.json('Celonis').length).toBeGreaterThanOrEqual(inLastDay().length - 2);
	});

	it('with a Limit, what is beyond it is not recorded: the next run continues with it', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		const first = await engine.runChain(
			[exportNode(creds, { pageSize: 20 }, { returnAll: false, limit: 30 })],
			{
				...WORKER,
				workflowId,
			},
		);
		expect(first.error?.message).toBeUndefined();
		expect(first.json('Celonis')).toHaveLength(30);
		const rest = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		const all = [...first.json('Celonis'), ...rest.json('Celonis')];
		expect(duplicates(all)).toBe(0);
		expect(all.length).toBeGreaterThanOrEqual(inLastDay().length - 2);
	});

	it('a run in the editor reads the position but records nothing', async () => {
		const { engine, creds } = await setup();
		const workflowId = freshWorkflow();
		const manual = await engine.runChain([exportNode(creds)], { mode: 'manual', workflowId });
		expect(manual.json('Celonis').length).toBeGreaterThan(0);
		const production = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
		expect(production.json('Celonis').length).toBe(manual.json('Celonis').length);
	});
});

it('a workflow that keeps other data in the deduplication store at workflow scope gets a clear error', async () => {
	const { engine, creds } = await setup();
	const workflowId = freshWorkflow();
	const store = await deduplicationStore();
	await store.table.insert(workflowId, '', { mode: 'entries', data: ['someone-else'] });
	const r = await engine.runChain([exportNode(creds)], { ...WORKER, workflowId });
	expect(r.error?.message).toMatch(
		/keeps other data in n8n's deduplication store at workflow scope/,
	);
	expect((await store.table.findOne(workflowId, ''))?.data).toEqual(['someone-else']);
});
