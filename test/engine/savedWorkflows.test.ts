/**
 * Workflows saved with release 0.1.0 (the examples as they were, kept byte for byte in
 * test/fixtures/workflows-0.1.0) run unchanged on today's node: parameters that were renamed or moved since
 * are still read, and each workflow does what it did then.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	IConnections,
	INodeTypeDescription,
} from 'n8n-workflow';

import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import { loadTypes, requireBase } from '../harness/packageTypes';
import { credentialFieldPaths, nodeParameterPaths } from '../harness/savedParameters';
import { POOL, tableRows } from './dataPushHelpers';

const ctx = useEmulator();
const FOLDER = path.join(__dirname, '../fixtures/workflows-0.1.0');

interface SavedWorkflow {
	id?: string;
	nodes: Array<NodeSpec & { credentials?: Record<string, { id: string; name: string }> }>;
	connections: IConnections;
}

const BASE_NODES: Record<string, [string, string]> = {
	'n8n-nodes-base.aggregate': ['Transform/Aggregate/Aggregate.node.js', 'Aggregate'],
	'n8n-nodes-base.set': ['Set/Set.node.js', 'Set'],
	'n8n-nodes-base.splitOut': ['Transform/SplitOut/SplitOut.node.js', 'SplitOut'],
};

async function engineFor(workflow: SavedWorkflow): Promise<Engine> {
	const types = await loadTypes();
	for (const [type, [file, name]] of Object.entries(BASE_NODES))
		types.nodes[type] ??= requireBase<never>(`nodes/${file}`, name);
	const engine = await Engine.create();
	const data: Record<string, () => ICredentialDataDecryptedObject> = {
		celonisOAuth2Api: () =>
			oauthData(ctx.emu.url, DEMO.client, {
				scopes: ['audit.log:read', 'team.login-history:read', 'integration.data-pools'],
			}),
		celonisApiKeyApi: () => ({ teamUrl: ctx.emu.url, apiKey: DEMO.apiKey }),
		celonisAppKeyApi: () => ({ teamUrl: ctx.emu.url, appKey: DEMO.appKey }),
	};
	for (const node of workflow.nodes)
		for (const [type, ref] of Object.entries(node.credentials ?? {}))
			if (!engine.store.all().some((c) => c.id === ref.id))
				engine.store.add({ id: ref.id, name: ref.name, type, data: data[type]() });
	return engine;
}

/** As `n8n execute` runs it: from the Manual Trigger, without the Schedule Trigger and sticky notes. */
async function run(file: string, adjust: (w: SavedWorkflow) => void = () => undefined) {
	const workflow = JSON.parse(readFileSync(path.join(FOLDER, file), 'utf8')) as SavedWorkflow;
	adjust(workflow);
	const skipped = ['n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.stickyNote'];
	const nodes = workflow.nodes.filter((n) => !skipped.includes(n.type));
	const kept = new Set(nodes.map((n) => n.name));
	const connections = Object.fromEntries(
		Object.entries(workflow.connections).filter(([source]) => kept.has(source)),
	);
	const engine = await engineFor(workflow);
	return await engine.run(nodes, connections, { workflowId: workflow.id ?? file });
}

it('the fixtures are the four examples of release 0.1.0', () => {
	expect(readdirSync(FOLDER).sort()).toEqual([
		'generic-request-pagination.json',
		'incremental-login-history-to-webhook.json',
		'nightly-audit-log-export.json',
		'scheduled-data-push.json',
	]);
});

it('every parameter and credential field of 0.1.0 still has its name (n8n drops values of unknown names)', async () => {
	const saved = JSON.parse(
		readFileSync(path.join(__dirname, '../fixtures/parameters-0.1.0.json'), 'utf8'),
	) as { node: string[]; credentials: string[] };
	const types = await loadTypes();
	const node = types.nodes['n8n-nodes-celonis.celonis'] as { description: INodeTypeDescription };
	const today = new Set(nodeParameterPaths(node.description));
	expect(saved.node.filter((name) => !today.has(name))).toEqual([]);
	const credentials = new Set(credentialFieldPaths(Object.values(types.credentials)));
	expect(saved.credentials.filter((name) => !credentials.has(name))).toEqual([]);
});

it('generic requests with pagination', async () => {
	const r = await run('generic-request-pagination.json');
	expect(r.error?.message).toBeUndefined();
	expect(r.json('Newest 500 audit events (cursor)')).toHaveLength(500);
	expect(r.json('All data pools (limit/page)').length).toBeGreaterThan(0);
});

it('nightly audit-log export to a CSV file, incremental', async () => {
	const first = await run('nightly-audit-log-export.json');
	expect(first.error?.message).toBeUndefined();
	const [file] = first.items('Audit log since last run (CSV)');
	expect(file.json).toMatchObject({ format: 'csv' });
	expect(file.json.events).toBeGreaterThan(0);
	expect(file.binary?.data?.fileName).toMatch(/^celonis-audit-log.*\.csv$/);
});

it('incremental login history to a webhook', async () => {
	const received: string[] = [];
	const sink = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c: Buffer) => (body += c.toString()));
		req.on('end', () => {
			received.push(body);
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
	try {
		const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
		const r = await run('incremental-login-history-to-webhook.json', (w) => {
			const post = w.nodes.find((n) => n.type === 'n8n-nodes-base.httpRequest')!;
			expect(post.parameters!.url).toBe('https://webhook.example.com/celonis-login-history');
			post.parameters!.url = url;
		});
		expect(r.error?.message).toBeUndefined();
		expect(r.json('New login events').length).toBeGreaterThan(0);
		expect(received).toHaveLength(1);
	} finally {
		await new Promise((resolve) => sink.close(resolve));
	}
});

it('scheduled data push: rows into SALES_ORDERS, then the data model reload', async () => {
	const r = await run('scheduled-data-push.json');
	expect(r.error?.message).toBeUndefined();
	const push = r.json('Push Items to SALES_ORDERS')[0];
	expect(push).toMatchObject({ status: 'DONE', rows: 3 });
	const ids = (tableRows(ctx.emu, 'SALES_ORDERS', POOL) ?? []).map((row) => row.ORDER_ID);
	expect(ids).toEqual(expect.arrayContaining(['SO-1001', 'SO-1002', 'SO-1003']));
	expect(r.json('Reload O2C Data Model')[0]).toMatchObject({ status: 'SUCCESS' });
});
