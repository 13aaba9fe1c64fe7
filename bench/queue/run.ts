/**
 * bench/queue — the same batch of webhook-triggered executions on n8n in queue mode with two workers, then with one.
 *
 * n8n 2.41.1 main + 2 workers on throw-away Postgres and Redis, the package installed through n8n's Community Nodes
 * installer (scripts/queue-cluster.ts). Each execution: Webhook → 20 items → Celonis node GET (OAuth, node defaults)
 * → Respond to Webhook; the emulator (own process) adds 50 ms to every such request. After a warm-up on both
 * workers, the batch runs on two workers, then worker-2 is stopped and the batch runs on worker-1 alone. Per phase it
 * logs the CPU seconds of every process and how busy the machine was.
 *
 * Workers run one execution at a time (BENCH_WORKER_CONCURRENCY=1, n8n's `--concurrency`): in production each worker
 * has its own machine, here all share two cores. A worker spends about 175 ms of CPU per execution (20 requests
 * through n8n's request helper plus the execution's bookkeeping), so at n8n's default concurrency of 10 a single worker already keeps a core busy and
 * both phases are bounded by the machine's cores, not by the number of workers (measured: speedup 1.04, the machine
 * 96-100% busy in both phases). At concurrency 1 a worker's throughput is bounded by its own latency, as on its own
 * machine, and the ratio shows how the work spreads over workers.
 *
 * Usage: npx tsx bench/queue/run.ts   (env: BENCH_EXECUTIONS=200, BENCH_REQUESTS=20, BENCH_LATENCY_MS=50,
 *        BENCH_WORKER_CONCURRENCY=1, BENCH_SAVE_ON_SUCCESS=<EXECUTIONS_DATA_SAVE_ON_SUCCESS>). Build first
 *        (`npm run build`): the package is `npm pack`ed from the worktree.
 * Last line: {"executions", "succeeded", "workers1Ms", "workers2Ms", "speedup", "tokenRequests"} — executions and
 * succeeded count both batches.
 */
import { readdirSync, readFileSync } from 'node:fs';

import { emulatorCredentials } from '../../scripts/n8n-fixtures';
import { startQueueCluster, type QueueCluster } from '../../scripts/queue-cluster';
import { requestsBody, requestsWorkflow } from '../../scripts/queue-workflows';
import { ROOT, startEmulatorProcess } from '../shared/emulatorProcess';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 1);
/** n8n's EXECUTIONS_DATA_SAVE_ON_SUCCESS (n8n's default: all). */
const SAVE_ON_SUCCESS = process.env.BENCH_SAVE_ON_SUCCESS;
const PATH = '/api/cloud/team';
const HOOK = 'bench-queue';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function emulatorJson<T>(url: string, route: string, init?: RequestInit): Promise<T> {
	const res = await fetch(`${url}/__emulator/${route}`, init);
	if (!res.ok) throw new Error(`emulator ${route}: HTTP ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

/** CPU time (s) of a process and of its direct children (Postgres backends, n8n's task runner), from /proc. */
function cpuSeconds(pid: number | undefined, withChildren = true): number {
	if (!pid) return 0;
	const ticks = (stat: string) => {
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) };
	};
	let total = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const { ppid, cpu } = ticks(readFileSync(`/proc/${entry}/stat`, 'utf8'));
			if (Number(entry) === pid || (withChildren && ppid === pid)) total += cpu;
		} catch {
			// gone
		}
	}
	return total / 100;
}

/** Machine-wide busy share of all cores, from /proc/stat. */
function busyTicks(): { busy: number; total: number } {
	const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
	const numbers = values.map(Number);
	const idle = (numbers[3] ?? 0) + (numbers[4] ?? 0);
	const total = numbers.reduce((a, b) => a + b, 0);
	return { busy: total - idle, total };
}

/** Runs `fn` and reports the CPU seconds each process used meanwhile and how busy the machine was. */
async function measured<T>(
	label: string,
	cluster: QueueCluster,
	emulatorPid: number,
	fn: () => Promise<T>,
) {
	const pids: Record<string, number | undefined> = {
		main: cluster.main.service.process.pid,
		...Object.fromEntries(cluster.workers.map((w) => [w.name, w.service.process.pid])),
		postgres: cluster.postgres.service.process.pid,
		redis: cluster.redis.service.process.pid,
		emulator: emulatorPid,
		bench: process.pid,
	};
	// The bench's own children are the services themselves: count only its own time.
	const cpu = (k: string, pid: number | undefined) => cpuSeconds(pid, k !== 'bench');
	const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpu(k, pid)]));
	const machineBefore = busyTicks();
	const result = await fn();
	const machineAfter = busyTicks();
	const used = Object.entries(pids)
		.map(([k, pid]) => `${k} ${(cpu(k, pid) - (before[k] ?? 0)).toFixed(1)}`)
		.join(', ');
	const busy =
		(machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
	log(`${label}: machine ${Math.round(busy * 100)}% busy; CPU s: ${used}`);
	return result;
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
			env: SAVE_ON_SUCCESS ? { EXECUTIONS_DATA_SAVE_ON_SUCCESS: SAVE_ON_SUCCESS } : {},
			log,
		});
		await cluster.installPackage();
		const credentialIds = await cluster.createCredentials(emulatorCredentials(emu.url));
		const { id } = await cluster.createWorkflow(requestsWorkflow(HOOK), credentialIds);
		await cluster.activate(id);

		const warm = await batch(cluster, Math.max(20, Math.round(EXECUTIONS / 10)));
		log(`warm-up: ${warm.succeeded} succeeded, by worker ${JSON.stringify(warm.workers)}`);

		const running = cluster;
		const two = await measured('2 workers', running, emu.pid, () => batch(running, EXECUTIONS));
		log(
			`2 workers: ${EXECUTIONS} executions in ${Math.round(two.ms)} ms, ${two.succeeded} succeeded, by worker ${JSON.stringify(two.workers)}`,
		);
		await cluster.stopWorker('worker-2');
		const one = await measured('1 worker', running, emu.pid, () => batch(running, EXECUTIONS));
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
