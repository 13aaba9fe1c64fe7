/**
 * What an example workflow's run must show, checked against the emulator's state: rows pushed are in the table,
 * exported files exist in n8n's binary store, the webhook received the events. Used by the demo (printed) and by
 * the e2e tests (asserted).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import type { Emulator } from '../emulator';
import type { ExecuteResult, N8nSandbox } from './n8n-cli';
import type { ExampleWorkflow } from './n8n-fixtures';

export interface Check {
	label: string;
	ok: boolean;
	detail: string;
}

interface NodeOutput {
	json: Record<string, unknown>;
	binary?: Record<
		string,
		{ fileName?: string; id?: string; data?: string; fileSize?: string | number }
	>;
}

function outputsOf(result: ExecuteResult): Record<string, NodeOutput[]> {
	const out: Record<string, NodeOutput[]> = {};
	for (const [name, runs] of Object.entries(result.run?.data.resultData.runData ?? {})) {
		out[name] = ((runs[0]?.data?.main?.[0] ?? []) as NodeOutput[]) ?? [];
	}
	return out;
}

/** A file of a node's output or input, read from n8n's binary store (or the item, in memory mode). */
async function readBinary(
	sandbox: N8nSandbox,
	binary: NonNullable<NodeOutput['binary']>[string],
): Promise<Buffer | undefined> {
	if (binary.data && !binary.id) return Buffer.from(binary.data, 'base64');
	if (!binary.id) return undefined;
	const relative = binary.id.replace(/^filesystem(-v2)?:/, '');
	for (const base of [
		path.join(sandbox.userFolder, '.n8n', 'storage'),
		path.join(sandbox.userFolder, '.n8n', 'binaryData'),
		path.join(sandbox.userFolder, '.n8n'),
	]) {
		const content = await fs.readFile(path.join(base, relative)).catch(() => undefined);
		if (content) return content;
	}
	return undefined;
}

/** n8n keeps binary data in its binary store; the demo copies exported files next to the repo for a look. */
async function saveFile(
	sandbox: N8nSandbox,
	binary: NonNullable<NodeOutput['binary']>[string],
	outputDir: string,
): Promise<string | undefined> {
	const content = await readBinary(sandbox, binary);
	if (!content) return undefined;
	await fs.mkdir(outputDir, { recursive: true });
	const target = path.join(outputDir, binary.fileName ?? 'export.bin');
	await fs.writeFile(target, content);
	return target;
}

/** The node whose output feeds `nodeName`. */
function inputNodeOf(workflow: ExampleWorkflow['workflow'], nodeName: string): string | undefined {
	const connections = workflow.connections as Record<
		string,
		{ main: Array<Array<{ node: string }>> }
	>;
	return Object.entries(connections).find(([, c]) =>
		c.main.some((outputs) => outputs.some((t) => t.node === nodeName)),
	)?.[0];
}

/** A pushed row matches a landed one when the keys (or, without keys, every field) agree as text. */
function sameRow(
	pushed: Record<string, unknown>,
	landed: Record<string, unknown>,
	keys: string[],
): boolean {
	const fields = keys.length > 0 ? keys : Object.keys(pushed);
	return (
		fields.every((field) => String(pushed[field]) === String(landed[field])) &&
		Object.entries(pushed).every(
			([field, value]) => typeof value !== 'string' || String(landed[field]) === value,
		)
	);
}

/** How many pushed rows are in the table: landed rows looked up by the key columns (or by the first field). */
function countLanded(
	pushed: Array<Record<string, unknown>>,
	landed: Array<Record<string, unknown>>,
	keys: string[],
): number {
	const by = keys.length > 0 ? keys : Object.keys(pushed[0] ?? {}).slice(0, 1);
	const key = (row: Record<string, unknown>) => by.map((f) => String(row[f])).join('\u0000');
	const index = new Map<string, Array<Record<string, unknown>>>();
	for (const row of landed) {
		const k = key(row);
		const list = index.get(k);
		if (list) list.push(row);
		else index.set(k, [row]);
	}
	return pushed.filter((row) => index.get(key(row))?.some((l) => sameRow(row, l, keys))).length;
}

/** The rows of the CSV files an item list carries (header row first, as Convert to File writes them). */
async function csvRowsOf(
	sandbox: N8nSandbox,
	items: NodeOutput[],
): Promise<Array<Record<string, unknown>>> {
	const rows: Array<Record<string, unknown>> = [];
	for (const item of items)
		for (const binary of Object.values(item.binary ?? {})) {
			const content = await readBinary(sandbox, binary);
			if (content)
				rows.push(
					...(parse(content, { bom: true, columns: true }) as Array<Record<string, unknown>>),
				);
		}
	return rows;
}

const megabytes = (bytes: unknown) => `${(Number(bytes) / 1e6).toFixed(1)} MB`;
const seconds = (ms: unknown) => `${(Number(ms) / 1000).toFixed(1)} s`;

export async function verifyExample(
	example: ExampleWorkflow,
	result: ExecuteResult,
	context: {
		emu: Emulator;
		sandbox: N8nSandbox;
		webhook: { received: unknown[] };
		outputDir: string;
	},
): Promise<Check[]> {
	const { emu, sandbox, webhook, outputDir } = context;
	const checks: Check[] = [];
	const outputs = outputsOf(result);
	const nodes = example.workflow.nodes as Array<{
		name: string;
		type: string;
		parameters: Record<string, unknown>;
	}>;
	for (const node of nodes.filter((n) => n.type === 'n8n-nodes-celonis.celonis')) {
		const items = outputs[node.name] ?? [];
		const first = items[0]?.json ?? {};
		if (typeof first.jobId === 'string' && typeof first.rows === 'number') {
			const table = emu.store.tables.find(String(first.poolId), String(first.table));
			const input = outputs[inputNodeOf(example.workflow, node.name) ?? ''] ?? [];
			const isFile = node.parameters.operation === 'pushFile';
			// Push Items: the input items are the rows; Push File: the rows of the input items' CSV files.
			const pushed = isFile ? await csvRowsOf(sandbox, input) : input.map((item) => item.json);
			const keys = String(node.parameters.keyColumns ?? '')
				.split(',')
				.map((k) => k.trim())
				.filter(Boolean);
			const found = countLanded(
				pushed,
				(table?.rows ?? []) as Array<Record<string, unknown>>,
				keys,
			);
			checks.push({
				label: node.name,
				ok: first.status === 'DONE' && pushed.length === first.rows && found === pushed.length,
				detail: `${first.rows} rows${isFile ? ` of ${first.files} file(s)` : ''} pushed in ${first.chunks} chunk(s), ${megabytes(first.bytes)}, ${seconds(first.durationMs)} (${first.mode}), job ${first.status}; ${found} of them verified in the emulator's table ${first.table} (${table?.rows.length ?? 0} rows in all)`,
			});
		} else if (typeof first.events === 'number' && items[0]?.binary) {
			const [binary] = Object.values(items[0].binary);
			const saved = await saveFile(sandbox, binary, outputDir);
			checks.push({
				label: node.name,
				ok: saved !== undefined,
				detail: `${first.events} events exported to ${first.fileName} (${first.fileSize} bytes)${saved ? `, saved as ${path.relative(process.cwd(), saved) || saved}` : ', file not found in n8n storage'}`,
			});
		} else if (node.parameters.resource === 'exportPosition') {
			checks.push({
				label: node.name,
				ok: items.length > 0 && first.confirmed === true,
				detail:
					items.length > 0
						? `position of "${String(first.exportNode)}" confirmed at ${String(first.watermark)} (${String(first.events)} event(s))`
						: 'did not run: nothing was confirmed',
			});
		} else if (node.parameters.operation === 'reload') {
			checks.push({
				label: node.name,
				ok: items.length > 0 && !('error' in first),
				detail: `data model reload: ${String(first.status ?? first.loadStatus ?? 'triggered')}`,
			});
		} else {
			checks.push({
				label: node.name,
				ok: items.length > 0,
				detail: `${items.length} item(s) from ${node.parameters.path ?? `${node.parameters.resource} → ${node.parameters.operation}`}`,
			});
		}
	}
	// The local sink stands in for every example.com endpoint: JSON batches (webhooks) and uploaded files (text).
	const batches = webhook.received.filter((body) => typeof body === 'object' && body !== null);
	const files = webhook.received.filter((body): body is string => typeof body === 'string');
	for (const node of nodes.filter((n) => n.type === 'n8n-nodes-base.httpRequest')) {
		const ran = (outputs[node.name] ?? []).length > 0;
		if (node.parameters.contentType === 'binaryData') {
			const bytes = files.reduce((n, body) => n + Buffer.byteLength(body), 0);
			checks.push({
				label: node.name,
				ok: ran && files.length > 0,
				detail: `the local storage endpoint received ${files.length} file(s), ${bytes} bytes`,
			});
			continue;
		}
		const events = batches.reduce<number>(
			(n, body) => n + (((body as { events?: unknown[] }).events ?? []) as unknown[]).length,
			0,
		);
		checks.push({
			label: node.name,
			ok: ran,
			detail: `the local webhook received ${batches.length} POST(s) with ${events} events`,
		});
	}
	// In the order of the workflow's nodes: export, delivery, confirmation.
	const order = (label: string) => nodes.findIndex((n) => n.name === label);
	return checks.sort((a, b) => order(a.label) - order(b.label));
}
