/**
 * Celonis Trigger benchmark: N events (default 1,000) fired in the emulator (its own process) reach a local
 * sink through a real n8n (`n8n start`) twice, in the same run, in the same n8n:
 *   - Celonis Trigger → Set → HTTP Request (published: n8n subscribes itself, checks each delivery's secret),
 *   - n8n's plain Webhook node → the same Set → HTTP Request, subscribed directly to the same trigger (the
 *     floor: what receiving Celonis' deliveries costs in n8n without the node).
 * The emulator delivers both the same way (one event per request, one after the other). Each phase is timed
 * from the fire request to the Nth event at the sink, after a warm-up of both; the phases alternate.
 *
 * n8n 2.41 evaluates expressions in an isolate (its default expression engine "vm", one isolate per process)
 * and takes it for the webhook phase of every webhook trigger except its own Webhook node with static
 * parameters; `--expression-engine legacy` runs n8n without it, to tell that cost from the node's own.
 *
 * Usage: npx tsx bench/trigger/run.ts [--events 1000] [--warmup 100] [--reps 1] [--expression-engine vm|legacy]
 * The last line of output is {"events","delivered","duplicates","timeVsWebhookNode"}.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { configureEmulator, median, ROOT, startEmulatorProcess } from '../shared/emulatorProcess';
import { createN8nSandbox, freePort } from '../../scripts/n8n-cli';
import { DEMO_IDENTITIES, emulatorCredentials, ownerEnv } from '../../scripts/n8n-fixtures';
import { n8nRest } from '../../scripts/n8n-rest';
import {
	celonisTriggerWorkflow,
	fireEvents,
	waitUntil,
	webhookNodeWorkflow,
	type SinkRecord,
} from '../../scripts/triggerWorkflows';

function option(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}
const arg = (name: string, fallback: number) => Number(option(name) ?? fallback);

const EVENTS = arg('events', 1000);
const WARMUP = arg('warmup', 100);
const REPS = arg('reps', 1);
const EXPRESSION_ENGINE = option('expression-engine');
const TRIGGER = 'blocked-order';
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Receives what the workflows post; notes when the expected number of records has arrived. */
async function startSink() {
	const state = { records: [] as SinkRecord[], target: Infinity, reachedAt: 0 };
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			state.records.push(JSON.parse(body) as SinkRecord);
			if (state.records.length === state.target) state.reachedAt = performance.now();
			res.writeHead(200).end('{}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		state,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

async function main(): Promise<void> {
	const emu = await startEmulatorProcess();
	const sink = await startSink();
	// Deliveries as the emulator's defaults say; the log must hold every event of the run.
	await configureEmulator(emu.url, { subscriptions: { deliveryLogLimit: 1_000_000 } });
	const sandbox = await createN8nSandbox({ packageDir: ROOT });
	const celonis = { id: 'benchCelonisTrigger', webhookId: randomUUID() };
	const plain = { id: 'benchWebhookNode', webhookId: randomUUID() };
	try {
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		await sandbox.importWorkflow([
			celonisTriggerWorkflow({ ...celonis, sinkUrl: sink.url, triggerId: TRIGGER }),
			webhookNodeWorkflow({ ...plain, sinkUrl: sink.url }),
		] as unknown as { id: string });
		const server = await sandbox.startServer({
			port: await freePort(),
			env: {
				...(await ownerEnv(sandbox.runtime)),
				...(EXPRESSION_ENGINE ? { N8N_EXPRESSION_ENGINE: EXPRESSION_ENGINE } : {}),
			},
		});
		say(`n8n ${server.url}, expression engine: ${EXPRESSION_ENGINE ?? "n8n's default (vm)"}`);
		const rest = n8nRest(server.url);
		const api = async (method: string, path: string, body?: unknown) => {
			const res = await fetch(`${emu.url}${path}`, {
				method,
				headers: {
					authorization: `Bearer ${DEMO_IDENTITIES.apiKey}`,
					'content-type': 'application/json',
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
			return res.status === 204 ? undefined : ((await res.json()) as { id: string });
		};

		/** Fires `count` events and waits until the sink holds them; returns the seconds it took. */
		const pass = async (count: number): Promise<{ seconds: number; records: SinkRecord[] }> => {
			sink.state.records = [];
			sink.state.target = count;
			sink.state.reachedAt = 0;
			const started = performance.now();
			await fireEvents(emu.url, count, { triggerId: TRIGGER, wait: false });
			await waitUntil(() => sink.state.reachedAt > 0, `${count} events at the sink`, 1_800_000);
			await new Promise((resolve) => setTimeout(resolve, 1000)); // late duplicates would land now
			return {
				seconds: (sink.state.reachedAt - started) / 1000,
				records: [...sink.state.records],
			};
		};

		const webhookNodePhase = async (count: number) => {
			await rest.activate(plain.id);
			const subscription = await api(
				'POST',
				`/intelligence/api/knowledge-models/o2c-km/triggers/${TRIGGER}/subscriptions`,
				{
					name: 'bench: plain Webhook node',
					callbackInfo: { uri: `${server.url}/webhook/${plain.webhookId}`, protocol: 'HTTP' },
				},
			);
			try {
				return await pass(count);
			} finally {
				await api('DELETE', `/intelligence/api/subscriptions/${subscription!.id}`);
				await rest.deactivate(plain.id);
			}
		};
		const celonisPhase = async (count: number) => {
			await rest.activate(celonis.id);
			try {
				return await pass(count);
			} finally {
				await rest.deactivate(celonis.id);
			}
		};

		if (WARMUP > 0) {
			const w1 = await webhookNodePhase(WARMUP);
			const w2 = await celonisPhase(WARMUP);
			say(
				`warm-up (${WARMUP} events): Webhook node ${w1.seconds.toFixed(1)} s, Celonis Trigger ${w2.seconds.toFixed(1)} s`,
			);
		}
		const floor: number[] = [];
		const trigger: number[] = [];
		let last: SinkRecord[] = [];
		for (let rep = 0; rep < REPS; rep++) {
			const a = await webhookNodePhase(EVENTS);
			const b = await celonisPhase(EVENTS);
			floor.push(a.seconds);
			trigger.push(b.seconds);
			last = b.records;
			say(
				`rep ${rep + 1}: ${EVENTS} events: Webhook node ${a.seconds.toFixed(1)} s (${(EVENTS / a.seconds).toFixed(0)}/s), Celonis Trigger ${b.seconds.toFixed(1)} s (${(EVENTS / b.seconds).toFixed(0)}/s)`,
			);
		}
		await server.stop();

		const distinct = new Set(last.map((r) => r.eventId));
		const inOrder = [...last]
			.sort((x, y) => x.executionId - y.executionId)
			.every((r, i, all) => i === 0 || r.offset > all[i - 1].offset);
		say(
			`Celonis Trigger: ${distinct.size} distinct events, executions started in event order: ${inOrder}`,
		);
		say(
			JSON.stringify({
				events: EVENTS,
				delivered: distinct.size,
				duplicates: last.length - distinct.size,
				timeVsWebhookNode: Number((median(trigger) / median(floor)).toFixed(3)),
			}),
		);
	} finally {
		await sandbox.dispose();
		await sink.close();
		emu.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`bench/trigger: ${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
});
