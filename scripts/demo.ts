/**
 * npm run demo — the package at work in a real n8n 2.41.1, against the embedded Celonis emulator.
 *
 * Installs Node 24 + n8n into a cache folder on first use (later runs reuse it), starts the emulator with the demo
 * seed, installs this package into a scratch n8n user folder the way a community install does, imports one credential
 * of each type and every example workflow, executes them with `n8n execute`, checks their results against the
 * emulator's state and prints a short report. Exit code 0 only if everything worked.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { startEmulator, type Emulator } from '../emulator';
import { createN8nSandbox, type ExecuteResult, type N8nSandbox } from './n8n-cli';
import { emulatorCredentials, loadExamples, type ExampleWorkflow } from './n8n-fixtures';
import { ensureN8nRuntime } from './n8n-runtime';

const ROOT = path.resolve(__dirname, '..');
const OUTPUT_DIR = path.join(ROOT, 'demo-output');
const OAUTH_SCOPES = ['audit.log:read', 'team.login-history:read'];

const say = (line = '') => process.stdout.write(`${line}\n`);
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

interface Check {
	label: string;
	ok: boolean;
	detail: string;
}

interface NodeOutput {
	json: Record<string, unknown>;
	binary?: Record<string, { fileName?: string; id?: string; data?: string; fileSize?: string | number }>;
}

/** Collects what webhook examples send, in place of a real SIEM endpoint. */
async function startWebhookReceiver() {
	const received: unknown[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			received.push(JSON.parse(body || 'null'));
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"received":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/celonis-login-history`, received, close: () => server.close() };
}

/** Points an example's webhook (HTTP Request node to a placeholder host) at the local receiver. */
function withLocalWebhook(workflow: ExampleWorkflow['workflow'], url: string): ExampleWorkflow['workflow'] {
	const nodes = (workflow.nodes as Array<{ type: string; parameters: Record<string, unknown> }>).map((node) =>
		node.type === 'n8n-nodes-base.httpRequest' && String(node.parameters.url).includes('example.com') ? { ...node, parameters: { ...node.parameters, url } } : node,
	);
	return { ...workflow, nodes };
}

function outputsOf(result: ExecuteResult): Record<string, NodeOutput[]> {
	const out: Record<string, NodeOutput[]> = {};
	for (const [name, runs] of Object.entries(result.run?.data.resultData.runData ?? {})) {
		out[name] = ((runs[0]?.data?.main?.[0] ?? []) as NodeOutput[]) ?? [];
	}
	return out;
}

/** n8n keeps binary data in its binary store; the demo copies exported files next to the repo for a look. */
async function saveFile(sandbox: N8nSandbox, binary: NonNullable<NodeOutput['binary']>[string]): Promise<string | undefined> {
	const name = binary.fileName ?? 'export.bin';
	let content: Buffer | undefined;
	if (binary.data && !binary.id) content = Buffer.from(binary.data, 'base64');
	else if (binary.id) {
		const relative = binary.id.replace(/^filesystem(-v2)?:/, '');
		for (const base of [path.join(sandbox.userFolder, '.n8n', 'storage'), path.join(sandbox.userFolder, '.n8n', 'binaryData'), path.join(sandbox.userFolder, '.n8n')]) {
			content = await fs.readFile(path.join(base, relative)).catch(() => undefined);
			if (content) break;
		}
	}
	if (!content) return undefined;
	await fs.mkdir(OUTPUT_DIR, { recursive: true });
	const target = path.join(OUTPUT_DIR, name);
	await fs.writeFile(target, content);
	return path.relative(ROOT, target);
}

/** The node whose output feeds `nodeName`. */
function inputNodeOf(workflow: ExampleWorkflow['workflow'], nodeName: string): string | undefined {
	const connections = workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
	return Object.entries(connections).find(([, c]) => c.main.some((outputs) => outputs.some((t) => t.node === nodeName)))?.[0];
}

/** A pushed row matches a landed one when the keys (or, without keys, every field) agree as text. */
function sameRow(pushed: Record<string, unknown>, landed: Record<string, unknown>, keys: string[]): boolean {
	const fields = keys.length > 0 ? keys : Object.keys(pushed);
	return fields.every((field) => String(pushed[field]) === String(landed[field])) && Object.entries(pushed).every(([field, value]) => typeof value !== 'string' || String(landed[field]) === value);
}

async function verify(example: ExampleWorkflow, result: ExecuteResult, emu: Emulator, sandbox: N8nSandbox, webhook: { received: unknown[] }): Promise<Check[]> {
	const checks: Check[] = [];
	const outputs = outputsOf(result);
	const nodes = example.workflow.nodes as Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
	for (const node of nodes.filter((n) => n.type === 'n8n-nodes-celonis.celonis')) {
		const items = outputs[node.name] ?? [];
		const first = items[0]?.json ?? {};
		if (typeof first.jobId === 'string' && typeof first.rows === 'number') {
			const table = emu.store.tables.find(String(first.poolId), String(first.table));
			const pushed = (outputs[inputNodeOf(example.workflow, node.name) ?? ''] ?? []).map((item) => item.json);
			const keys = String(node.parameters.keyColumns ?? '').split(',').map((k) => k.trim()).filter(Boolean);
			const found = pushed.filter((row) => table?.rows.some((landed) => sameRow(row, landed as Record<string, unknown>, keys)));
			checks.push({
				label: node.name,
				ok: first.status === 'DONE' && pushed.length === first.rows && found.length === pushed.length,
				detail: `${first.rows} rows pushed in ${first.chunks} chunk(s) (${first.mode}), job ${first.status}; ${found.length} of them verified in the emulator's table ${first.table} (${table?.rows.length ?? 0} rows in all)`,
			});
		} else if (typeof first.events === 'number' && items[0]?.binary) {
			const [binary] = Object.values(items[0].binary);
			const saved = await saveFile(sandbox, binary);
			checks.push({ label: node.name, ok: saved !== undefined, detail: `${first.events} events exported to ${first.fileName} (${first.fileSize} bytes)${saved ? `, saved as ${saved}` : ', file not found in n8n storage'}` });
		} else if (node.parameters.operation === 'reload') {
			checks.push({ label: node.name, ok: items.length > 0 && !('error' in first), detail: `data model reload: ${String(first.status ?? first.loadStatus ?? 'triggered')}` });
		} else {
			checks.push({ label: node.name, ok: items.length > 0, detail: `${items.length} item(s) from ${node.parameters.path ?? `${node.parameters.resource} → ${node.parameters.operation}`}` });
		}
	}
	for (const node of nodes.filter((n) => n.type === 'n8n-nodes-base.httpRequest')) {
		const events = webhook.received.reduce<number>((n, body) => n + (((body as { events?: unknown[] })?.events ?? []) as unknown[]).length, 0);
		checks.push({ label: node.name, ok: (outputs[node.name] ?? []).length > 0, detail: `the local webhook received ${webhook.received.length} POST(s) with ${events} events` });
	}
	return checks;
}

async function main(): Promise<number> {
	const started = Date.now();
	say('Celonis for n8n — demo in a real n8n 2.41.1 against the embedded Celonis emulator');
	say();

	say('1/4 n8n runtime (Node 24 + n8n from the npm registry, cached after the first run)');
	const runtimeStarted = Date.now();
	await ensureN8nRuntime();
	say(`    ready (${elapsed(runtimeStarted)})`);

	say('2/4 Celonis emulator (demo seed)');
	const emu = await startEmulator({ quiet: true });
	const webhook = await startWebhookReceiver();
	say(`    team ${emu.url}`);

	let sandbox: N8nSandbox | undefined;
	try {
		say('3/4 n8n user folder with the package installed as a community package; credentials and examples imported');
		const setupStarted = Date.now();
		sandbox = await createN8nSandbox({ packageDir: ROOT });
		await sandbox.importCredentials(emulatorCredentials(emu.url, OAUTH_SCOPES));
		const examples = await loadExamples(ROOT);
		// One import for all workflows: every n8n command costs several seconds of start-up.
		await sandbox.importWorkflow(examples.map((example) => withLocalWebhook(example.workflow, webhook.url)) as unknown as ExampleWorkflow['workflow']);
		say(`    3 credentials (API key, application key, OAuth2 client credentials), ${examples.length} workflows (${elapsed(setupStarted)})`);

		say('4/4 executing the example workflows with `n8n execute`');
		const report: Array<{ example: ExampleWorkflow; result: ExecuteResult; checks: Check[]; seconds: string }> = [];
		for (const example of examples) {
			const runStarted = Date.now();
			const result = await sandbox.execute(example.workflow.id);
			const checks = result.ok ? await verify(example, result, emu, sandbox, webhook) : [];
			report.push({ example, result, checks, seconds: elapsed(runStarted) });
			say(`    ${result.ok && checks.every((c) => c.ok) ? 'ok  ' : 'FAIL'} ${example.workflow.name ?? example.file} (${elapsed(runStarted)})`);
		}

		const tokens = emu.store.tokens.stats();
		say();
		say('Report');
		say('------');
		let allOk = true;
		for (const { example, result, checks } of report) {
			say(`${example.workflow.name ?? example.file}  [examples/${example.file}]`);
			if (!result.ok) {
				allOk = false;
				const error = result.run?.data.resultData.error;
				say(`  FAILED: ${error?.message ?? `n8n exited with ${result.exitCode}`}${error?.description ? ` — ${error.description}` : ''}`);
				continue;
			}
			for (const check of checks) {
				allOk &&= check.ok;
				say(`  ${check.ok ? '✓' : '✗'} ${check.label}: ${check.detail}`);
			}
		}
		say();
		say(`OAuth token requests made: ${tokens.issued} (${Object.entries(tokens.byClient).map(([client, n]) => `${client}: ${n}`).join(', ') || 'none'}); API key and application key need none.`);
		say(`Total ${elapsed(started)}. ${allOk ? 'Everything worked.' : 'Something failed: see above.'}`);
		return allOk ? 0 : 1;
	} finally {
		await sandbox?.dispose();
		webhook.close();
		await emu.close();
	}
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		process.stderr.write(`demo failed: ${error.message}\n`);
		process.exit(1);
	},
);
