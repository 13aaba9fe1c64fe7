import type { IHttpRequestMethods } from 'n8n-workflow';

import { toNodeError } from '../helpers/nodeErrors';
import { forgetTeamAuth, type CelonisContext, type TeamAuth } from './authentication';
import { toFailure } from './responses';

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
): Promise<void> {
	let refresh = refreshes.get(auth.credentialKey);
	if (!refresh) {
		refresh = (async () => {
			try {
				await ctx.helpers.httpRequestWithAuthentication.call(ctx, auth.credentialType, {
					method: 'GET',
					url: `${auth.origin}${refreshProbePath(url, method)}`,
					returnFullResponse: true,
					disableFollowRedirect: true,
					encoding: 'arraybuffer',
				});
			} catch (error) {
				// Any HTTP answer after the refresh is fine (403, 404, 405 ...); failing to get a token is not.
				const failure = toFailure(error);
				if (failure.status === undefined && failure.message && !failure.networkCode)
					throw toNodeError(ctx.getNode(), error);
			} finally {
				refreshes.delete(auth.credentialKey);
				forgetTeamAuth(ctx);
			}
		})();
		refreshes.set(auth.credentialKey, refresh);
	}
	await refresh;
}

/** With OAuth the transport refreshes tokens itself (single-flight); no status makes n8n do it per request. */
export const NO_AUTOMATIC_REFRESH: number[] = [];
