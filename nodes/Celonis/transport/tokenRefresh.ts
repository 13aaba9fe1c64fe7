import { NodeOperationError, type IHttpRequestMethods } from 'n8n-workflow';

import { toNodeError } from '../helpers/nodeErrors';
import { waitUnlessCancelled } from '../helpers/waiting';
import { forgetTeamAuth, type CelonisContext, type TeamAuth } from './authentication';
import { toNodeApiError } from './errors';
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
				if (auth.oauth?.grant === 'authorizationCode')
					await refreshAuthorizationCodeToken(ctx, auth);
				else await sendRefreshProbe(ctx, auth, url, method, policy);
			} catch (error) {
				// A sign-in that ended (n8n: the credential "needs to be reconnected") is said in our words.
				const failure = toFailure(error);
				if (failure.consentEnded)
					throw toNodeApiError(ctx.getNode(), failure, { method, path: url.pathname, auth });
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

/**
 * Sends the probe until it got through to authentication: any answer after the refresh is fine (403, 404,
 * 405 ...) and failing to get a token is an error; but a 429, 502-504 or a broken connection met the probe
 * before Celonis looked at the token, so n8n never saw the 401 it needs: the probe is sent again (a GET).
 */
async function sendRefreshProbe(
	ctx: CelonisContext,
	auth: TeamAuth,
	url: URL,
	method: IHttpRequestMethods,
	policy: RetryPolicy,
): Promise<void> {
	const probeUrl = `${auth.origin}${refreshProbePath(url, method)}`;
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

/**
 * The authorization-code token is n8n's: its refresh token is used (and rotated, and stored) by n8n's own OAuth2
 * refresh, which n8n single-flights per credential across processes. Asked for before a token expires, so that
 * a body that can be sent only once never meets a 401. n8n versions without the helper refresh on the 401.
 */
async function refreshAuthorizationCodeToken(ctx: CelonisContext, auth: TeamAuth): Promise<void> {
	const helpers = ctx.helpers as CelonisContext['helpers'] & {
		refreshOAuth2Token?: (this: CelonisContext, credentialsType: string) => Promise<unknown>;
	};
	if (typeof helpers.refreshOAuth2Token !== 'function') return;
	try {
		await helpers.refreshOAuth2Token.call(ctx, auth.credentialType);
	} catch (error) {
		// n8n's OAuth2 client throws the token endpoint's RFC 6749 error (its `body`); invalid_grant n8n turns
		// into its "reconnect" error itself.
		const body = (error as { body?: { error?: unknown; error_description?: unknown } }).body;
		if (typeof body?.error !== 'string')
			throw new NodeOperationError(ctx.getNode(), error as Error);
		const said =
			typeof body.error_description === 'string' ? ` Celonis said: ${body.error_description}.` : '';
		throw new NodeOperationError(
			ctx.getNode(),
			`Celonis refused to renew the access token of the credential "${auth.credentialName}" (${body.error})`,
			{
				description:
					(body.error === 'invalid_client' || body.error === 'unauthorized_client'
						? "Check the credential's Client ID, Client Secret and Client Authentication Method against the OAuth client in Celonis (Admin & Settings → Applications), then reconnect it."
						: 'Open the credential and click "Reconnect".') + said,
			},
		);
	}
}

/** With OAuth the transport refreshes tokens itself (single-flight); no status makes n8n do it per request. */
export const NO_AUTOMATIC_REFRESH: number[] = [];
