/**
 * The scope advisor behind `npm run scopes -- <workflow files>`: reads workflows exported from n8n (one workflow,
 * an array of them as `n8n export:workflow --all` writes, or `{ data: [...] }` from the public API), finds every
 * Celonis node and says which OAuth scopes it needs, then the least-privilege scope set for the OAuth client that
 * runs them. The answers come from the one operation table (shared/operationScopes.ts) and, for the generic
 * request, from the scope rule of its path; parameters the export leaves out take the node's defaults.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodeType } from 'n8n-workflow';

import {
	leastPrivilegeScopes,
	operationEntry,
	scopeNeedsOfCalls,
	TRIGGER_ENTRY,
	type ScopeNeed,
} from '../shared/operationScopes';

export interface NodeAdvice {
	workflow: string;
	node: string;
	/** "Audit Log → Get Many", or the generic request's method and path. */
	operation: string;
	authentication: string;
	/** One entry per requirement: any one of its scopes is enough. */
	needs: ScopeNeed[];
	/** Why nothing (or not everything) could be said about this node. */
	note?: string;
}

export interface Advice {
	nodes: NodeAdvice[];
	/** The least-privilege scope set for a client that runs every node found. */
	leastPrivilege: string[];
}

interface WorkflowNode {
	name?: string;
	type?: string;
	disabled?: boolean;
	parameters?: Record<string, unknown>;
}

interface Workflow {
	name?: string;
	nodes?: WorkflowNode[];
}

// By file name: `Celonis.node` alone would resolve to the codex `Celonis.node.json` under plain Node resolution.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Celonis } = require(path.join(__dirname, '../nodes/Celonis/Celonis.node.ts')) as {
	Celonis: new () => INodeType;
};
const properties: INodeProperties[] = new Celonis().description.properties;

function defaultOf(name: string, resource?: string): unknown {
	const candidates = properties.filter((p) => p.name === name);
	const shown = candidates.find((p) =>
		resource === undefined
			? true
			: ((p.displayOptions?.show?.resource as string[] | undefined) ?? []).includes(resource),
	);
	return (shown ?? candidates[0])?.default;
}

/** The workflows in an exported file, whatever its shape. */
export function workflowsOf(json: unknown): Workflow[] {
	if (Array.isArray(json)) return json as Workflow[];
	const object = json as { data?: unknown; nodes?: unknown };
	if (Array.isArray(object?.data)) return object.data as Workflow[];
	if (Array.isArray(object?.nodes)) return [object as Workflow];
	return [];
}

/** The Celonis node type, whichever package prefix n8n gave it (`n8n-nodes-celonis.celonis`, `@org/…`). */
function isCelonisNode(node: WorkflowNode): boolean {
	return typeof node.type === 'string' && /(^|[./])n8n-nodes-celonis\.celonis$/.test(node.type);
}

function isCelonisTrigger(node: WorkflowNode): boolean {
	return (
		typeof node.type === 'string' && /(^|[./])n8n-nodes-celonis\.celonisTrigger$/.test(node.type)
	);
}

/** What a generic request's path says: the literal path, or the literal start of an expression. */
function requestPath(raw: unknown): { path?: string; note?: string } {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') return { note: 'no path set' };
	const expression = text.startsWith('=');
	const literal = (expression ? text.slice(1).split('{{')[0] : text).trim();
	let path = literal;
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(literal)) {
		try {
			path = new URL(literal).pathname;
		} catch {
			return { note: `the URL "${literal}" cannot be read` };
		}
	}
	if (path === '' || !path.startsWith('/'))
		return { note: 'the path is an expression: its scope is known only when it runs' };
	return {
		path,
		...(expression && text.slice(1).includes('{{')
			? { note: 'read from the literal start of an expression' }
			: {}),
	};
}

export function adviseNode(workflow: string, node: WorkflowNode): NodeAdvice {
	const p = node.parameters ?? {};
	const resource = String(p.resource ?? defaultOf('resource'));
	const operation = String(p.operation ?? defaultOf('operation', resource));
	const authentication = String(p.authentication ?? defaultOf('authentication'));
	const base = { workflow, node: node.name ?? '(unnamed)', authentication };
	const entry = operationEntry(resource, operation);
	if (!entry)
		return {
			...base,
			operation: `${resource} → ${operation}`,
			needs: [],
			note: 'not in the scope table (shared/operationScopes.ts): update the advisor',
		};
	if (!entry.dependsOnInput) {
		return {
			...base,
			operation: entry.label,
			needs: scopeNeedsOfCalls(entry.calls),
			...(entry.noCalls ? { note: 'makes no Celonis call' } : {}),
		};
	}
	const method = String(p.method ?? defaultOf('method', resource)).toUpperCase();
	const { path, note } = requestPath(p.path);
	const needs = path ? scopeNeedsOfCalls([{ method, path }]) : [];
	return {
		...base,
		operation: `${entry.label}: ${method} ${path ?? String(p.path ?? '')}`,
		needs,
		...(note
			? { note }
			: needs.length === 0
				? { note: 'no scope rule for this path: Celonis decides (see README, "Scopes")' }
				: {}),
	};
}

export function advise(files: Array<{ name: string; json: unknown }>): Advice {
	const nodes: NodeAdvice[] = [];
	for (const file of files)
		for (const workflow of workflowsOf(file.json))
			for (const node of workflow.nodes ?? [])
				if (node.disabled === true) continue;
				else if (isCelonisNode(node)) nodes.push(adviseNode(workflow.name ?? file.name, node));
				else if (isCelonisTrigger(node))
					nodes.push({
						workflow: workflow.name ?? file.name,
						node: node.name ?? '(unnamed)',
						operation: TRIGGER_ENTRY.label,
						authentication: String(node.parameters?.authentication ?? defaultOf('authentication')),
						needs: scopeNeedsOfCalls(TRIGGER_ENTRY.calls),
					});
	return { nodes, leastPrivilege: leastPrivilegeScopes(nodes.flatMap((n) => n.needs)) };
}

export function formatAdvice(advice: Advice): string {
	const lines: string[] = [];
	let workflow: string | undefined;
	for (const n of advice.nodes) {
		if (n.workflow !== workflow) {
			workflow = n.workflow;
			lines.push(`${workflow}`);
		}
		const scopes =
			n.needs.length === 0
				? 'no scope'
				: n.needs.map((need) => need.anyOf.join(' or ')).join(' + ');
		lines.push(`  ${n.node} (${n.operation}): ${scopes}${n.note ? `  [${n.note}]` : ''}`);
	}
	if (advice.nodes.length === 0) lines.push('No Celonis node found.');
	lines.push(
		'',
		`Least-privilege scopes for an OAuth client that runs ${advice.nodes.length === 1 ? 'this node' : 'these nodes'}:`,
		`  ${advice.leastPrivilege.length > 0 ? advice.leastPrivilege.join(' ') : '(none)'}`,
	);
	return lines.join('\n');
}

export function readWorkflowFiles(paths: string[]): Array<{ name: string; json: unknown }> {
	return paths.map((name) => ({ name, json: JSON.parse(readFileSync(name, 'utf8')) as unknown }));
}
