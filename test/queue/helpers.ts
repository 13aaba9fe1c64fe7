/** Shared pieces of the queue-mode suite: the cluster with the package installed, the emulator, a CSV source. */
import http from 'node:http';
import path from 'node:path';

import { startEmulator, type Emulator } from '../../emulator';
import { emulatorCredentials } from '../../scripts/n8n-fixtures';
import {
	startQueueCluster,
	type ExecutionRecord,
	type QueueCluster,
} from '../../scripts/queue-cluster';
import type { Workflow } from '../../scripts/queue-workflows';

export const repoRoot = path.resolve(__dirname, '..', '..');

export const OAUTH_SCOPES = [
	'audit.log:read',
	'team.login-history:read',
	'integration.data-pools',
	'platform-adoption.tracking-events:read',
	'intelligence.subscriptions:manage',
];

export interface QueueFixture {
	cluster: QueueCluster;
	emu: Emulator;
	/** Maps the fixture credential ids (examples/*.json) to the ids n8n gave them. */
	credentialIds: Record<string, string>;
	/** Creates the emulator credentials of examples/ (one of each type) in n8n. */
	createCredentials(): Promise<void>;
	/** Creates and activates a workflow; returns its id. */
	deploy(workflow: Workflow): Promise<string>;
	stop(): Promise<void>;
}

/** The emulator, then n8n in queue mode with two workers and the package installed through n8n's installer. */
export async function startQueueFixture(
	opts: { install?: boolean; workerConcurrency?: number } = {},
): Promise<QueueFixture> {
	const emu = await startEmulator({ quiet: true });
	emu.configure({ requestLogLimit: 100_000 });
	let cluster: QueueCluster | undefined;
	try {
		cluster = await startQueueCluster({
			packageDir: repoRoot,
			workers: 2,
			workerConcurrency: opts.workerConcurrency,
			log: (message) => process.stderr.write(`[queue] ${message}\n`),
		});
		const started = cluster;
		const fixture: QueueFixture = {
			cluster: started,
			emu,
			credentialIds: {},
			async deploy(workflow) {
				const { id } = await started.createWorkflow(workflow, fixture.credentialIds);
				await started.activate(id);
				return id;
			},
			async createCredentials() {
				fixture.credentialIds = await started.createCredentials(
					emulatorCredentials(emu.url, OAUTH_SCOPES),
				);
			},
			async stop() {
				await started.stop();
				await emu.close();
			},
		};
		if (opts.install !== false) {
			await started.installPackage();
			await fixture.createCredentials();
		}
		return fixture;
	} catch (error) {
		await cluster?.stop();
		await emu.close();
		throw error;
	}
}

/** Fires all webhook calls at once and waits for every answer. */
export async function fireWebhooks(
	cluster: QueueCluster,
	pathName: string,
	bodies: unknown[],
): Promise<Array<{ status: number; body: unknown }>> {
	return await Promise.all(bodies.map((body) => cluster.webhook(pathName, body)));
}

/** Waits until `predicate` holds for the workflow's execution records (polling Postgres). */
export async function waitForExecutions(
	cluster: QueueCluster,
	workflowId: string,
	predicate: (records: ExecutionRecord[]) => boolean,
	timeoutMs = 120_000,
): Promise<ExecutionRecord[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const records = await cluster.executions(workflowId);
		if (predicate(records)) return records;
		if (Date.now() > deadline)
			throw new Error(
				`executions of ${workflowId} did not reach the expected state within ${timeoutMs} ms: ${JSON.stringify(records)}`,
			);
		await new Promise((r) => setTimeout(r, 1000));
	}
}

/**
 * An execution that ended and whose metadata (the worker) is stored: a worker stores the status first and the
 * metadata right after, so a record can be finished for a moment without its worker.
 */
export const settled = (record: ExecutionRecord) =>
	['success', 'error', 'crashed', 'canceled'].includes(record.status) && record.worker !== null;

/** Predicate for waitForExecutions: at least `count` executions, all settled. */
export const allFinished = (count: number) => (records: ExecutionRecord[]) =>
	records.length >= count && records.every(settled);

/** Per worker: the execution ids its own log says it started ("Worker started execution N"). */
export function executionsLoggedBy(cluster: QueueCluster): Record<string, string[]> {
	return Object.fromEntries(
		cluster.workers.map((worker) => [
			worker.name,
			[...worker.service.output().matchAll(/Worker started execution (\d+)/g)].map(
				(m) => m[1] as string,
			),
		]),
	);
}

export function countBy<T>(values: T[], key: (value: T) => string): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
	return counts;
}

/**
 * An HTTP server streaming CSV rows `?from=a&to=b` (inclusive; ID, NAME, AMOUNT, with a header), never holding
 * them in memory.
 */
export async function startCsvSource(): Promise<{ url: string; close(): Promise<void> }> {
	const server = http.createServer((req, res) => {
		const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
		const last = Number(query.get('to'));
		let next = Number(query.get('from'));
		res.writeHead(200, {
			'content-type': 'text/csv',
			'content-disposition': `attachment; filename="rows-${next}-${last}.csv"`,
		});
		res.write('ID,NAME,AMOUNT\n');
		const write = () => {
			while (next <= last) {
				const lines: string[] = [];
				const end = Math.min(last, next + 9_999);
				for (; next <= end; next++) lines.push(`${next},name ${next % 1000},${(next % 997) / 10}`);
				if (!res.write(`${lines.join('\n')}\n`)) return void res.once('drain', write);
			}
			res.end();
		};
		write();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}/rows.csv`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
