/**
 * What an example workflow's run must show, checked against the emulator's state: rows pushed are in the table,
 * exported files exist in n8n's binary store, the webhook received the events. Used by the demo (printed) and by
 * the e2e tests (asserted).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

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

/** n8n keeps binary data in its binary store; the demo copies exported files next to the repo for a look. */
async function saveFile(
	sandbox: N8nSandbox,
	binary: NonNullable<NodeOutput['binary']>[string],
	outputDir: string,
): Promise<string | undefined> {
	const name = binary.fileName ?? 'export.bin';
	let content: Buffer | undefined;
	if (binary.data && !binary.id) content = Buffer.from(binary.data, 'base64');
	else if (binary.id) {
		const relative = binary.id.replace(/^filesystem(-v2)?:/, '');
		for (const base of [
			path.join(sandbox.userFolder, '.n8n', 'storage'),
			path.join(sandbox.userFolder, '.n8n', 'binaryData'),
			path.join(sandbox.userFolder, '.n8n'),
		]) {
			content = await fs.readFile(path.join(base, relative)).catch(() => undefined);
			if (content) break;
		}
	}
	if (!content) return undefined;
	await fs.mkdir(outputDir, { recursive: true });
	const target = path.join(outputDir, name);
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
			const pushed = (outputs[inputNodeOf(example.workflow, node.name) ?? ''] ?? []).map(
				(item) => item.json,
			);
			const keys = String(node.parameters.keyColumns ?? '')
				.split(',')
				.map((k) => k.trim())
				.filter(Boolean);
			const found = pushed.filter((row) =>
				table?.rows.some((landed) => sameRow(row, landed as Record<string, unknown>, keys)),
			);
			checks.push({
				label: node.name,
				ok:
					first.status === 'DONE' && pushed.length === first.rows && found.length === pushed.length,
				detail: `${first.rows} rows pushed in ${first.chunks} chunk(s) (${first.mode}), job ${first.status}; ${found.length} of them verified in the emulator's table ${first.table} (${table?.rows.length ?? 0} rows in all)`,
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
