import {
	NodeOperationError,
	type IDataObject,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import {
	leastPrivilegeScopes,
	scopeNeedsOfCalls,
	unmetAlternatives,
} from '../../../shared/operationScopes';
import { waitUnlessCancelled } from '../helpers/waiting';
import { forgetTeamAuth, readTeamAuth, type CelonisContext, type TeamAuth } from './authentication';
import { toNodeApiError, type RequestDescription } from './errors';
import { closeRateLimitGate, rateLimitGateMs } from './rateLimitGate';
import {
	decodeBody,
	isJsonBody,
	normalizeHeaders,
	toFailure,
	type CelonisResponse,
	type HttpFailure,
	type ResponseFormat,
} from './responses';
import { decideRetry, DEFAULT_RETRY, type RetryPolicy } from './retry';
import { ensureUsableToken, NO_AUTOMATIC_REFRESH, refreshToken } from './tokenRefresh';
import { assertSafeHeaders, resolveTeamUrl } from './url';

export interface CelonisRequestOptions {
	method: IHttpRequestMethods;
	/** A path on the team (`/integration/api/pools`) or an absolute URL on the team's origin. */
	path: string;
	qs?: IDataObject;
	headers?: Record<string, string>;
	body?: IHttpRequestOptions['body'];
	/** For bodies that can be sent only once (multipart, streams): built anew for every attempt. */
	makeBody?: () => Promise<IHttpRequestOptions['body']> | IHttpRequestOptions['body'];
	responseFormat?: ResponseFormat;
	timeout?: number;
	retry?: Partial<RetryPolicy>;
	itemIndex?: number;
	/** Return error responses instead of throwing them. */
	neverError?: boolean;
	/** Skip the scope check (e.g. for a path the user chose to call although it is unmapped). */
	skipScopeCheck?: boolean;
	/**
	 * Makes a non-idempotent request (POST, PATCH) safe to retry after a 5xx or a broken connection, when
	 * it may or may not have been processed: asked before every resend, it looks the outcome up (e.g. lists
	 * a job's chunks) and says what it found (see Reconciled).
	 */
	reconcile?: (failure: HttpFailure) => Promise<Reconciled>;
}

/**
 * What a reconcile hook found out about a request that may have landed: it did (the response to use),
 * it did not ('resend'), or there is no way to tell ('give up': the failure is reported, nothing is resent).
 */
export type Reconciled = CelonisResponse | 'resend' | 'give up';

const MAX_REDIRECTS = 5;

/**
 * The one way the node talks to Celonis. Every call goes through n8n's httpRequestWithAuthentication
 * (proxy, domain restrictions and credential refresh are n8n's); on top of it: the URL and scope checks,
 * token freshness before bodies that cannot be replayed, retries that honour Celonis' rate-limit headers,
 * same-origin redirects only, and errors that say what to fix.
 */
export async function celonisRequest<T = unknown>(
	this: CelonisContext,
	options: CelonisRequestOptions,
): Promise<CelonisResponse<T>> {
	const auth = await readTeamAuth(this);
	const node = this.getNode();
	const fail = (message: string) =>
		new NodeOperationError(
			node,
			message,
			options.itemIndex !== undefined ? { itemIndex: options.itemIndex } : {},
		);

	// Refused before anything is sent: foreign origins, `..`, CR/LF and Authorization in headers.
	let url = resolveTeamUrl(auth.origin, options.path);
	if (options.headers) assertSafeHeaders(options.headers);
	if (!options.skipScopeCheck) assertScopes(auth, url.pathname, options.method, fail);
	await ensureUsableToken(this, auth, url, options.method);
	// A credential that requests no scope gets what the client is allowed: known only once a token was issued.
	if (
		!options.skipScopeCheck &&
		auth.oauth &&
		auth.oauth.granted === undefined &&
		auth.oauth.requested.length === 0
	) {
		assertScopes(await readTeamAuth(this), url.pathname, options.method, fail);
	}

	const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
	let attempt = 0;
	let waitedMs = 0;
	let redirects = 0;
	let reauthenticated = false;
	let redirectNotFollowed: string | undefined;
	for (;;) {
		const describe = (gaveUp?: string): RequestDescription => ({
			method: options.method,
			path: url.pathname,
			auth,
			itemIndex: options.itemIndex,
			gaveUp,
			timeoutMs: options.timeout,
			redirectNotFollowed,
		});
		const gateMs = rateLimitGateMs(auth.credentialKey);
		if (gateMs > 0 && waitedMs + gateMs > policy.maxWaitMs) {
			// Another request of this credential was told to wait longer than this one may.
			const seconds = Math.ceil(gateMs / 1000);
			throw toNodeApiError(
				node,
				{ status: 429, headers: { 'x-ratelimit-reset': String(seconds) }, body: undefined },
				describe(
					`waiting another ${seconds} s would exceed the maximum total wait of ${Math.round(policy.maxWaitMs / 1000)} s`,
				),
			);
		}
		if (gateMs > 0) {
			await waitUnlessCancelled(this, gateMs, 'the Celonis rate limit to reset');
			waitedMs += gateMs;
		}
		try {
			const body = options.makeBody ? await options.makeBody() : options.body;
			return await send<T>(this, auth, url, options, body);
		} catch (error) {
			const failure = toFailure(error);
			const location = failure.headers.location;
			if (
				failure.status !== undefined &&
				failure.status >= 300 &&
				failure.status < 400 &&
				location
			) {
				const next = sameOriginRedirect(auth.origin, url, location);
				redirectNotFollowed = redirectRefusal(failure.status, options, next, redirects);
				if (next && redirectNotFollowed === undefined) {
					redirects++;
					url = next;
					continue;
				}
			}
			// A 401 with an OAuth token (revoked, or expired early): one refresh for all items in flight,
			// then this request once more, with its body built anew. An authorization-code token n8n has
			// already renewed on the 401 and resent the request, except a body it could send only once.
			if (failure.status === 401 && auth.oauth && !reauthenticated) {
				reauthenticated = true;
				if (auth.oauth.grant === 'clientCredentials') {
					await refreshToken(this, auth, url, options.method, policy);
					continue;
				}
				if (options.makeBody) {
					forgetTeamAuth(this);
					continue;
				}
			}
			const decision = decideRetry(
				options.method,
				failure,
				attempt,
				waitedMs,
				options.reconcile ? { ...policy, retryNonIdempotent: true } : policy,
			);
			if (decision.retry) {
				if (failure.status === 429) {
					// The team is over its limit: every request of this credential pauses (at the loop's top), not only this one.
					closeRateLimitGate(auth.credentialKey, decision.waitMs);
				} else {
					await waitUnlessCancelled(this, decision.waitMs, 'a Celonis request to be retried');
					waitedMs += decision.waitMs;
				}
				attempt++;
				// A 429 was not processed; anything else may have been: look before sending it again.
				if (options.reconcile && failure.status !== 429) {
					const found = await options.reconcile(failure);
					if (found === 'give up')
						throw toNodeApiError(
							node,
							failure,
							describe(attempt > 1 ? decision.reason : undefined),
						);
					if (found !== 'resend') return found as CelonisResponse<T>;
				}
				continue;
			}
			if (options.neverError && failure.status !== undefined) {
				return { status: failure.status, headers: failure.headers, body: failure.body as T };
			}
			throw toNodeApiError(node, failure, describe(attempt > 0 ? decision.reason : undefined));
		}
	}
}

/** The transport's half of the scope table (shared/operationScopes): every request is checked before it is sent. */
function assertScopes(
	auth: TeamAuth,
	pathname: string,
	method: IHttpRequestMethods,
	fail: (message: string) => Error,
): void {
	if (!auth.oauth) return;
	const [need] = scopeNeedsOfCalls([{ method, path: pathname }]);
	if (!need) return;
	const scopes =
		auth.oauth.granted ?? (auth.oauth.requested.length > 0 ? auth.oauth.requested : undefined);
	if (scopes === undefined) return;
	const missing = unmetAlternatives(need, scopes);
	if (missing.length === 0) return;
	const [narrowest] = leastPrivilegeScopes([need]);
	const then =
		auth.oauth.grant === 'authorizationCode'
			? ', allow it for the OAuth client in Celonis (Admin & Settings → Applications), and reconnect the credential.'
			: ', and allow it for the OAuth client in Celonis (Admin & Settings → Applications).';
	throw fail(
		`Missing OAuth scope: ${need.api} (${pathname}) needs ${missing.join(' or ')}, but the credential ${auth.oauth.granted ? 'was granted' : 'requests'} only: ${scopes.join(' ') || '(no scopes)'}. ` +
			`Add ${narrowest} to the credential's Scopes${then}`,
	);
}

async function send<T>(
	ctx: CelonisContext,
	auth: TeamAuth,
	url: URL,
	options: CelonisRequestOptions,
	body: IHttpRequestOptions['body'],
): Promise<CelonisResponse<T>> {
	const response = (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		auth.credentialType,
		{
			method: options.method,
			url: url.toString(),
			qs: options.qs,
			headers: { Accept: 'application/json, */*;q=0.8', ...(options.headers ?? {}) },
			body,
			json: isJsonBody(body),
			encoding: 'arraybuffer',
			returnFullResponse: true,
			disableFollowRedirect: true,
			timeout: options.timeout,
			arrayFormat: 'repeat',
		},
		auth.oauth?.grant === 'clientCredentials'
			? { preAuthenticationRetryStatusCode: NO_AUTOMATIC_REFRESH }
			: undefined,
	)) as { statusCode: number; headers: Record<string, unknown>; body: unknown };
	const headers = normalizeHeaders(response.headers);
	return {
		status: response.statusCode,
		headers,
		body: decodeBody(response.body, headers, options.responseFormat ?? 'auto') as T,
	};
}

/**
 * Why a redirect on the team is not followed, or undefined to follow it. GET and HEAD follow any; other
 * methods only 307 and 308, which keep the method and body (a 301/302/303 turns them into a GET), and only
 * when the body can be sent again.
 */
function redirectRefusal(
	status: number,
	options: CelonisRequestOptions,
	next: URL | undefined,
	redirects: number,
): string | undefined {
	if (!next) return 'Redirects to another origin are never followed with the credential.';
	if (redirects >= MAX_REDIRECTS) return `It was the ${MAX_REDIRECTS + 1}th redirect in a row.`;
	if (['GET', 'HEAD'].includes(options.method)) return undefined;
	if (status !== 307 && status !== 308) {
		return `A ${status} redirect would turn the ${options.method} into a GET and drop its body, so it was not followed. Send the request to ${next.pathname} directly.`;
	}
	if (!options.makeBody && isStream(options.body)) {
		return `The body is a stream that can be sent only once, so the ${options.method} could not be repeated at ${next.pathname}. Send the request there directly.`;
	}
	return undefined;
}

function isStream(body: unknown): boolean {
	return typeof (body as { pipe?: unknown } | undefined)?.pipe === 'function';
}

function sameOriginRedirect(origin: string, from: URL, location: string): URL | undefined {
	try {
		const next = new URL(location, from);
		return next.origin === origin ? next : undefined;
	} catch {
		return undefined;
	}
}
