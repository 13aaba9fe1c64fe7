/**
 * From keys to OAuth: every example workflow gives the same output whichever of the four credentials its Celonis
 * nodes use, with nothing changed but the node's Authentication and credential. The OAuth credentials request
 * exactly the least-privilege scopes the scope advisor computes for the workflow (so this also proves the
 * advisor's set is enough), and the authorization-code one is connected the way n8n connects it.
 *
 * "Same" is measured against the noise of the workflow itself: it runs twice with the API key, and the values
 * that differ between those two runs (job and load ids, run times, file names with the time) are left out of the
 * comparison; every other value of every item, binary data included, must be equal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type {
	IConnections,
	ICredentialDataDecryptedObject,
	INodeExecutionData,
} from 'n8n-workflow';

import { advise } from '../../scripts/scopeAdvisor';
import {
	startWebhookSink,
	withLocalWebhook,
	withSmallerGeneratedData,
} from '../../scripts/n8n-fixtures';
import { connectAuthCode } from '../harness/authCode';
import { CELONIS_TYPE } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import { loadTypes, REPO_ROOT, requireBase } from '../harness/packageTypes';

const ctx = useEmulator();

type ExampleNode = NodeSpec & { credentials?: Record<string, { id: string; name: string }> };
interface Example {
	id: string;
	name: string;
	nodes: ExampleNode[];
	connections: IConnections;
}

/** The examples `n8n execute` can run: those with a Manual Trigger (the Celonis Trigger's is test/e2e/trigger). */
const EXAMPLES = readdirSync(path.join(REPO_ROOT, 'examples'))
	.filter((f) => f.endsWith('.json'))
	.filter((f) => load(f).nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger'))
	.sort();

const KINDS = [
	{ authentication: 'apiKey', type: 'celonisApiKeyApi' },
	{ authentication: 'appKey', type: 'celonisAppKeyApi' },
	{ authentication: 'oAuth2', type: 'celonisOAuth2Api' },
	{ authentication: 'oAuth2AuthCode', type: 'celonisAuthCodeOAuth2Api' },
] as const;
type Kind = (typeof KINDS)[number];

/** The n8n-nodes-base nodes the examples combine the Celonis node with. */
async function withExampleNodes(): Promise<void> {
	const types = await loadTypes();
	const base = (rel: string, name: string) => requireBase<never>(`nodes/${rel}`, name);
	types.nodes['n8n-nodes-base.set'] ??= base('Set/Set.node.js', 'Set');
	types.nodes['n8n-nodes-base.splitOut'] ??= base(
		'Transform/SplitOut/SplitOut.node.js',
		'SplitOut',
	);
	types.nodes['n8n-nodes-base.aggregate'] ??= base(
		'Transform/Aggregate/Aggregate.node.js',
		'Aggregate',
	);
	types.nodes['n8n-nodes-base.convertToFile'] ??= base(
		'Files/ConvertToFile/ConvertToFile.node.js',
		'ConvertToFile',
	);
}

/**
 * An example as saved, except generated data at 1% of its size: five runs of the data-push example's 100,000
 * rows would take minutes, and how many rows there are does not depend on the credential.
 */
function load(file: string): Example {
	return withSmallerGeneratedData(
		JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')) as Example,
	);
}

/** As `n8n execute`: from the Manual Trigger, without the Schedule Trigger and sticky notes. */
function runnable(example: Example): { nodes: ExampleNode[]; connections: IConnections } {
	const nodes = example.nodes.filter(
		(n) => n.type !== 'n8n-nodes-base.scheduleTrigger' && n.type !== 'n8n-nodes-base.stickyNote',
	);
	const kept = new Set(nodes.map((n) => n.name));
	return {
		nodes,
		connections: Object.fromEntries(
			Object.entries(example.connections).filter(([source]) => kept.has(source)),
		),
	};
}

/** The example with every Celonis node switched to `kind` — and nothing else changed. */
function switchedTo(example: Example, kind: Kind, ref: { id: string; name: string }): Example {
	return {
		...example,
		nodes: example.nodes.map((node) =>
			node.type !== CELONIS_TYPE || node.parameters?.resource === 'exportPosition'
				? node
				: {
						...node,
						parameters: { ...node.parameters, authentication: kind.authentication },
						credentials: { [kind.type]: ref },
					},
		),
	};
}

async function runWith(example: Example, kind: Kind, scopes: string[]) {
	const engine = await Engine.create();
	const data: ICredentialDataDecryptedObject =
		kind.type === 'celonisApiKeyApi'
			? { teamUrl: ctx.emu.url, apiKey: DEMO.apiKey }
			: kind.type === 'celonisAppKeyApi'
				? { teamUrl: ctx.emu.url, appKey: DEMO.appKey }
				: kind.type === 'celonisOAuth2Api'
					? oauthData(ctx.emu.url, DEMO.client, { scopes })
					: {
							teamUrl: ctx.emu.url,
							clientId: DEMO.client.id,
							clientSecret: DEMO.client.secret,
							scopes,
						};
	const ref = engine.addCredential(kind.type, data)[kind.type] as { id: string; name: string };
	if (kind.type === 'celonisAuthCodeOAuth2Api') await connectAuthCode(engine, ref.id);
	const { nodes, connections } = runnable(switchedTo(example, kind, ref));
	const result = await engine.run(nodes, connections, { workflowId: `${example.id}-${kind.type}` });
	const outputs: Record<string, INodeExecutionData[]> = {};
	for (const node of nodes) outputs[node.name] = result.items(node.name);
	return { result, outputs };
}

/** Every leaf value by its path (binary data decoded, so a file's content counts as a value). */
function leaves(
	value: unknown,
	prefix = '',
	out = new Map<string, unknown>(),
): Map<string, unknown> {
	if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
		const entries = Object.entries(value as Record<string, unknown>);
		if (entries.length === 0) out.set(prefix, Array.isArray(value) ? '[]' : '{}');
		for (const [key, child] of entries) {
			const decoded =
				key === 'data' && typeof child === 'string' && prefix.includes('.binary.')
					? Buffer.from(child, 'base64').toString('utf8')
					: child;
			leaves(decoded, `${prefix}.${key}`, out);
		}
	} else out.set(prefix, value);
	return out;
}

const comparable = (outputs: Record<string, INodeExecutionData[]>) =>
	leaves(
		Object.fromEntries(
			Object.entries(outputs).map(([name, items]) => [
				name,
				items.map(({ json, binary }) => ({ json, binary: binary ?? {} })),
			]),
		),
	);

beforeAll(async () => {
	await withExampleNodes();
	// Generated events well inside every example's window (the last 24 hours), so runs seconds apart see the same.
	ctx.emu.configure({
		generated: {
			...ctx.emu.store.config.generated,
			anchor: new Date(Date.now() - 3_600_000).toISOString(),
			spanDays: 0.5,
		},
		jobDelays: { queuedMs: 5, runningMs: 10 },
		modelLoadMs: 20,
	});
});

describe.each(EXAMPLES)('%s', (file) => {
	it('gives the same output with each of the four credentials', async () => {
		const sink = await startWebhookSink();
		try {
			const example = withLocalWebhook(
				load(file) as Example & Record<string, unknown>,
				sink.url,
			) as Example;
			const { leastPrivilege } = advise([{ name: file, json: example }]);

			const first = await runWith(example, KINDS[0], leastPrivilege);
			const second = await runWith(example, KINDS[0], leastPrivilege);
			for (const run of [first, second]) expect(run.result.error?.message).toBeUndefined();
			const reference = comparable(first.outputs);
			const again = comparable(second.outputs);
			expect([...again.keys()]).toEqual([...reference.keys()]);
			// What differs between two runs with the same credential, and durations (equal twice only by chance).
			const volatile = new Set(
				[...reference.keys()].filter(
					(k) =>
						k.endsWith('.durationMs') ||
						JSON.stringify(reference.get(k)) !== JSON.stringify(again.get(k)),
				),
			);
			const stable = [...reference.keys()].filter((k) => !volatile.has(k));
			// Not vacuous: most of what the workflow outputs is compared.
			expect(stable.length).toBeGreaterThan(10);
			expect(stable.length).toBeGreaterThan(volatile.size * 3);

			for (const kind of KINDS.slice(1)) {
				const run = await runWith(example, kind, leastPrivilege);
				expect({ kind: kind.type, error: run.result.error?.message }).toEqual({
					kind: kind.type,
					error: undefined,
				});
				const got = comparable(run.outputs);
				expect({ kind: kind.type, paths: [...got.keys()] }).toEqual({
					kind: kind.type,
					paths: [...reference.keys()],
				});
				const differing = stable.filter(
					(k) => JSON.stringify(got.get(k)) !== JSON.stringify(reference.get(k)),
				);
				expect({ kind: kind.type, differing }).toEqual({ kind: kind.type, differing: [] });
			}
		} finally {
			await sink.close();
		}
	});
});
