import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IConnections } from 'n8n-workflow';

import { DEMO, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import { loadTypes, requireBase } from '../harness/packageTypes';
import { MODEL, POOL } from './dataPushHelpers';

const ctx = useEmulator();

/** The example uses a few n8n-nodes-base nodes the shared harness does not load: add them to its type map. */
async function withExampleNodes(): Promise<void> {
	const types = await loadTypes();
	const base = (rel: string, name: string) => requireBase<never>(`nodes/${rel}`, name);
	types.nodes['n8n-nodes-base.set'] ??= base('Set/Set.node.js', 'Set');
	types.nodes['n8n-nodes-base.splitOut'] ??= base(
		'Transform/SplitOut/SplitOut.node.js',
		'SplitOut',
	);
	types.nodes['n8n-nodes-base.scheduleTrigger'] ??= base(
		'Schedule/ScheduleTrigger.node.js',
		'ScheduleTrigger',
	);
	types.nodes['n8n-nodes-base.stickyNote'] ??= base('StickyNote/StickyNote.node.js', 'StickyNote');
	types.nodes['n8n-nodes-base.convertToFile'] ??= base(
		'Files/ConvertToFile/ConvertToFile.node.js',
		'ConvertToFile',
	);
}

it('examples/scheduled-data-push.json: 100,000 rows → Push Items to Table → Reload Data Model, and as a CSV file → Push File to Table in many chunks, from its Manual Trigger', async () => {
	await withExampleNodes();
	ctx.emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 }, modelLoadMs: 20 });
	const workflow = JSON.parse(
		readFileSync(path.join(__dirname, '../../examples/scheduled-data-push.json'), 'utf8'),
	) as {
		nodes: Array<NodeSpec & { credentials?: Record<string, { id: string; name: string }> }>;
		connections: IConnections;
	};
	const engine = await Engine.create();
	// The example references the credential ids of scripts/n8n-fixtures.ts.
	const ref = workflow.nodes.find((n) => n.credentials?.celonisAppKeyApi)!.credentials!
		.celonisAppKeyApi;
	engine.store.add({
		id: ref.id,
		name: ref.name,
		type: 'celonisAppKeyApi',
		data: { teamUrl: ctx.emu.url, appKey: DEMO.appKey },
	});
	// n8n starts a manual execution at the Manual Trigger: leave the Schedule Trigger out, as `n8n execute` does.
	const nodes = workflow.nodes.filter(
		(n) => n.type !== 'n8n-nodes-base.scheduleTrigger' && n.type !== 'n8n-nodes-base.stickyNote',
	);
	const r = await engine.run(nodes, workflow.connections);
	expect(r.error?.message).toBeUndefined();
	const pushed = r.json('Push Items to SALES_ORDERS')[0];
	expect(pushed).toMatchObject({
		poolId: POOL,
		table: 'SALES_ORDERS',
		mode: 'DELTA',
		rows: 100_000,
		status: 'DONE',
	});
	expect(pushed.bytes as number).toBeGreaterThan(5_000_000);
	expect(r.json('Reload O2C Data Model')[0]).toMatchObject({
		dataModelId: MODEL,
		status: 'SUCCESS',
	});
	const table = ctx.emu.store.tables.find(POOL, 'SALES_ORDERS')!;
	// SO-1000 was in the seed: updated, not added.
	expect(table.rows).toHaveLength(100_000);
	expect(table.rows.find((row) => row.ORDER_ID === 'SO-1001')).toMatchObject({
		CUSTOMER: 'Globex SA, "Paris"',
		NET_VALUE: 79.19,
		STATUS: 'SHIPPED',
	});
	const file = r.json('Push File to SALES_ORDERS_FILE')[0];
	expect(file).toMatchObject({
		table: 'SALES_ORDERS_FILE',
		rows: 100_000,
		files: 1,
		status: 'DONE',
	});
	expect(file.chunks as number).toBeGreaterThan(5);
	const fileTable = ctx.emu.store.tables.find(POOL, 'SALES_ORDERS_FILE')!;
	expect(fileTable.rows).toHaveLength(100_000);
	expect(fileTable.rows.find((row) => row.ORDER_ID === 'SO-1001')).toMatchObject({
		CUSTOMER: 'Globex SA, "Paris"',
		NET_VALUE: 79.19,
		STATUS: 'SHIPPED',
	});
});
