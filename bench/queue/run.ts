/**
 * bench/queue — the same batch of webhook-triggered executions on n8n in queue mode with two workers, then with one.
 *
 * n8n 2.41.1 main + 2 workers on throw-away Postgres and Redis, the package installed through n8n's Community Nodes
 * installer (scripts/queue-cluster.ts). Each execution: Webhook → 20 items → Celonis node GET (OAuth, node defaults)
 * → Respond to Webhook; the emulator (own process) adds 50 ms to every such request. After a warm-up on both
 * workers, the batch runs on two workers, then worker-2 is stopped and the batch runs on worker-1 alone.
 *
 * Usage: npx tsx bench/queue/run.ts   (env: BENCH_EXECUTIONS=200, BENCH_REQUESTS=20, BENCH_LATENCY_MS=50,
 *        BENCH_WORKER_CONCURRENCY=10). Build first (`npm run build`): the package is `npm pack`ed from the worktree.
 * Last line: {"executions", "succeeded", "workers1Ms", "workers2Ms", "speedup", "tokenRequests"} — executions and
 * succeeded count both batches.
 */
import { emulatorCredentials } from '../../scripts/n8n-fixtures';
import { startQueueCluster, type QueueCluster } from '../../scripts/queue-cluster';
import { requestsBody, requestsWorkflow } from '../../scripts/queue-workflows';
import { ROOT, startEmulatorProcess } from '../shared/emulatorProcess';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 10);
const PATH = '/api/cloud/team';
const HOOK = 'bench-queue';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function emulatorJson<T>(url: string, route: string, init?: RequestInit): Promise<T> {
	const res = await fetch(`${url}/__emulator/${route}`, init);
	if (!res.ok) throw new Error(`emulator ${route}: HTTP ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

/** Fires `count` webhook calls at once; returns the wall time and how many came back as a complete run. */
async function batch(cluster: QueueCluster, count: number) {
	const started = performance.now();
	const responses = await Promise.all(
		Array.from({ length: count }, () => cluster.webhook(HOOK, requestsBody(REQUESTS, PATH))),
	);
	const ms = performance.now() - started;
	const succeeded = responses.filter(
		(r) => r.status === 200 && (r.body as { items?: number }).items === REQUESTS,
	).length;
	const workers: Record<string, number> = {};
	for (const r of responses) {
		const worker = (r.body as { worker?: string }).worker ?? 'none';
		workers[worker] = (workers[worker] ?? 0) + 1;
	}
	return { ms, succeeded, workers };
}

async function main() {
	const emu = await startEmulatorProcess();
	let cluster: QueueCluster | undefined;
	const stop = async () => {
		await cluster?.stop();
		emu.stop();
	};
	process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
	try {
		await emulatorJson(emu.url, 'faults', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ path: PATH, probability: 1, response: { delayMs: LATENCY_MS } }),
		});
		cluster = await startQueueCluster({
			packageDir: ROOT,
			workers: 2,
			workerConcurrency: WORKER_CONCURRENCY,
			log,
		});
		await cluster.installPackage();
		const credentialIds = await cluster.createCredentials(emulatorCredentials(emu.url));
		const { id } = await cluster.createWorkflow(requestsWorkflow(HOOK), credentialIds);
		await cluster.activate(id);

		const warm = await batch(cluster, Math.max(20, Math.round(EXECUTIONS / 10)));
		log(`warm-up: ${warm.succeeded} succeeded, by worker ${JSON.stringify(warm.workers)}`);

		const two = await batch(cluster, EXECUTIONS);
		log(
			`2 workers: ${EXECUTIONS} executions in ${Math.round(two.ms)} ms, ${two.succeeded} succeeded, by worker ${JSON.stringify(two.workers)}`,
		);
		await cluster.stopWorker('worker-2');
		const one = await batch(cluster, EXECUTIONS);
		log(
			`1 worker:  ${EXECUTIONS} executions in ${Math.round(one.ms)} ms, ${one.succeeded} succeeded, by worker ${JSON.stringify(one.workers)}`,
		);

		const tokens = await emulatorJson<{ issued: number }>(emu.url, 'token-stats');
		const result = {
			executions: 2 * EXECUTIONS,
			succeeded: two.succeeded + one.succeeded,
			workers1Ms: Math.round(one.ms),
			workers2Ms: Math.round(two.ms),
			speedup: Math.round((one.ms / two.ms) * 100) / 100,
			tokenRequests: tokens.issued,
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} finally {
		await stop();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`bench/queue failed: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
