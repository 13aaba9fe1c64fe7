import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	leastPrivilegeScopes,
	OPERATION_TABLE,
	scopeNeedsOfCalls,
	unmetAlternatives,
	type OperationEntry,
	type ScopeNeed,
} from '../../../shared/operationScopes';
import { describeRateLimitReset } from '../../../shared/rateLimit';
import {
	celonisRequest,
	readTeamAuth,
	type Authentication,
	type CelonisResponse,
	type TeamAuth,
} from '../transport';

const KIND: Record<Authentication, string> = {
	apiKey: 'User API key',
	appKey: 'Application key',
	oAuth2: 'OAuth client credentials',
	oAuth2AuthCode: 'OAuth authorization code',
};

/** Identity probes Celonis' own clients use (docs/celonis-api.md, "Team URL and authentication"): no scope needed. */
const TEAM_PATH = '/api/cloud/team';
const USER_PATH = '/api/cloud';

type Probe = NonNullable<OperationEntry['probe']>;

interface ProbeResult {
	status: number;
	said: string;
}

/**
 * What the credential in use can do, found out with reads only (GET; no write, nothing created): the team, the
 * kind of credential, who it acts as (where Celonis says so), its scopes and token expiry, the rate-limit
 * headroom from the last answer, and for every operation of the node whether it can run, with what to add if
 * not. One cheap read per API where one exists tells a missing permission from a granted one.
 */
export async function checkConnection(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<IDataObject> {
	let lastLimits: IDataObject | undefined;
	const get = async (path: string, qs: IDataObject = {}, neverError = true) => {
		const response: CelonisResponse = await celonisRequest.call(ctx, {
			method: 'GET',
			path,
			qs,
			responseFormat: 'json',
			neverError,
			skipScopeCheck: true,
			itemIndex,
			retry: { maxRetries: 2 },
		});
		lastLimits = rateLimitOf(response, path) ?? lastLimits;
		return response;
	};

	// Fails the check with the transport's own message when the credential cannot authenticate at all.
	const team = (await get(TEAM_PATH, {}, false)).body as IDataObject;
	// Read after the first request: an OAuth token exists now, with the scopes it was granted.
	const auth = await readTeamAuth(ctx);
	const user = await get(USER_PATH);

	const scopes = auth.oauth ? (auth.oauth.granted ?? auth.oauth.requested) : undefined;
	const probes = new Map<string, Promise<ProbeResult>>();
	const probe = (p: Probe) => {
		const key = `${p.path}?${JSON.stringify(p.qs ?? {})}`;
		let result = probes.get(key);
		if (!result) {
			result = get(p.path, p.qs ?? {}).then((r) => ({
				status: r.status,
				said: `GET ${p.path} → HTTP ${r.status}`,
			}));
			probes.set(key, result);
		}
		return result;
	};

	const operations: IDataObject[] = [];
	const unmet: ScopeNeed[] = [];
	const permissions = new Set<string>();
	for (const entry of OPERATION_TABLE) {
		const report = await checkOperation(entry, auth, scopes, probe);
		operations.push(report.item);
		unmet.push(...report.unmet);
		if (report.permission) permissions.add(report.permission);
	}

	const addScopes = auth.oauth ? leastPrivilegeScopes(unmet) : [];
	const count = (test: (o: IDataObject) => boolean) => operations.filter(test).length;
	const ready = count((o) => o.canRun === true);
	const blocked = count((o) => o.canRun === false);
	const unchecked = count((o) => o.canRun === true && String(o.status).includes('not checked'));
	return {
		team: {
			url: auth.origin,
			domain: team?.domain ?? null,
			name: team?.name ?? null,
		},
		credential: {
			kind: KIND[auth.authentication],
			type: auth.credentialType,
			name: auth.credentialName,
		},
		actsAs: actsAs(user, auth),
		...(auth.oauth
			? {
					scopes: {
						requested: auth.oauth.requested,
						granted: auth.oauth.granted ?? null,
					},
					token: tokenOf(auth),
				}
			: { scopes: null, token: null }),
		rateLimit: lastLimits ?? null,
		operations,
		summary: {
			operations: operations.length,
			ready,
			blocked,
			...(addScopes.length > 0 ? { addScopes } : {}),
			...(permissions.size > 0 ? { grantPermissions: [...permissions] } : {}),
			text: [
				`${ready} of ${operations.length} operations can run${unchecked > 0 ? ` (for ${unchecked} of them the permission is checked only by their first run: they need IDs)` : ''}; ${blocked} cannot.`,
				addScopes.length > 0
					? `Add the scopes ${addScopes.join(', ')} to the credential (and allow them for the OAuth client in Celonis), then ${auth.oauth?.grant === 'authorizationCode' ? 'reconnect it' : 'run the check again'}.`
					: '',
				permissions.size > 0 ? `Grant in Celonis: ${[...permissions].join('; ')}.` : '',
			]
				.filter((t) => t !== '')
				.join(' '),
		},
	};
}

async function checkOperation(
	entry: OperationEntry,
	auth: TeamAuth,
	scopes: string[] | undefined,
	probe: (p: Probe) => Promise<ProbeResult>,
): Promise<{ item: IDataObject; unmet: ScopeNeed[]; permission?: string }> {
	const base = { operation: entry.label, resource: entry.resource, name: entry.operation };
	if (entry.noCalls)
		return { item: { ...base, canRun: true, status: 'ready (no Celonis call)' }, unmet: [] };
	if (entry.dependsOnInput)
		return {
			item: {
				...base,
				canRun: null,
				status: 'depends on the path: each call needs the scope of its API (README, "Scopes")',
			},
			unmet: [],
		};

	const needs = scopeNeedsOfCalls(entry.calls);
	if (needs.length === 0)
		return { item: { ...base, canRun: true, status: 'ready (needs no scope)' }, unmet: [] };
	const unmet = scopes ? needs.filter((n) => unmetAlternatives(n, scopes).length > 0) : [];
	const scopeReport = auth.oauth
		? { needs: needs.map((n) => n.anyOf.join(' or ')), missing: unmet.map((n) => n.anyOf[0]) }
		: undefined;
	if (unmet.length > 0) {
		const add = leastPrivilegeScopes(unmet);
		return {
			item: {
				...base,
				canRun: false,
				status: 'missing scope',
				scopes: scopeReport,
				fix: `Add ${add.join(' and ')} to the credential's Scopes${auth.oauth?.grant === 'authorizationCode' ? ' and reconnect it' : ''}.`,
			},
			unmet,
		};
	}
	if (!entry.probe) {
		return {
			item: {
				...base,
				canRun: true,
				status: auth.oauth
					? 'scope present; permission not checked (it needs IDs: the first run tells)'
					: 'permission not checked (it needs IDs: the first run tells)',
				...(scopeReport ? { scopes: scopeReport } : {}),
			},
			unmet: [],
		};
	}
	const result = await probe(entry.probe);
	const permission = needs[0]?.permission;
	if (result.status === 403) {
		return {
			item: {
				...base,
				canRun: false,
				status: 'missing permission',
				...(scopeReport ? { scopes: scopeReport } : {}),
				probe: result.said,
				fix: `Grant ${permission ?? 'the permission for this API'} in Celonis.`,
			},
			unmet: [],
			permission,
		};
	}
	const ok = result.status >= 200 && result.status < 300;
	return {
		item: {
			...base,
			canRun: ok ? true : null,
			status: ok
				? 'ready'
				: result.status === 404
					? 'not checked: the team does not offer this API (HTTP 404)'
					: `not checked: the probe answered HTTP ${result.status}`,
			...(scopeReport ? { scopes: scopeReport } : {}),
			probe: result.said,
		},
		unmet: [],
	};
}

/** Who the credential acts as, as `GET /api/cloud` says (pycelonis' probe); null when the team does not say. */
function actsAs(user: CelonisResponse, auth: TeamAuth): IDataObject {
	const body = (user.body ?? {}) as IDataObject;
	if (user.status !== 200 || typeof body !== 'object')
		return {
			known: false,
			note: `The team did not say (GET ${USER_PATH} answered HTTP ${user.status}).`,
		};
	const pick = (k: string) => (body[k] === undefined ? null : body[k]);
	return {
		known: true,
		name: pick('name'),
		email: pick('email'),
		role: pick('role'),
		admin: pick('admin'),
		applicationKey: pick('applicationKey'),
		...(auth.oauth?.grant === 'clientCredentials'
			? { note: 'An OAuth client acts with its own permissions, not a person’s.' }
			: {}),
	};
}

function tokenOf(auth: TeamAuth): IDataObject {
	const expiresAt = auth.oauth?.expiresAt;
	const known = expiresAt !== undefined && Number.isFinite(expiresAt);
	return {
		expiresAt: known ? new Date(expiresAt).toISOString() : null,
		expiresInSeconds: known ? Math.max(0, Math.round((expiresAt - Date.now()) / 1000)) : null,
		renewal:
			auth.oauth?.grant === 'authorizationCode'
				? 'n8n renews it with the refresh token until the consent ends (at most 30 days); then reconnect'
				: 'a new token is fetched automatically before it expires',
	};
}

/** Headroom from `x-ratelimit-*` of an answer (docs/celonis-api.md, "Rate limits"), or undefined without them. */
function rateLimitOf(response: CelonisResponse, path: string): IDataObject | undefined {
	const h = response.headers;
	if (h['x-ratelimit-limit'] === undefined && h['x-ratelimit-remaining'] === undefined)
		return undefined;
	const number = (v: string | undefined) =>
		v !== undefined && Number.isFinite(Number(v)) ? Number(v) : null;
	const reset = describeRateLimitReset(h);
	return {
		limit: number(h['x-ratelimit-limit']),
		remaining: number(h['x-ratelimit-remaining']),
		resetsInSeconds: reset?.seconds ?? null,
		measuredOn: `GET ${path}`,
	};
}
