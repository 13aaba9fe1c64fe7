import type { IHttpRequestMethods } from 'n8n-workflow';

import { toNodeError } from '../helpers/nodeErrors';
import { waitUnlessCancelled } from '../helpers/waiting';
import { forgetTeamAuth, type CelonisContext, type TeamAuth } from './authentication';
import { toFailure } from './responses';
import { decideRetry, DEFAULT_RETRY, type RetryPolicy } from './retry';

const refreshes = new Map<string, Promise<void>>();

/** A stored OAuth token that is missing or about to expire is replaced before the request is sent. */
export async function ensureUsableToken(
	ctx: CelonisContext,
	auth: TeamAuth,
	url: URL,
	method: IHttpRequestMethods,
): Promise<void> {
	if (auth.oauth && !auth.oauth.tokenUsable) await refreshToken(ctx, auth, url, method);
}

/**
 * The GET that makes n8n refresh the token: the request's own path when it is a GET; otherwise a path that
 * surely exists for GET and authenticates (an upload path may answer 404/405 to a GET before it checks the
 * token, and then n8n never sees the 401 it needs).
 */
function refreshProbePath(url: URL, method: IHttpRequestMethods): string {
	return method === 'GET' || method === 'HEAD' ? url.pathname : '/api/cloud/team';
}

/**
 * Makes n8n fetch and store a new OAuth token, once per credential however many items are in flight.
 * The only trigger n8n offers is a 401 inside httpRequestWithAuthentication: so one GET (no side effects,
 * see refreshProbePath) is sent; the credential sends no token when it is missing or expiring, a revoked one
 * is refused, Celonis answers 401 and n8n runs preAuthentication, stores the token and retries the GET.
 * Normal requests opt out of n8n's own refresh (NO_AUTOMATIC_REFRESH), so parallel 401s do not each fetch a token.
 */
export async function refreshToken(
	ctx: CelonisContext,
	auth: TeamAuth,
	url: URL,
	method: IHttpRequestMethods,
	policy: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
	let refresh = refreshes.get(auth.credentialKey);
	if (!refresh) {
		refresh = (async () => {
			try {
				await sendRefreshProbe(ctx, auth, `${auth.origin}${refreshProbePath(url, method)}`, policy);
			} finally {
				refreshes.delete(auth.credentialKey);
				forgetTeamAuth(ctx);
			}
		})();
		refreshes.set(auth.credentialKey, refresh);
	}
	await refresh;
}

/**
 * Sends the probe until it got through to authentication: any answer after the refresh is fine (403, 404,
 * 405 ...) and failing to get a token is an error; but a 429, 502-504 or a broken connection met the probe
 * before Celonis looked at the token, so n8n never saw the 401 it needs: the probe is sent again (a GET).
 */
async function sendRefreshProbe(
	ctx: CelonisContext,
	auth: TeamAuth,
	probeUrl: string,
	policy: RetryPolicy,
): Promise<void> {
	let waitedMs = 0;
	for (let attempt = 0; ; attempt++) {
		try {
			await ctx.helpers.httpRequestWithAuthentication.call(ctx, auth.credentialType, {
				method: 'GET',
				url: probeUrl,
				returnFullResponse: true,
				disableFollowRedirect: true,
				encoding: 'arraybuffer',
			});
			return;
		} catch (error) {
			const failure = toFailure(error);
			if (failure.status === undefined && failure.message && !failure.networkCode)
				throw toNodeError(ctx.getNode(), error);
			const decision = decideRetry('GET', failure, attempt, waitedMs, policy);
			if (!decision.retry) return;
			await waitUnlessCancelled(ctx, decision.waitMs, 'the Celonis token to be refreshed');
			waitedMs += decision.waitMs;
		}
	}
}

/** With OAuth the transport refreshes tokens itself (single-flight); no status makes n8n do it per request. */
export const NO_AUTOMATIC_REFRESH: number[] = [];
