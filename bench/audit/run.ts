/**
 * Audit-log export benchmark: 100,000 events (v2 cursor, 200 per page) through
 *   - the Celonis node (Audit Log → Get Many), as items and as a CSV file,
 *   - a minimal n8n node that pages the same API with httpRequestWithAuthentication in a plain loop (the floor
 *     for any n8n-native node),
 *   - a bare undici paging loop,
 * all in n8n-core's WorkflowExecute (the undici loop aside), against the same emulator (its own process), in the
 * same run, interleaved, median of --reps repetitions. All three send the same query (pageSize=200, to=now, then
 * pageToken), so the emulator does the same work for each and the ratios measure the client side.
 *
 * Peak RSS is measured in fresh child processes (n8n's filesystem binary-data mode, the n8n 2.x default) at 1x
 * and 10x the events, for the node's CSV file export and for the helper floor paging the same events and
 * dropping them. The floor is the reference for the 10x growth: the live heap stays flat, but n8n's request
 * helper leaves per-request garbage that V8 promotes and collects late (README, Benchmarks). A third 10x run
 * of the node with the old space capped at 128 MB shows the peak when V8 must collect it.
 *
 * Usage: npx tsx bench/audit/run.ts [--events 100000] [--reps 5] [--no-10x]
 * The last line of output is {"events","timeVsHelperFloor","timeVsUndici","fileModePeakRssMB",
 * "fileModePeakRssMBAt10x","helperFloorPeakRssMB","helperFloorPeakRssMBAt10x","fileModePeakRssMBAt10xCapped128"}
 * (the last: the node's 10x run in a process started with --max-old-space-size=128).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { configureEmulator, median, startEmulatorProcess } from '../shared/emulatorProcess';
import { CAPPED_OLD_SPACE_MB, childResult, spawnExportChild } from './child';
import { DEMO, oauthData } from '../../test/harness/emulator';
import { Engine, type NodeSpec } from '../../test/harness/engine';
// after the harness (reflect-metadata, user folder)
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import { createRequire } from 'node:module';

// n8n-core has its own copy of @n8n/di: use that container.
const { Container } = createRequire(require.resolve('n8n-core'))(
	'@n8n/di',
) as typeof import('@n8n/di');

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

const EVENTS = Number(arg('events') ?? 100_000);
const REPS = Number(arg('reps') ?? 5);
const PATH = '/log/api/external/v2/audit';

/**
 * The floor: the same API paged with n8n's helper in a plain loop, no checks. "items" makes one item per
 * event (the time floor); "discard" parses each page and drops it, sent with the Celonis node's request
 * options (raw bytes, full response) — of those we tried the ones that leave the least garbage — which is
 * the memory floor of any node that pages this API through n8n's helper.
 */
class AuditHelperLoop implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audit Helper Loop',
		name: 'auditHelperLoop',
		group: ['transform'],
		version: 1,
		description: 'Benchmark baseline',
		defaults: { name: 'Audit Helper Loop' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'celonisOAuth2Api', required: true }],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Keep', name: 'keep', type: 'string', default: 'items' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const url = this.getNodeParameter('url', 0) as string;
		const discard = this.getNodeParameter('keep', 0) === 'discard';
		// The same request as the Celonis node's "All Events" window: up to now (so the server does the same work).
		const to = new Date().toISOString();
		const out: INodeExecutionData[] = [];
		let events = 0;
		let pageToken: string | undefined;
		do {
			const qs = { pageSize: 200, to, ...(pageToken ? { pageToken } : {}) };
			let page: { content: IDataObject[]; nextPageToken?: string };
			if (discard) {
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					'celonisOAuth2Api',
					{
						method: 'GET',
						url,
						qs,
						headers: { Accept: 'application/json' },
						encoding: 'arraybuffer',
						returnFullResponse: true,
						disableFollowRedirect: true,
					},
				)) as { body: ArrayBuffer };
				page = JSON.parse(Buffer.from(response.body).toString('utf8')) as typeof page;
			} else {
				page = (await this.helpers.httpRequestWithAuthentication.call(this, 'celonisOAuth2Api', {
					method: 'GET',
					url,
					qs,
					json: true,
				})) as typeof page;
				for (const json of page.content) out.push({ json, pairedItem: { item: 0 } });
			}
			events += page.content.length;
			pageToken = page.nextPageToken;
		} while (pageToken);
		return [discard ? [{ json: { events }, pairedItem: { item: 0 } }] : out];
	}
}

async function undiciLoop(url: string, token: string): Promise<number> {
	const out: unknown[] = [];
	const to = encodeURIComponent(new Date().toISOString());
	let pageToken: string | undefined;
	do {
		const r = await request(
			`${url}${PATH}?pageSize=200&to=${to}${pageToken ? `&pageToken=${pageToken}` : ''}`,
			{ headers: { authorization: `Bearer ${token}` } },
		);
		const page = (await r.body.json()) as { content: unknown[]; nextPageToken?: string };
		for (const e of page.content) out.push({ json: e });
		pageToken = page.nextPageToken;
	} while (pageToken);
	return out.length;
}

async function tokenFor(url: string): Promise<string> {
	const r = await request(`${url}/oauth2/token`, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			authorization: `Basic ${Buffer.from(`${DEMO.client.id}:${DEMO.client.secret}`).toString('base64')}`,
		},
		body: 'grant_type=client_credentials&scope=audit.log%3Aread',
	});
	return ((await r.body.json()) as { access_token: string }).access_token;
}

const celonisNode = (creds: NodeSpec['credentials'], output: string): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: {
		authentication: 'oAuth2',
		resource: 'auditLog',
		operation: 'getAll',
		apiVersion: 'v2',
		timeWindow: 'all',
		output,
	},
	credentials: creds,
});

async function timed(fn: () => Promise<number>): Promise<{ ms: number; count: number }> {
	const start = performance.now();
	const count = await fn();
	return { ms: performance.now() - start, count };
}

function peakRssMB(): number {
	const s = readFileSync('/proc/self/status', 'utf8');
	return Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
}

type Subject = 'node' | 'floor';

/**
 * Child: one export in n8n's filesystem binary-data mode (the n8n 2.x default) — the Celonis node's CSV file,
 * or the helper floor paging the same events — and prints its peak RSS.
 */
async function child(url: string, events: number, subject: Subject): Promise<void> {
	const storage = mkdtempSync(join(tmpdir(), 'bench-audit-binary-'));
	const config = Container.get(BinaryDataConfig);
	config.mode = 'filesystem';
	config.localStoragePath = storage;
	await Container.get(BinaryDataService).init();
	try {
		const engine = await Engine.create({ 'bench.auditHelperLoop': new AuditHelperLoop() });
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(url, DEMO.client, { scopes: ['audit.log:read'] }),
		);
		if (subject === 'floor') {
			// --keep items: the floor holding every event as an item (test/slow/auditFileMemory's counter-check)
			const keep = arg('keep') === 'items' ? 'items' : 'discard';
			const r = await engine.runChain([floorSpec(url, creds, keep)]);
			if (r.error) throw r.error;
			const got = keep === 'items' ? r.items('Floor').length : r.json('Floor')[0]?.events;
			if (got !== events) throw new Error(`expected ${events} events, got ${String(got)}`);
			process.stdout.write(`${JSON.stringify({ subject, events, peakRssMB: peakRssMB() })}\n`);
			return;
		}
		// --format jsonl: the JSON Lines file instead of CSV
		const format = arg('format') === 'jsonl' ? 'jsonl' : 'csv';
		const r = await engine.runChain([celonisNode(creds, format)]);
		if (r.error) throw r.error;
		const [item] = r.items('Celonis');
		if (item.json.events !== events)
			throw new Error(`expected ${events} events, got ${String(item.json.events)}`);
		const binary = item.binary!.data;
		process.stdout.write(
			`${JSON.stringify({ subject, format, events, peakRssMB: peakRssMB(), fileBytes: item.json.fileSize, binaryDataMode: binary.data, stored: Boolean(binary.id) })}\n`,
		);
	} finally {
		rmSync(storage, { recursive: true, force: true });
	}
}

async function runChild(
	url: string,
	events: number,
	subject: Subject,
	nodeOptions: string[] = [],
): Promise<{ peakRssMB: number; fileBytes?: number; binaryDataMode?: string }> {
	const { code, out, err } = await spawnExportChild(
		url,
		events,
		['--subject', subject],
		nodeOptions,
	);
	if (code !== 0) throw new Error(`file-mode child exited with ${code}: ${out}${err.slice(-2000)}`);
	return childResult(out);
}

const floorSpec = (
	url: string,
	creds: NodeSpec['credentials'],
	keep: 'items' | 'discard',
): NodeSpec => ({
	name: 'Floor',
	type: 'bench.auditHelperLoop',
	parameters: { url: `${url}${PATH}`, keep },
	credentials: creds,
});

async function main(): Promise<void> {
	const childUrl = arg('child');
	if (childUrl) return await child(childUrl, EVENTS, arg('subject') === 'floor' ? 'floor' : 'node');

	const emu = await startEmulatorProcess();
	try {
		await configureEmulator(emu.url, { generated: { auditEvents: EVENTS } });
		const engine = await Engine.create({ 'bench.auditHelperLoop': new AuditHelperLoop() });
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
		);
		const floor = floorSpec(emu.url, creds, 'items');
		const token = await tokenFor(emu.url);

		const scenarios: Record<string, () => Promise<number>> = {
			nodeItems: async () =>
				(await engine.runChain([celonisNode(creds, 'items')])).items('Celonis').length,
			helperFloor: async () => (await engine.runChain([floor])).items('Floor').length,
			undici: async () => await undiciLoop(emu.url, token),
			nodeCsvFile: async () =>
				Number((await engine.runChain([celonisNode(creds, 'csv')])).json('Celonis')[0]?.events),
		};
		const times: Record<string, number[]> = Object.fromEntries(
			Object.keys(scenarios).map((k) => [k, []]),
		);
		for (const fn of Object.values(scenarios)) await fn(); // warm-up (token, JIT)
		for (let rep = 0; rep < REPS; rep++) {
			for (const [name, fn] of Object.entries(scenarios)) {
				const { ms, count } = await timed(fn);
				if (count !== EVENTS)
					throw new Error(`${name} returned ${count} events, expected ${EVENTS}`);
				times[name].push(ms);
			}
		}
		const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))]));
		process.stdout.write(
			`median ms over ${REPS} interleaved reps, ${EVENTS} events (${EVENTS / 200} pages): ${JSON.stringify(m)}\n`,
		);
		process.stdout.write(
			`file mode vs helper floor (items): ${(m.nodeCsvFile / m.helperFloor).toFixed(3)}\n`,
		);

		// Peak RSS in fresh processes: the node's file export, then the helper floor, at 1x and at 10x the events.
		const at1 = await runChild(emu.url, EVENTS, 'node');
		process.stdout.write(`file mode, ${EVENTS} events: ${JSON.stringify(at1)}\n`);
		const floorAt1 = await runChild(emu.url, EVENTS, 'floor');
		process.stdout.write(`helper floor, ${EVENTS} events: ${JSON.stringify(floorAt1)}\n`);
		let at10: { peakRssMB: number } | undefined;
		let floorAt10: { peakRssMB: number } | undefined;
		let capped10: { peakRssMB: number } | undefined;
		if (!process.argv.includes('--no-10x')) {
			await configureEmulator(emu.url, { generated: { auditEvents: EVENTS * 10 } });
			at10 = await runChild(emu.url, EVENTS * 10, 'node');
			process.stdout.write(`file mode, ${EVENTS * 10} events: ${JSON.stringify(at10)}\n`);
			floorAt10 = await runChild(emu.url, EVENTS * 10, 'floor');
			process.stdout.write(`helper floor, ${EVENTS * 10} events: ${JSON.stringify(floorAt10)}\n`);
			// As n8n runs when NODE_OPTIONS caps the heap: V8 then collects before the garbage piles up.
			capped10 = await runChild(emu.url, EVENTS * 10, 'node', [
				`--max-old-space-size=${CAPPED_OLD_SPACE_MB}`,
			]);
			process.stdout.write(
				`file mode, ${EVENTS * 10} events, --max-old-space-size=${CAPPED_OLD_SPACE_MB}: ${JSON.stringify(capped10)}\n`,
			);
		}
		const round = (x: number, d = 3) => Number(x.toFixed(d));
		process.stdout.write(
			`${JSON.stringify({
				events: EVENTS,
				timeVsHelperFloor: round(m.nodeItems / m.helperFloor),
				timeVsUndici: round(m.nodeItems / m.undici),
				fileModePeakRssMB: round(at1.peakRssMB, 1),
				fileModePeakRssMBAt10x: at10 ? round(at10.peakRssMB, 1) : null,
				helperFloorPeakRssMB: round(floorAt1.peakRssMB, 1),
				helperFloorPeakRssMBAt10x: floorAt10 ? round(floorAt10.peakRssMB, 1) : null,
				fileModePeakRssMBAt10xCapped128: capped10 ? round(capped10.peakRssMB, 1) : null,
			})}\n`,
		);
	} finally {
		emu.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`bench/audit: ${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
});
