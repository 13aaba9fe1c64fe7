/**
 * Soak: the package's promises (nothing lost, nothing doubled, nothing leaked) under the faults a scheduled
 * workflow meets, in repeated rounds against the emulator, with every failed run rerun the way a user would.
 *
 * Each round runs, in the in-process n8n engine (n8n-core WorkflowExecute) against one emulator:
 *   A. Push Items to Table: SOAK_ROWS rows (default 1,000,000), mode Replace; a failed run is simply run again.
 *   B. Continuous Push: SOAK_CONTINUOUS_ROWS rows (default 200,000), no primary keys (rows are appended, so a
 *      batch sent twice would double its rows). A failed run is rerun as its error item advises: the items that
 *      did not land are pushed again; for a batch whose answer was lost, the user first checks the table.
 *   C. Incremental audit-log export: SOAK_EVENTS generated events (default 200,000) plus new events appended
 *      between runs, some of them late (timestamps before the last run's position, within the lookback); runs
 *      are export → sink (records what was delivered) → confirm position; a failed run is run again.
 * Faults on every Celonis API path but the token endpoint: 20% 429, 10% 503, 5% connection resets and 2%
 * dropped answers (handled, answer lost), and all tokens revoked in the middle of each push.
 *
 * The last line is JSON; every figure must be 0:
 * {"rowsLost","rowsDuplicated","continuousRowsLost","continuousRowsDuplicated","eventsLost","eventsDuplicated",
 *  "orphanJobs","secretsSeen"} plus "rounds", "runs" and "failedRuns" (how much there was to recover from).
 *
 * Usage: npx tsx bench/soak/run.ts   (SOAK_ROUNDS=3 SOAK_ROWS=1000000 SOAK_CONTINUOUS_ROWS=200000 SOAK_EVENTS=200000)
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { startEmulator, type Emulator } from '../../emulator';
import { DEMO } from '../../emulator/seeds/demoIdentities';
import { Engine, type NodeSpec, type RunResult } from '../../test/harness/engine';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
const ROWS = Number(process.env.SOAK_ROWS ?? 1_000_000);
const CONTINUOUS_ROWS = Number(process.env.SOAK_CONTINUOUS_ROWS ?? 200_000);
const EVENTS = Number(process.env.SOAK_EVENTS ?? 200_000);
const MAX_RERUNS = 25;
const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';

/** Bench-only node: emits rows `from`..`to` (inclusive) of the soak table, or the ids it is given. */
class SoakRows implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Soak Rows',
		name: 'soakRows',
		group: ['transform'],
		version: 1,
		description: 'Benchmark fixture',
		defaults: { name: 'Soak Rows' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Count', name: 'count', type: 'number', default: 0 },
			{ displayName: 'IDs', name: 'ids', type: 'json', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const idsText = this.getNodeParameter('ids', 0, '') as string;
		const ids: number[] = idsText
			? (JSON.parse(idsText) as number[])
			: Array.from({ length: this.getNodeParameter('count', 0) as number }, (_, i) => i);
		return [ids.map((id) => ({ json: soakRow(id), pairedItem: { item: 0 } }))];
	}
}

function soakRow(id: number): IDataObject {
	return {
		ID: id,
		NAME: id % 13 === 0 ? `row ${id}, "quoted"` : `row ${id}`,
		AMOUNT: Math.round(id * 3.7) / 10,
		AT: new Date(Date.UTC(2025, 0, 1) + id * 1000).toISOString(),
	};
}

/** Bench-only node: remembers every item it receives (the destination of the exported events). */
const delivered: IDataObject[] = [];
class Sink implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sink',
		name: 'sink',
		group: ['transform'],
		version: 1,
		description: 'Benchmark fixture',
		defaults: { name: 'Sink' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		for (const item of items) delivered.push(item.json);
		return [items.slice(0, 1)];
	}
}

const faultRules = (pathRegex: string, seed: number) => {
	// Conditional probabilities, so that of all requests 20% get a 429, 10% a 503, 5% a reset, 2% a lost answer.
	const shares: Array<[number, IDataObject]> = [
		[0.2, { status: 429, headers: { 'x-ratelimit-reset': '0' }, body: 'Too many requests' }],
		[0.1, { status: 503, body: 'Service unavailable' }],
		[0.05, { reset: true }],
		[0.02, { dropResponse: true }],
	];
	let left = 1;
	return shares.map(([share, response], i) => {
		const probability = share / left;
		left -= share;
		return { path: pathRegex, probability, response, seed: seed * 10 + i };
	});
};

/** Replaces the fault rules; reports on stderr how often the previous ones fired. */
async function setFaults(emu: Emulator, rules: unknown[]): Promise<void> {
	const fired = emu.store.faults.list().reduce((sum, f) => sum + f.fired, 0);
	if (fired > 0) console.error(`  faults fired: ${fired}`);
	await fetch(`${emu.url}/__emulator/faults`, { method: 'DELETE' });
	if (rules.length === 0) return;
	const response = await fetch(`${emu.url}/__emulator/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(rules),
	});
	if (!response.ok) throw new Error(`faults refused: ${await response.text()}`);
}

const emulatorState = { runs: 0, failedRuns: 0 };
const transcripts: string[] = [];

async function run(engine: Engine, nodes: NodeSpec[]): Promise<RunResult> {
	const result = await engine.runChain(nodes);
	emulatorState.runs++;
	const errorItem = Object.values(result.run.data.resultData.runData).some((runs) =>
		runs.some((r) => r.data?.main?.some((items) => items?.some((item) => item.json.error))),
	);
	if (result.error || errorItem) emulatorState.failedRuns++;
	transcripts.push(
		JSON.stringify({
			error: result.error
				? { message: result.error.message, description: result.error.description }
				: null,
			data: result.run.data.resultData.runData,
		}),
	);
	return result;
}

function tableIds(emu: Emulator, table: string): number[] {
	return ((emu.store.tables.find(POOL, table)?.rows ?? []) as IDataObject[]).map((r) =>
		Number(r.ID),
	);
}

function lostAndDoubled(ids: number[], expected: number): { lost: number; doubled: number } {
	const seen = new Set<number>();
	let doubled = 0;
	for (const id of ids) {
		if (seen.has(id)) doubled++;
		seen.add(id);
	}
	let lost = 0;
	for (let i = 0; i < expected; i++) if (!seen.has(i)) lost++;
	return { lost, doubled };
}

async function flushed(emu: Emulator, table: string): Promise<void> {
	for (let i = 0; i < 600; i++) {
		if (emu.store.continuousItems.every((c) => c.targetName !== table || c.flushStatus !== 'new'))
			return;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

const celonis = (
	creds: NodeSpec['credentials'],
	parameters: IDataObject,
	extra: Partial<NodeSpec> = {},
): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: { authentication: 'oAuth2', ...parameters } as NodeSpec['parameters'],
	credentials: creds,
	...extra,
});

/** A. Replace push of ROWS rows until a run succeeds; the table must then hold each row once. */
async function soakPush(
	emu: Emulator,
	engine: Engine,
	creds: NodeSpec['credentials'],
	round: number,
) {
	const table = `SOAK_PUSH_${round}`;
	await setFaults(emu, [
		// all tokens revoked in the middle of the upload
		{
			method: 'POST',
			path: '^/data-ingestion/api/v1/data-push/[^/]+/jobs/[^/]+/chunks/upserted$',
			sequence: [{}, {}, { revokeTokens: true }],
		},
		...faultRules('^/data-ingestion/', round),
	]);
	for (let attempt = 0; attempt < MAX_RERUNS; attempt++) {
		const result = await run(engine, [
			{ name: 'Rows', type: 'bench.soakRows', parameters: { count: ROWS } },
			celonis(creds, {
				resource: 'dataPush',
				operation: 'pushItems',
				dataPool: { __rl: true, mode: 'id', value: POOL },
				tableName: table,
				mode: 'REPLACE',
				options: { chunkSizeMb: 4, waitTimeout: 600 },
			}),
		]);
		if (!result.error) break;
		console.error(`push round ${round}, run ${attempt + 1} failed: ${result.error.message}`);
	}
	await setFaults(emu, []);
	return lostAndDoubled(tableIds(emu, table), ROWS);
}

/** B. Keyless continuous push; after a failure the user pushes again what its error item says did not land. */
async function soakContinuous(
	emu: Emulator,
	engine: Engine,
	creds: NodeSpec['credentials'],
	round: number,
) {
	const table = `SOAK_CONT_${round}`;
	await setFaults(emu, [
		{
			method: 'POST',
			path: '^/continuous-batch-processing/',
			sequence: [{}, {}, { revokeTokens: true }],
		},
		...faultRules('^/continuous-batch-processing/', round + 100),
	]);
	let pending: number[] = Array.from({ length: CONTINUOUS_ROWS }, (_, i) => i);
	for (let attempt = 0; attempt < MAX_RERUNS && pending.length > 0; attempt++) {
		const result = await run(engine, [
			{ name: 'Rows', type: 'bench.soakRows', parameters: { ids: JSON.stringify(pending) } },
			celonis(
				creds,
				{
					resource: 'dataPush',
					operation: 'continuousPush',
					dataPool: { __rl: true, mode: 'id', value: POOL },
					tableName: table,
					options: { chunkSizeMb: 0.5 },
				},
				{ continueOnFail: true },
			),
		]);
		const out = result.json('Celonis')[0] ?? {};
		if (!out.error) {
			pending = [];
			break;
		}
		console.error(`continuous round ${round}, run ${attempt + 1}: ${String(out.error)}`);
		const itemsOf = (part: unknown) =>
			(part as { items?: { from: number; to: number } } | undefined)?.items;
		const landedUpTo = itemsOf(out.landed)?.to ?? -1;
		let next = landedUpTo + 1;
		const unsure = itemsOf(out.mayHaveLanded);
		if (unsure) {
			// As the error advises: look at the table before sending that batch again.
			await flushed(emu, table);
			const inTable = new Set(tableIds(emu, table));
			if (pending.slice(unsure.from, unsure.to + 1).every((id) => inTable.has(id)))
				next = unsure.to + 1;
		}
		pending = pending.slice(next);
	}
	await setFaults(emu, []);
	await flushed(emu, table);
	return lostAndDoubled(tableIds(emu, table), CONTINUOUS_ROWS);
}

/**
 * C. Incremental audit-log export in items mode, confirmed by a later step (at least once): export → sink
 * (the destination) → Export Position → Confirm. Before each run new events arrive, some of them late (a
 * timestamp a few seconds before the newest event already delivered). Every event must reach the sink once.
 */
async function soakExport(
	emu: Emulator,
	engine: Engine,
	creds: NodeSpec['credentials'],
	round: number,
) {
	if (round > 1) {
		const newest = delivered.reduce((max, e) => Math.max(max, Date.parse(String(e.timestamp))), 0);
		const now = Date.now();
		const late = (i: number) => ({
			timestamp: new Date(newest - 5_000 + i).toISOString(),
			event: 'SOAK_LATE',
			userId: `late-${round}-${i}`,
			userRole: 'MEMBER',
			message: { text: `late event ${round}/${i}` },
			ipAddress: null,
			port: null,
			diffPayload: null,
		});
		const fresh = (i: number) => ({
			timestamp: new Date(now - 60_000 + i * 10).toISOString(),
			event: 'SOAK_NEW',
			userId: `new-${round}-${i}`,
			userRole: 'MEMBER',
			message: { text: `new event ${round}/${i}` },
			ipAddress: null,
			port: null,
			diffPayload: null,
		});
		emu.store.audit.append([
			...Array.from({ length: 50 }, (_, i) => late(i)),
			...Array.from({ length: 500 }, (_, i) => fresh(i)),
		]);
	}
	await setFaults(emu, [
		{ method: 'GET', path: '^/log/api/external/', sequence: [{}, {}, { revokeTokens: true }] },
		...faultRules('^/log/api/external/', round + 200),
	]);
	for (let attempt = 0; attempt < MAX_RERUNS; attempt++) {
		const result = await run(engine, [
			celonis(creds, {
				resource: 'auditLog',
				operation: 'getAll',
				exportMode: 'incremental',
				confirmPosition: 'laterStep',
				timeWindow: 'all',
				output: 'items',
				options: { maxRetries: 10 },
			}),
			{ name: 'Sink', type: 'bench.sink', parameters: {} },
			celonis(
				creds,
				{ resource: 'exportPosition', operation: 'confirm', exportNode: 'Celonis' },
				{ name: 'Confirm' },
			),
		]);
		if (!result.error) break;
		console.error(`export round ${round}, run ${attempt + 1} failed: ${result.error.message}`);
	}
	await setFaults(emu, []);
}

function eventsLostAndDoubled(emu: Emulator): { lost: number; doubled: number } {
	const seen = new Map<string, number>();
	for (const event of delivered) {
		const key = JSON.stringify(event);
		seen.set(key, (seen.get(key) ?? 0) + 1);
	}
	let lost = 0;
	let doubled = 0;
	for (const event of emu.store.audit.all()) {
		const times = seen.get(JSON.stringify(event)) ?? 0;
		if (times === 0) lost++;
		if (times > 1) doubled += times - 1;
	}
	return { lost, doubled };
}

function secretsIn(texts: string[], secrets: string[]): number {
	let seen = 0;
	for (const text of texts)
		for (const secret of secrets) if (secret && text.includes(secret)) seen++;
	return seen;
}

async function main(): Promise<void> {
	const emu = await startEmulator({ quiet: true, port: 0 });
	// Everything the engine prints (n8n's logger included) is kept, to be searched for secrets.
	const captured: string[] = [];
	const originals = [
		process.stdout.write.bind(process.stdout),
		process.stderr.write.bind(process.stderr),
	];
	for (const [i, stream] of [process.stdout, process.stderr].entries()) {
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			captured.push(String(chunk));
			return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof stream.write;
	}
	const totals = {
		rowsLost: 0,
		rowsDuplicated: 0,
		continuousRowsLost: 0,
		continuousRowsDuplicated: 0,
		eventsLost: 0,
		eventsDuplicated: 0,
		orphanJobs: 0,
		secretsSeen: 0,
	};
	try {
		emu.configure({
			jobDelays: { queuedMs: 0, runningMs: 0 },
			dataPush: { unlimited: true },
			continuousFlushMs: 20,
			generated: { auditEvents: EVENTS },
		});
		const engine = await Engine.create({
			'bench.soakRows': new SoakRows(),
			'bench.sink': new Sink(),
		});
		const creds = engine.addCredential('celonisOAuth2Api', {
			teamUrl: emu.url,
			clientId: DEMO.client.id,
			clientSecret: DEMO.client.secret,
			authMethod: 'clientSecretBasic',
			scopes: ['integration.data-pools', 'audit.log:read'],
			customScopes: '',
		});
		const tokens = new Set<string>();
		for (let round = 1; round <= ROUNDS; round++) {
			const push = await soakPush(emu, engine, creds, round);
			totals.rowsLost += push.lost;
			totals.rowsDuplicated += push.doubled;
			const continuous = await soakContinuous(emu, engine, creds, round);
			totals.continuousRowsLost += continuous.lost;
			totals.continuousRowsDuplicated += continuous.doubled;
			await soakExport(emu, engine, creds, round);
			const token = engine.store.all()[0].data.accessToken;
			if (typeof token === 'string') tokens.add(token);
			console.error(
				`round ${round}: ${JSON.stringify({ push, continuous, delivered: delivered.length })}`,
			);
		}
		const events = eventsLostAndDoubled(emu);
		totals.eventsLost = events.lost;
		totals.eventsDuplicated = events.doubled;
		totals.orphanJobs = [...emu.store.pushJobs.values()].filter((j) =>
			['NEW', 'ERROR', 'QUEUED', 'RUNNING'].includes(j.status),
		).length;
		const log = JSON.stringify(emu.store.requestLog.list());
		totals.secretsSeen = secretsIn(
			[...transcripts, ...captured, log],
			[DEMO.client.secret, ...tokens],
		);
	} finally {
		process.stdout.write = originals[0];
		process.stderr.write = originals[1];
		await emu.close();
	}
	console.log(JSON.stringify({ rounds: ROUNDS, ...emulatorState, ...totals }));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
