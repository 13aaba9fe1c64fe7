/**
 * n8n 2.41.1 in queue mode (main + 2 workers on Postgres and Redis) with the package installed from `npm pack`
 * through n8n's Community Nodes installer; every execution here is started by a production trigger and runs on a
 * worker. See scripts/queue-cluster.ts for the set-up and README "Running at scale" for what is promised.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';

import {
	loadExamples,
	startWebhookSink,
	withLocalWebhook,
	withSmallerGeneratedData,
} from '../../scripts/n8n-fixtures';
import { CELONIS_TRIGGER_TYPE } from '../../scripts/triggerExample';
import { fireEvents } from '../../scripts/triggerWorkflows';
import {
	incrementalAuditWorkflow,
	productionExample,
	pushFileWorkflow,
	requestsBody,
	requestsWorkflow,
	type Workflow,
} from '../../scripts/queue-workflows';
import {
	allFinished,
	countBy,
	executionsLoggedBy,
	fireWebhooks,
	repoRoot,
	settled,
	startCsvSource,
	startQueueFixture,
	waitForExecutions,
	type QueueFixture,
} from './helpers';

const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
const PACKAGE_DIR = (userFolder: string) =>
	path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-celonis');
const sha256 = async (file: string) =>
	createHash('sha256')
		.update(await fs.readFile(file))
		.digest('hex');

let fx: QueueFixture;

beforeAll(async () => {
	fx = await startQueueFixture({ install: false });
});

afterAll(async () => {
	await fx?.stop();
});

const workerNames = () => fx.cluster.workers.map((w) => w.name).sort();

describe('n8n queue mode: main + 2 workers, Postgres, Redis', () => {
	it('installs the npm-packed package through the Community Nodes installer, and both workers install it over Redis', async () => {
		const { cluster } = fx;
		// Nothing on the workers' disks before the install: what they load below came through n8n.
		for (const worker of cluster.workers)
			expect(existsSync(PACKAGE_DIR(worker.userFolder))).toBe(false);

		const installed = (await cluster.installPackage()) as {
			packageName: string;
			installedVersion: string;
			installedNodes: Array<{ type: string }>;
		};
		expect(installed.packageName).toBe('n8n-nodes-celonis');
		expect(installed.installedVersion).toBe(cluster.packed.version);
		expect(installed.installedNodes.map((n) => n.type)).toContain('n8n-nodes-celonis.celonis');

		// Each worker ran npm itself (log) and holds the published files (same bytes as the packed dist/).
		const built = await sha256(path.join(repoRoot, 'dist', 'nodes', 'Celonis', 'Celonis.node.js'));
		for (const instance of [cluster.main, ...cluster.workers]) {
			expect(instance.service.output()).toMatch(/Community package installed: n8n-nodes-celonis/);
			const dir = PACKAGE_DIR(instance.userFolder);
			const manifest = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as {
				version: string;
			};
			expect(manifest.version).toBe(cluster.packed.version);
			expect(await sha256(path.join(dir, 'dist', 'nodes', 'Celonis', 'Celonis.node.js'))).toBe(
				built,
			);
		}
		const rows = await cluster.query<{ packageName: string; installedVersion: string }>(
			'select "packageName", "installedVersion" from installed_packages',
		);
		expect(rows).toEqual([
			{ packageName: 'n8n-nodes-celonis', installedVersion: cluster.packed.version },
		]);

		await fx.createCredentials();
	});

	it('runs 200 concurrent webhook executions on both workers with at most one token request per worker', async () => {
		const { cluster, emu } = fx;
		expect(emu.store.tokens.stats().issued).toBe(0);
		const workflowId = await fx.deploy(requestsWorkflow('queue-oauth'));
		const responses = await fireWebhooks(
			cluster,
			'queue-oauth',
			Array.from({ length: 200 }, () => requestsBody(1)),
		);
		expect(responses.filter((r) => r.status !== 200)).toEqual([]);

		// The execution records say which worker ran each; each worker's own log says the same.
		const records = await waitForExecutions(cluster, workflowId, allFinished(200));
		expect(records.filter((r) => r.status !== 'success')).toEqual([]);
		expect(new Set(records.map((r) => r.mode))).toEqual(new Set(['webhook']));
		const byWorker = countBy(records, (r) => r.worker ?? 'unknown');
		expect(Object.keys(byWorker).sort()).toEqual(workerNames());
		const logged = executionsLoggedBy(cluster);
		for (const record of records) expect(logged[record.worker as string]).toContain(record.id);
		// The webhook answers name the same workers (the Celonis node ran there: the package is loaded on both).
		expect(new Set(responses.map((r) => (r.body as { worker: string }).worker))).toEqual(
			new Set(workerNames()),
		);

		const tokens = emu.store.tokens.stats();
		process.stderr.write(
			`[queue] 200 executions: ${JSON.stringify(byWorker)}, token requests: ${tokens.issued}\n`,
		);
		expect(tokens.issued).toBeGreaterThanOrEqual(1);
		expect(tokens.issued).toBeLessThanOrEqual(cluster.workers.length);
	});

	it('replaces a token revoked mid-run without a failed execution', async () => {
		const { cluster, emu } = fx;
		const workflowId = (await cluster.executions()).find((r) => r.mode === 'webhook')?.workflowId;
		const before = await cluster.executions(workflowId);
		const issuedBefore = emu.store.tokens.stats().issued;
		const servedBefore = emu.store.requestLog.list().length;
		const runs = fireWebhooks(
			cluster,
			'queue-oauth',
			Array.from({ length: 100 }, () => requestsBody(3)),
		);
		// Revoke every token once about a third of the run's 300 requests were served.
		for (let i = 0; i < 600 && emu.store.requestLog.list().length - servedBefore < 100; i++)
			await new Promise((r) => setTimeout(r, 50));
		const revoked = emu.store.tokens.revoke();
		const responses = await runs;

		expect(responses.filter((r) => r.status !== 200)).toEqual([]);
		const records = (
			await waitForExecutions(cluster, workflowId as string, allFinished(before.length + 100))
		).slice(before.length);
		expect(records.filter((r) => r.status !== 'success')).toEqual([]);
		// Positive control: the revocation hit requests in flight (401s), and new tokens were fetched.
		const after = emu.store.requestLog.list().slice(servedBefore);
		const unauthorized = after.filter((e) => e.status === 401).length;
		const issued = emu.store.tokens.stats().issued - issuedBefore;
		process.stderr.write(
			`[queue] revocation: ${revoked} token(s) revoked, ${unauthorized} request(s) answered 401, ${issued} new token request(s), workers ${JSON.stringify(countBy(records, (r) => r.worker ?? 'unknown'))}\n`,
		);
		expect(revoked).toBeGreaterThanOrEqual(1);
		expect(unauthorized).toBeGreaterThanOrEqual(1);
		expect(issued).toBeGreaterThanOrEqual(1);
		expect(issued).toBeLessThanOrEqual(cluster.workers.length);
	});

	it('gets 1,000 requests over both workers through a team limited to 50 requests/s', async () => {
		const { cluster, emu } = fx;
		emu.configure({ rateLimit: { requestsPerSecond: 50 } });
		try {
			const workflowId = await fx.deploy(requestsWorkflow('queue-ratelimit'));
			const servedBefore = emu.store.requestLog.list().length;
			const responses = await fireWebhooks(
				cluster,
				'queue-ratelimit',
				Array.from({ length: 10 }, () => requestsBody(100, '/api/cloud/team')),
			);
			expect(responses.filter((r) => r.status !== 200)).toEqual([]);
			expect(responses.map((r) => (r.body as { items: number }).items)).toEqual(
				Array(10).fill(100),
			);

			const records = await waitForExecutions(cluster, workflowId, allFinished(10));
			expect(records.filter((r) => r.status !== 'success')).toEqual([]);
			expect(Object.keys(countBy(records, (r) => r.worker ?? 'unknown')).sort()).toEqual(
				workerNames(),
			);
			const served = emu.store.requestLog
				.list()
				.slice(servedBefore)
				.filter((e) => e.path === '/api/cloud/team');
			const ok = served.filter((e) => e.status === 200).length;
			const limited = served.filter((e) => e.status === 429).length;
			process.stderr.write(`[queue] rate limit: ${ok} × 200, ${limited} × 429\n`);
			expect(ok).toBe(1000);
			// Positive control: the limit was hit, so the retries (not luck) carried the requests.
			expect(limited).toBeGreaterThan(0);
		} finally {
			emu.configure({ rateLimit: { requestsPerSecond: null } });
		}
	});

	it('pushes 1,000,000 rows from a worker exactly once, also when chunk answers are lost or fail', async () => {
		const { cluster, emu } = fx;
		const rows = 1_000_000;
		const csv = await startCsvSource();
		try {
			const table = 'QUEUE_PUSH';
			const workflowId = await fx.deploy(
				pushFileWorkflow('queue-push', { csvUrl: csv.url, poolId: POOL, table }),
			);
			// Four files of 250,000 rows, four chunks: the 2nd lands but its answer is lost; the 4th gets a 503 first.
			const [faultId] = emu.store.faults.add([
				{
					method: 'POST',
					path: '^/(data-ingestion|integration)/api/v1/data-push/[^/]+/jobs/[^/]+/chunks/upserted$',
					sequence: [{}, { dropResponse: true }, {}, { status: 503 }],
				},
			]);
			const parts = [0, 1, 2, 3].map((i) => ({ from: i * 250_000 + 1, to: (i + 1) * 250_000 }));
			const [response] = await fireWebhooks(cluster, 'queue-push', [{ parts }]);
			expect(response?.status).toBe(200);
			const summary = (response?.body as { first: Record<string, unknown> }).first;
			expect(summary).toMatchObject({ status: 'DONE', rows });

			const [record] = await waitForExecutions(cluster, workflowId, allFinished(1));
			expect(record?.status).toBe('success');
			expect(workerNames()).toContain(record?.worker);

			const landed = emu.store.tables.find(POOL, table)?.rows ?? [];
			const ids = new Set(landed.map((row) => Number((row as { ID: unknown }).ID)));
			const fault = emu.store.faults.list().find((f) => f.id === faultId);
			process.stderr.write(
				`[queue] push: ${landed.length} rows landed (${ids.size} distinct ids) from ${record?.worker}; fault steps used: ${fault?.consumed}\n`,
			);
			expect(fault?.consumed).toBe(4); // positive control: the lost answer and the 503 happened
			expect(landed.length).toBe(rows);
			expect(ids.size).toBe(rows);
			// Every id 1..rows once (and nothing else), without spreading a million values onto the stack.
			let outside = 0;
			for (const id of ids) if (!(id >= 1 && id <= rows)) outside++;
			expect(outside).toBe(0);
		} finally {
			emu.store.faults.clear();
			await csv.close();
		}
	});

	it('gives a worker started after the install the package at start-up (N8N_REINSTALL_MISSING_PACKAGES)', async () => {
		const { cluster } = fx;
		const late = await cluster.startWorker('worker-3');
		try {
			await late.service.waitFor(/Community package installed: n8n-nodes-celonis/, 120_000);
			const manifest = JSON.parse(
				await fs.readFile(path.join(PACKAGE_DIR(late.userFolder), 'package.json'), 'utf8'),
			) as { version: string };
			expect(manifest.version).toBe(cluster.packed.version);
			// It runs the Celonis node: some of a batch of runs land on it and succeed.
			const workflowId = (await cluster.executions()).find((r) => r.mode === 'webhook')?.workflowId;
			const before = (await cluster.executions(workflowId)).length;
			let onLate = 0;
			for (let round = 0; round < 5 && onLate === 0; round++) {
				const responses = await fireWebhooks(
					cluster,
					'queue-oauth',
					Array.from({ length: 30 }, () => requestsBody(1)),
				);
				expect(responses.filter((r) => r.status !== 200)).toEqual([]);
				onLate = responses.filter(
					(r) => (r.body as { worker: string }).worker === late.name,
				).length;
			}
			const records = await waitForExecutions(cluster, workflowId as string, (r) =>
				allFinished(before + 30)(r),
			);
			expect(records.filter((r) => r.status !== 'success')).toEqual([]);
			expect(records.some((r) => r.worker === late.name)).toBe(true);
		} finally {
			await cluster.stopWorker(late.name);
		}
	});

	it('runs the example workflows from their production triggers on the workers', async () => {
		const { cluster, emu } = fx;
		const sink = await startWebhookSink();
		const deployed: Array<{ id: string; workflow: Workflow; file: string }> = [];
		try {
			for (const { file, workflow } of await loadExamples(repoRoot)) {
				// Generated data at 1% (the data-push example makes 100,000 rows every 5 s here; 1,000,000 rows from
				// a worker are the push test's).
				const smaller = withSmallerGeneratedData(workflow);
				const prepared = productionExample(
					withLocalWebhook(smaller, sink.url) as unknown as Workflow,
					{ seconds: 5, webhookPath: `example-${deployed.length}` },
				);
				deployed.push({ id: await fx.deploy(prepared), workflow: prepared, file });
			}
			// Webhook-triggered examples are called once; scheduled ones fire by themselves; a Celonis Trigger's
			// knowledge-model trigger fires in the emulator (its subscription calls main, a worker runs each event).
			const TRIGGER_EVENTS = 5;
			for (const [i, { workflow }] of deployed.entries()) {
				if (
					workflow.nodes.some(
						(n) => n.type === 'n8n-nodes-base.webhook' && n.name !== 'Record worker',
					)
				)
					expect((await cluster.webhook(`example-${i}`, {})).status).toBe(200);
				const trigger = workflow.nodes.find((n) => n.type === CELONIS_TRIGGER_TYPE);
				if (trigger) {
					const idOf = (locator: unknown) => String((locator as { value: string }).value);
					expect(emu.store.subscriptions.list()).toHaveLength(1);
					await fireEvents(emu.url, TRIGGER_EVENTS, {
						knowledgeModelId: idOf(trigger.parameters?.knowledgeModel),
						triggerId: idOf(trigger.parameters?.trigger),
					});
				}
			}
			const report: string[] = [];
			for (const { id, workflow, file } of deployed) {
				const triggered = workflow.nodes.some((n) => n.type === CELONIS_TRIGGER_TYPE);
				await waitForExecutions(cluster, id, (r) =>
					triggered ? r.filter(settled).length >= TRIGGER_EVENTS : r.some(settled),
				);
				await cluster.deactivate(id);
				// Runs that started before the deactivation finish too.
				const done = await waitForExecutions(cluster, id, allFinished(1));
				expect(done.filter((e) => e.status !== 'success')).toEqual([]);
				// Each event once: one execution per event, the subscription gone with the deactivation.
				if (triggered) {
					expect(done).toHaveLength(TRIGGER_EVENTS);
					expect(emu.store.subscriptions.list()).toEqual([]);
				}
				expect(workerNames()).toEqual(expect.arrayContaining(done.map((e) => e.worker)));
				const data = (await cluster.executionData(done[0]!.id)) as {
					resultData: {
						runData: Record<
							string,
							Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> } }>
						>;
					};
				};
				for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-celonis.'))) {
					const items = data.resultData.runData[node.name]?.[0]?.data?.main[0] ?? [];
					expect(items.length).toBeGreaterThan(0);
				}
				report.push(`${file}: ${done.map((e) => `#${e.id} ${e.mode} on ${e.worker}`).join(', ')}`);
			}
			process.stderr.write(`[queue] examples:\n  ${report.join('\n  ')}\n`);
			// What the examples did, seen from the other side.
			expect(emu.store.tables.find(POOL, 'SALES_ORDERS')?.rows.length).toBeGreaterThan(0);
			expect(sink.received.length).toBeGreaterThan(0);
		} finally {
			for (const { id } of deployed) await cluster.deactivate(id).catch(() => undefined);
			await sink.close();
		}
	});

	describe('incremental export, two overlapping runs of one workflow on two workers', () => {
		/** Per run: the audit events it exported; filled by the first test, judged by the second. */
		const runs: Array<{ id: string; worker: string | null; eventIds: string[] }> = [];
		let expected = new Set<string>();

		it('runs the same export twice at once, twice (new events in between), then alone, and counts what each run exported', async () => {
			const { cluster, emu } = fx;
			const workflowId = await fx.deploy(incrementalAuditWorkflow('queue-export'));
			// Slow audit answers, so that the two runs of a round surely overlap.
			emu.store.faults.add([
				{ path: '/log/api/external/v2/audit', probability: 1, response: { delayMs: 1500 } },
			]);
			const weekAgo = Date.now() - 7 * 86_400_000;
			try {
				for (const round of [1, 2]) {
					if (round === 2)
						emu.store.audit.append(
							Array.from({ length: 10 }, (_, i) => ({
								userId: 'u-queue',
								userRole: 'ADMIN',
								event: 'QUEUE_TEST_EVENT',
								timestamp: new Date(Date.now() - 1000 + i).toISOString(),
								message: { eventId: `queue-new-${i}` },
								ipAddress: '127.0.0.1',
								port: null,
								diffPayload: null,
							})),
						);
					const responses = await fireWebhooks(cluster, 'queue-export', [{}, {}]);
					expect(responses.map((r) => r.status)).toEqual([200, 200]);
					const [stored] = await cluster.query<{ staticData: unknown }>(
						'select "staticData" from workflow_entity where id = $1',
						[workflowId],
					);
					process.stderr.write(
						`[queue] export position stored after round ${round}: ${JSON.stringify(stored?.staticData)}\n`,
					);
				}
				// Round 3: one run alone, nothing new since round 2.
				expect((await cluster.webhook('queue-export', {})).status).toBe(200);
				expected = new Set(
					emu.store.audit
						.all()
						.filter((e) => Date.parse(e.timestamp) >= weekAgo)
						.map((e) => (e.message as { eventId: string }).eventId),
				);
			} finally {
				emu.store.faults.clear();
			}
			const records = await waitForExecutions(cluster, workflowId, allFinished(5));
			expect(records.filter((r) => r.status !== 'success')).toEqual([]);
			// Positive control: the two runs of each round overlapped in time.
			const times = await cluster.query<{ id: string; startedAt: Date; stoppedAt: Date }>(
				'select id::text, "startedAt", "stoppedAt" from execution_entity where "workflowId" = $1 order by id',
				[workflowId],
			);
			for (const [a, b] of [
				[times[0], times[1]],
				[times[2], times[3]],
			])
				expect(a!.startedAt < b!.stoppedAt && b!.startedAt < a!.stoppedAt).toBe(true);
			for (const record of records) {
				const data = (await cluster.executionData(record.id)) as {
					resultData: {
						runData: Record<
							string,
							Array<{ data?: { main: Array<Array<{ json: { message?: { eventId?: string } } }>> } }>
						>;
					};
				};
				const items = data.resultData.runData['New audit events']?.[0]?.data?.main[0] ?? [];
				runs.push({
					id: record.id,
					worker: record.worker,
					eventIds: items.map((item) => String(item.json.message?.eventId)),
				});
			}
			const exported = runs.flatMap((r) => r.eventIds);
			const distinct = new Set(exported);
			process.stderr.write(
				`[queue] overlapping incremental exports: ${runs.map((r) => `#${r.id} on ${r.worker}: ${r.eventIds.length}`).join(', ')}; ` +
					`${exported.length} exported, ${distinct.size} distinct, ${exported.length - distinct.size} duplicates, ` +
					`${[...expected].filter((id) => !distinct.has(id)).length} of ${expected.size} events in the window missing\n`,
			);
			expect(expected.size).toBeGreaterThan(10);
		});

		// n8n 2.41.1 runs a queued execution on a workflow snapshot without static data (executions/execution-data/
		// types.js toWorkflowSnapshot; scaling/job-processor.js), so the export keeps its position in n8n's database
		// ("Keep Position In: n8n Database (Queue Mode)"): runs take turns, and each event is exported once.
		it('exports every event exactly once across the overlapping runs', () => {
			const exported = runs.flatMap((r) => r.eventIds);
			expect(runs).toHaveLength(5);
			expect(exported.length).toBe(new Set(exported).size);
			expect(new Set(exported)).toEqual(expected);
		});
	});
});
