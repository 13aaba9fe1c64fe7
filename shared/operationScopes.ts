/**
 * Which Celonis calls each operation of the Celonis node makes, and so which OAuth scopes it needs: the one
 * table the Check operation, the scope advisor (`npm run scopes`) and the tests share. Scopes are never written
 * here: each call is resolved through the path rules of scopeRules.ts, which the transport checks every request
 * against, so the table cannot disagree with what a request needs. A test runs every operation against the
 * emulator and compares the calls it really makes with this table.
 */
import { scopeRuleFor, SCOPE_RULES, type ScopeRule } from './scopeRules';

/** An HTTP method, upper case. */
export type CallMethod = string;

/** A call an operation makes; `{…}` stands for an ID, the scope rules read only the path's prefix. */
export interface OperationCall {
	method: CallMethod;
	path: string;
}

export interface OperationEntry {
	resource: string;
	operation: string;
	/** As the node shows it: "Audit Log → Get Many". */
	label: string;
	/** Every kind of call the operation makes (its reads and its writes). */
	calls: OperationCall[];
	/**
	 * A read without side effects and without IDs the user must supply, that needs the same scope and permission
	 * as the operation's own reads: the Check operation sends it to tell a missing permission from a granted one.
	 */
	probe?: { path: string; qs?: Record<string, string | number> };
	/** The calls depend on the user's input (the generic request): resolved per node by the advisor. */
	dependsOnInput?: boolean;
	/** Runs without any Celonis call (and without credential). */
	noCalls?: boolean;
}

const DATA_PUSH_JOBS = '/data-ingestion/api/v1/data-push/{pool}/jobs';
const POOLS_PROBE = { path: '/integration/api/pools' };
const KM = '/intelligence/api/knowledge-models';
const SUBSCRIPTIONS = '/intelligence/api/subscriptions';

export const OPERATION_TABLE: readonly OperationEntry[] = [
	{
		resource: 'auditLog',
		operation: 'getAll',
		label: 'Audit Log → Get Many',
		calls: [
			{ method: 'GET', path: '/log/api/external/v2/audit' },
			{ method: 'GET', path: '/log/api/external/audit' },
		],
		probe: { path: '/log/api/external/v2/audit', qs: { pageSize: 1 } },
	},
	{
		resource: 'connection',
		operation: 'check',
		label: 'Connection → Check',
		// The identity probes (/api/cloud*) need no scope; the operation probes are those of the table.
		calls: [{ method: 'GET', path: '/api/cloud/team' }],
	},
	{
		resource: 'dataJob',
		operation: 'execute',
		label: 'Data Job → Execute',
		calls: [
			{ method: 'POST', path: '/integration/api/v2/data-pools/{pool}/data-jobs/{job}/execute' },
			{ method: 'GET', path: '/integration/api/pools/{pool}/jobs/{job}' },
		],
		probe: POOLS_PROBE,
	},
	{
		resource: 'dataModel',
		operation: 'reload',
		label: 'Data Model → Reload',
		calls: [
			{ method: 'POST', path: '/integration/api/v1/data-pools/{pool}/data-models/{model}/load' },
			{
				method: 'GET',
				path: '/integration/api/v1/data-pools/{pool}/data-models/{model}/last-load',
			},
		],
		probe: POOLS_PROBE,
	},
	...(
		[
			[
				'continuousPush',
				'Continuous Push',
				'POST',
				'/continuous-batch-processing/api/v1/{pool}/items',
			],
			['createJob', 'Create Job', 'POST', `${DATA_PUSH_JOBS}/`],
			['deleteJob', 'Delete Job', 'DELETE', `${DATA_PUSH_JOBS}/{job}`],
			['deleteRows', 'Delete Rows', 'POST', `${DATA_PUSH_JOBS}/{job}/chunks/deleted`],
			['executeJob', 'Execute Job', 'POST', `${DATA_PUSH_JOBS}/{job}`],
			['getChunks', 'Get Chunks', 'GET', `${DATA_PUSH_JOBS}/{job}/chunks`],
			['getJob', 'Get Job', 'GET', `${DATA_PUSH_JOBS}/{job}`],
			['getManyJobs', 'Get Many Jobs', 'GET', `${DATA_PUSH_JOBS}/`],
			['pushFile', 'Push File to Table', 'POST', `${DATA_PUSH_JOBS}/{job}/chunks/upserted`],
			['pushItems', 'Push Items to Table', 'POST', `${DATA_PUSH_JOBS}/{job}/chunks/upserted`],
			['uploadChunk', 'Upload Chunk', 'POST', `${DATA_PUSH_JOBS}/{job}/chunks/upserted`],
		] as const
	).map(
		([operation, name, method, path]): OperationEntry => ({
			resource: 'dataPush',
			operation,
			label: `Data Push → ${name}`,
			calls: [{ method, path }],
		}),
	),
	{
		resource: 'exportPosition',
		operation: 'confirm',
		label: 'Export Position → Confirm',
		calls: [],
		noCalls: true,
	},
	{
		resource: 'httpRequest',
		operation: 'request',
		label: 'HTTP Request → Send Request',
		calls: [],
		dependsOnInput: true,
	},
	...(
		[
			['getAll', 'Get Many', `${KM}`],
			['getFilters', 'Get Filters', `${KM}/{km}/filters`],
			['getKpis', 'Get KPIs', `${KM}/{km}/kpis`],
			['getRecordData', 'Get Record Data', `${KM}/{km}/records/{record}/data`],
			['getRecords', 'Get Records', `${KM}/{km}/records`],
		] as const
	).map(
		([operation, name, path]): OperationEntry => ({
			resource: 'knowledgeModel',
			operation,
			label: `Knowledge Model → ${name}`,
			// Get KPIs with values also reads the knowledge model's data.
			calls: [
				{ method: 'GET', path },
				...(operation === 'getKpis' ? [{ method: 'GET', path: `${KM}/{km}/data` }] : []),
			],
			probe: { path: KM, qs: { pageSize: 1 } },
		}),
	),
	{
		resource: 'platformAdoption',
		operation: 'getTrackingEvents',
		label: 'Platform Adoption → Get Tracking Events',
		calls: [
			{
				method: 'GET',
				path: '/platform-adoption/api/external/v2/adoption-tracking-events/{type}',
			},
		],
		probe: {
			path: '/platform-adoption/api/external/v2/adoption-tracking-events/STUDIO_ASSET',
			qs: { pageSize: 1 },
		},
	},
	...(
		[
			['delete', 'Delete', 'DELETE', `${SUBSCRIPTIONS}/{id}`],
			['get', 'Get', 'GET', SUBSCRIPTIONS],
			['getAll', 'Get Many', 'GET', SUBSCRIPTIONS],
			['getFailedEvents', 'Get Failed Events', 'PATCH', `${SUBSCRIPTIONS}/{id}/events`],
			['pause', 'Pause', 'PATCH', `${SUBSCRIPTIONS}/{id}/pause`],
			['replayFromOffset', 'Replay From Offset', 'PATCH', `${SUBSCRIPTIONS}/{id}/replay`],
			['resume', 'Resume', 'PATCH', `${SUBSCRIPTIONS}/{id}/resume`],
			[
				'resumeFromLatest',
				'Resume From Latest',
				'PATCH',
				`${SUBSCRIPTIONS}/{id}/resume-from-latest`,
			],
		] as const
	).map(
		([operation, name, method, path]): OperationEntry => ({
			resource: 'subscription',
			operation,
			label: `Subscription → ${name}`,
			// Each action returns the subscription as it is afterwards (read from the list).
			calls:
				method === 'GET'
					? [{ method, path }]
					: [
							{ method, path },
							{ method: 'GET', path: SUBSCRIPTIONS },
						],
			probe: { path: SUBSCRIPTIONS },
		}),
	),
	{
		resource: 'team',
		operation: 'getLoginHistory',
		label: 'Team → Get Login History',
		calls: [{ method: 'GET', path: '/api/external/authentication-events' }],
		probe: { path: '/api/external/authentication-events', qs: { pageSize: 1 } },
	},
	{
		resource: 'team',
		operation: 'getMembers',
		label: 'Team → Get Members',
		calls: [{ method: 'GET', path: '/api/external/members' }],
		probe: { path: '/api/external/members', qs: { pageSize: 1 } },
	},
];

/**
 * The Celonis Trigger node: its webhook lifecycle lists, creates, updates, resumes, pauses and deletes the
 * subscription, and names a deleted trigger by listing the knowledge model's triggers. Its engine tests run it
 * with exactly these scopes.
 */
export const TRIGGER_ENTRY: OperationEntry = {
	resource: 'celonisTrigger',
	operation: 'subscribe',
	label: 'Celonis Trigger',
	calls: [
		{ method: 'GET', path: SUBSCRIPTIONS },
		{ method: 'POST', path: `${KM}/{km}/triggers/{trigger}/subscriptions` },
		{ method: 'PUT', path: `${SUBSCRIPTIONS}/{id}` },
		{ method: 'PATCH', path: `${SUBSCRIPTIONS}/{id}/resume` },
		{ method: 'PATCH', path: `${SUBSCRIPTIONS}/{id}/pause` },
		{ method: 'DELETE', path: `${SUBSCRIPTIONS}/{id}` },
		{ method: 'GET', path: `${KM}/{km}/triggers` },
	],
	probe: { path: SUBSCRIPTIONS },
};

export function operationEntry(resource: string, operation: string): OperationEntry | undefined {
	return OPERATION_TABLE.find((e) => e.resource === resource && e.operation === operation);
}

/** One scope requirement: any one of `anyOf` is enough. */
export interface ScopeNeed {
	api: string;
	anyOf: string[];
	permission: string;
}

/** What a list of calls needs: one requirement per distinct rule (with the method's alternatives). */
export function scopeNeedsOfCalls(calls: readonly OperationCall[]): ScopeNeed[] {
	const needs: ScopeNeed[] = [];
	for (const call of calls) {
		const rule = scopeRuleFor(call.path.split('?')[0], call.method);
		if (!rule) continue;
		const need = { api: rule.api, anyOf: rule.anyOf, permission: rule.permission };
		const key = (n: ScopeNeed) => `${n.api}|${[...n.anyOf].sort().join(' ')}`;
		if (!needs.some((n) => key(n) === key(need))) needs.push(need);
	}
	// A need that another one implies (its alternatives include all of the other's) adds nothing.
	return needs.filter(
		(n) =>
			!needs.some(
				(m) =>
					m !== n && m.anyOf.length < n.anyOf.length && m.anyOf.every((s) => n.anyOf.includes(s)),
			),
	);
}

/** The scopes a need still lacks (all its alternatives), or [] when one of them is granted. */
export function unmetAlternatives(need: ScopeNeed, granted: readonly string[]): string[] {
	return need.anyOf.some((s) => granted.includes(s)) ? [] : need.anyOf;
}

/**
 * How much a scope opens: the number of (rule, method kind) pairs it satisfies. Used to prefer the narrowest
 * scope when several would do (integration.data-pools:read over integration.data-pools for reads).
 */
function breadth(scope: string): number {
	let count = 0;
	for (const rule of SCOPE_RULES as readonly ScopeRule[]) {
		if (rule.anyOf.includes(scope)) count += 2;
		else if (rule.readAlso?.includes(scope)) count += 1;
	}
	return count;
}

/**
 * The least-privilege scope set that satisfies every need: as few scopes as possible, and among the sets of
 * that size the narrowest (smallest total breadth), ties broken by name. Exact search over the candidates (at
 * most a few dozen subsets in practice); beyond 16 candidates, greedy.
 */
export function leastPrivilegeScopes(needs: readonly ScopeNeed[]): string[] {
	const candidates = [...new Set(needs.flatMap((n) => n.anyOf))].sort(
		(a, b) => breadth(a) - breadth(b) || a.localeCompare(b),
	);
	const covers = (set: readonly string[]) =>
		needs.every((n) => n.anyOf.some((s) => set.includes(s)));
	if (candidates.length <= 16) {
		let best: string[] | undefined;
		let bestCost = Number.POSITIVE_INFINITY;
		for (let mask = 0; mask < 1 << candidates.length; mask++) {
			const set = candidates.filter((_, i) => mask & (1 << i));
			if (best && set.length > best.length) continue;
			if (!covers(set)) continue;
			const cost = set.reduce((sum, s) => sum + breadth(s), 0);
			if (!best || set.length < best.length || cost < bestCost) {
				best = set;
				bestCost = cost;
			}
		}
		return (best ?? []).sort();
	}
	const chosen: string[] = [];
	for (const need of needs)
		if (!need.anyOf.some((s) => chosen.includes(s)))
			chosen.push(
				[...need.anyOf].sort((a, b) => breadth(a) - breadth(b) || a.localeCompare(b))[0] as string,
			);
	return chosen.sort();
}
