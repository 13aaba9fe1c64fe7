/**
 * Workflows that reach n8n's workers: production triggers only (`n8n execute` never reaches a worker, see
 * queue-cluster.ts), each recording in its execution's metadata (`worker`) which worker ran it.
 */
import { randomUUID } from 'node:crypto';

import { CREDENTIAL_IDS, CREDENTIAL_NAMES } from './n8n-fixtures';
import { WORKER_NAME_VARIABLE } from './queue-cluster';

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface Workflow {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: string; index: number }>> }
	>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

const WORKER_NODE = 'Record worker';
const OAUTH = {
	celonisOAuth2Api: {
		id: CREDENTIAL_IDS.celonisOAuth2Api,
		name: CREDENTIAL_NAMES.celonisOAuth2Api,
	},
};
const APP_KEY = {
	celonisAppKeyApi: {
		id: CREDENTIAL_IDS.celonisAppKeyApi,
		name: CREDENTIAL_NAMES.celonisAppKeyApi,
	},
};

const isProductionTrigger = (node: WorkflowNode) =>
	node.type === 'n8n-nodes-base.webhook' ||
	(/Trigger$/i.test(node.type) && node.type !== 'n8n-nodes-base.manualTrigger');

/** A chain of nodes, each feeding the next; positions and ids filled in. */
export function chain(name: string, nodes: WorkflowNode[]): Workflow {
	const placed = nodes.map((node, i) => ({
		id: randomUUID(),
		position: [i * 240, 0] as [number, number],
		...node,
	}));
	const connections: Workflow['connections'] = {};
	for (let i = 0; i + 1 < placed.length; i++) {
		connections[placed[i]!.name] = {
			main: [[{ node: placed[i + 1]!.name, type: 'main', index: 0 }]],
		};
	}
	return { name, nodes: placed, connections, settings: { executionOrder: 'v1' } };
}

/**
 * Adds an Execution Data node on a branch of every production trigger: it saves `worker` (the running process's
 * N8N_CELONIS_QUEUE_WORKER) into the execution's metadata, so the execution record says which worker ran it.
 */
export function tagWorker<T extends Workflow>(workflow: T): T {
	const triggers = workflow.nodes.filter(isProductionTrigger);
	if (triggers.length === 0) throw new Error(`${workflow.name} has no production trigger`);
	const tag: WorkflowNode = {
		id: randomUUID(),
		name: WORKER_NODE,
		type: 'n8n-nodes-base.executionData',
		typeVersion: 1,
		position: [0, 400],
		parameters: {
			dataToSave: {
				values: [{ key: 'worker', value: `={{ $env.${WORKER_NAME_VARIABLE} }}` }],
			},
		},
		executeOnce: true,
	};
	const connections = { ...workflow.connections };
	for (const trigger of triggers) {
		const outputs = connections[trigger.name]?.main ?? [[]];
		const first = [...(outputs[0] ?? []), { node: WORKER_NODE, type: 'main', index: 0 }];
		connections[trigger.name] = { main: [first, ...outputs.slice(1)] };
	}
	return { ...workflow, nodes: [...workflow.nodes, tag], connections };
}

export function webhookNode(pathName: string, name = 'Webhook'): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: pathName, responseMode: 'responseNode', options: {} },
	};
}

/** Responds with the worker that ran the execution, the execution id and how many items reached it. */
export function respondNode(name = 'Respond to Webhook'): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.1,
		parameters: {
			respondWith: 'json',
			responseBody: `={{ JSON.stringify({ worker: $env.${WORKER_NAME_VARIABLE}, execution: $execution.id, items: $input.all().length, first: $input.first().json }) }}`,
			options: {},
		},
	};
}

/**
 * Webhook → one item per entry of the body's `calls` (each `{ path }`) → Celonis node GET (OAuth) → Respond to
 * Webhook. `concurrency` is the Celonis node's Concurrency option (its default 5 when omitted).
 */
export function requestsWorkflow(pathName: string, opts: { concurrency?: number } = {}): Workflow {
	return tagWorker(
		chain(`Queue: Celonis requests (${pathName})`, [
			webhookNode(pathName),
			{
				name: 'One item per call',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				parameters: { fieldToSplitOut: 'body.calls', include: 'noOtherFields', options: {} },
			},
			{
				name: 'Celonis',
				type: 'n8n-nodes-celonis.celonis',
				typeVersion: 1,
				parameters: {
					authentication: 'oAuth2',
					resource: 'httpRequest',
					operation: 'request',
					method: 'GET',
					path: '={{ $json.path }}',
					options: opts.concurrency ? { concurrency: opts.concurrency } : {},
				},
				credentials: OAUTH,
			},
			respondNode(),
		]),
	);
}

/** The webhook body of requestsWorkflow: `count` calls to `path`. */
export function requestsBody(count: number, path = '/api/cloud/team') {
	return { calls: Array.from({ length: count }, () => ({ path })) };
}

/**
 * Webhook → one item per entry of the body's `parts` (each `{ from, to }`) → HTTP Request downloads that part of
 * a CSV (`csvUrl?from=&to=`) as a file → Celonis Push File to Table (REPLACE; each file is one chunk of the job) →
 * Respond.
 */
export function pushFileWorkflow(
	pathName: string,
	opts: { csvUrl: string; poolId: string; table: string },
): Workflow {
	return tagWorker(
		chain(`Queue: push CSV files (${pathName})`, [
			webhookNode(pathName),
			{
				name: 'One item per part',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				parameters: { fieldToSplitOut: 'body.parts', include: 'noOtherFields', options: {} },
			},
			{
				name: 'Download CSV',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					method: 'GET',
					url: `=${opts.csvUrl}?from={{ $json.from }}&to={{ $json.to }}`,
					options: { response: { response: { responseFormat: 'file' } } },
				},
			},
			{
				name: 'Push File to Table',
				type: 'n8n-nodes-celonis.celonis',
				typeVersion: 1,
				parameters: {
					authentication: 'appKey',
					resource: 'dataPush',
					operation: 'pushFile',
					dataPool: { __rl: true, mode: 'id', value: opts.poolId },
					tableName: opts.table,
					mode: 'REPLACE',
					binaryPropertyName: 'data',
					options: { waitForCompletion: true },
				},
				credentials: APP_KEY,
			},
			respondNode(),
		]),
	);
}

/**
 * An example workflow made to run on workers: its Schedule Trigger fires every `seconds`; a workflow with only a
 * Manual Trigger gets a Webhook trigger (`webhookPath`) in its place. Both record the worker (tagWorker).
 */
export function productionExample(
	workflow: Workflow,
	opts: { seconds: number; webhookPath: string },
): Workflow {
	// A workflow started by the Celonis Trigger already runs from a production trigger: Celonis calls it.
	if (workflow.nodes.some((n) => n.type === 'n8n-nodes-celonis.celonisTrigger'))
		return tagWorker(workflow);
	const hasSchedule = workflow.nodes.some((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
	let nodes = workflow.nodes.map((node) =>
		node.type === 'n8n-nodes-base.scheduleTrigger'
			? {
					...node,
					parameters: {
						rule: { interval: [{ field: 'seconds', secondsInterval: opts.seconds }] },
					},
				}
			: node,
	);
	let connections = workflow.connections;
	if (!hasSchedule) {
		const manual = nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
		if (!manual) throw new Error(`${workflow.name} has neither a Schedule nor a Manual Trigger`);
		const webhook = {
			...webhookNode(opts.webhookPath, manual.name),
			id: manual.id,
			position: manual.position,
		};
		webhook.parameters = { ...webhook.parameters, responseMode: 'lastNode' };
		nodes = nodes.map((n) => (n === manual ? webhook : n));
		connections = { ...connections };
	}
	return tagWorker({ ...workflow, nodes, connections });
}

/** Webhook → Celonis Audit Log → Get Many, incremental ("new events since the last run"), as items → Respond. */
export function incrementalAuditWorkflow(pathName: string): Workflow {
	return tagWorker(
		chain(`Queue: incremental audit export (${pathName})`, [
			webhookNode(pathName),
			{
				name: 'New audit events',
				type: 'n8n-nodes-celonis.celonis',
				typeVersion: 1,
				parameters: {
					authentication: 'oAuth2',
					resource: 'auditLog',
					operation: 'getAll',
					apiVersion: 'v2',
					exportMode: 'incremental',
					// In queue mode a worker runs without the workflow's static data: the position lives in n8n's database.
					positionStore: 'database',
					timeWindow: 'last7Days',
					returnAll: true,
					output: 'items',
					options: {},
				},
				credentials: OAUTH,
			},
			respondNode(),
		]),
	);
}
