import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper } from 'n8n-workflow';

import { describeRateLimitReset } from '../../shared/rateLimit';
import { assembleScopes, parseScopeString } from '../../shared/scopes';
import { normalizeTeamUrl, teamUrlHasScheme } from '../../shared/teamUrl';
import { hasUsableToken, settingsFingerprint } from '../../shared/tokenUsability';
import { CelonisAuthError, redact } from './errors';
import { describeStatus, headerValue, sendRaw, triedNote, type RawResponse } from './http';

export type ClientAuthMethod = 'clientSecretBasic' | 'clientSecretPost';

export interface OAuthClientSettings {
	origin: string;
	/** No scheme was typed, so https:// was assumed (said when the server speaks plain http). */
	schemeAssumed?: boolean;
	clientId: string;
	clientSecret: string;
	authMethod: ClientAuthMethod;
	scopes: string[];
}

/** What the credential stores after a successful token request (hidden fields). */
export interface StoredToken extends IDataObject {
	accessToken: string;
	issuedAt: string;
	expiresAt: string;
	grantedScopes: string;
	issuedFor: string;
}

/** Documented lifetime of a Celonis access token; used only when a token response omits `expires_in`. */
const DEFAULT_LIFETIME_SECONDS = 899;
/**
 * Longest lifetime believed: a token claiming more (`expires_in: 1e20`) is treated as living a day, so an
 * absurd answer can neither overflow a date nor keep a token forever.
 */
const MAX_LIFETIME_SECONDS = 24 * 60 * 60;
const METHOD_LABEL: Record<ClientAuthMethod, string> = {
	clientSecretBasic: 'Client Secret Basic',
	clientSecretPost: 'Client Secret Post',
};

export function readClientSettings(
	credentials: ICredentialDataDecryptedObject,
): OAuthClientSettings {
	// Invalid team URLs and scopes throw errors whose messages already say what to enter.
	const origin = normalizeTeamUrl(credentials.teamUrl);
	const scopes = assembleScopes(credentials.scopes, credentials.customScopes);
	const clientId = String(credentials.clientId ?? '').trim();
	const clientSecret = String(credentials.clientSecret ?? '');
	if (clientId === '')
		throw new CelonisAuthError(
			'Enter the Client ID of your Celonis OAuth client (Admin & Settings → Applications).',
		);
	if (clientSecret === '')
		throw new CelonisAuthError(
			'Enter the Client Secret of your Celonis OAuth client (shown once when the client is created; regenerate it in Admin & Settings → Applications if it was lost).',
		);
	const authMethod: ClientAuthMethod =
		credentials.authMethod === 'clientSecretPost' ? 'clientSecretPost' : 'clientSecretBasic';
	return {
		origin,
		schemeAssumed: !teamUrlHasScheme(credentials.teamUrl),
		clientId,
		clientSecret,
		authMethod,
		scopes,
	};
}

/** Client id and secret are form-urlencoded before they go into the Basic header (docs/celonis-api.md, "OAuth"). */
export function basicAuthorization(clientId: string, clientSecret: string): string {
	const encode = (v: string) => new URLSearchParams({ v }).toString().slice(2);
	return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export function tokenRequestBody(
	s: OAuthClientSettings,
	method: ClientAuthMethod,
	scopes: string[],
): string {
	const form = new URLSearchParams({ grant_type: 'client_credentials' });
	if (scopes.length > 0) form.set('scope', scopes.join(' '));
	if (method === 'clientSecretPost') {
		form.set('client_id', s.clientId);
		form.set('client_secret', s.clientSecret);
	}
	return form.toString();
}

async function requestToken(
	helper: IHttpRequestHelper,
	s: OAuthClientSettings,
	method: ClientAuthMethod,
	scopes: string[],
): Promise<RawResponse> {
	const headers: Record<string, string> = {
		'Content-Type': 'application/x-www-form-urlencoded',
		Accept: 'application/json',
	};
	if (method === 'clientSecretBasic')
		headers.Authorization = basicAuthorization(s.clientId, s.clientSecret);
	return await sendRaw(
		helper,
		{ origin: s.origin, schemeAssumed: s.schemeAssumed === true },
		'the token request',
		{
			method: 'POST',
			url: `${s.origin}/oauth2/token`,
			headers,
			body: tokenRequestBody(s, method, scopes),
			json: false,
		},
	);
}

function oauthError(response: RawResponse): { error?: string; description?: string } {
	const body = response.body as { error?: unknown; error_description?: unknown } | undefined;
	if (!body || typeof body !== 'object') return {};
	return {
		error: typeof body.error === 'string' ? body.error : undefined,
		description: typeof body.error_description === 'string' ? body.error_description : undefined,
	};
}

function isTokenResponse(response: RawResponse): boolean {
	const body = response.body as { access_token?: unknown } | undefined;
	return (
		response.status === 200 && typeof body?.access_token === 'string' && body.access_token !== ''
	);
}

/**
 * Runs the client-credentials grant and turns every way it can fail into a message that says what to
 * change: wrong id/secret, the other client authentication method, scopes the client may not request,
 * a team URL that is not a Celonis team.
 */
export async function fetchClientCredentialsToken(
	helper: IHttpRequestHelper,
	s: OAuthClientSettings,
	now: () => number = Date.now,
): Promise<StoredToken> {
	const response = await requestToken(helper, s, s.authMethod, s.scopes);
	if (isTokenResponse(response)) return toStoredToken(response, s, now());
	throw await explainTokenFailure(helper, s, response);
}

function toStoredToken(
	response: RawResponse,
	s: OAuthClientSettings,
	issuedAt: number,
): StoredToken {
	const body = response.body as { access_token: string; expires_in?: unknown; scope?: unknown };
	const lifetime = Number(body.expires_in);
	const seconds =
		Number.isFinite(lifetime) && lifetime > 0
			? Math.min(lifetime, MAX_LIFETIME_SECONDS)
			: DEFAULT_LIFETIME_SECONDS;
	const granted = body.scope === undefined ? s.scopes : parseScopeString(body.scope);
	return {
		accessToken: body.access_token,
		issuedAt: new Date(issuedAt).toISOString(),
		expiresAt: new Date(issuedAt + seconds * 1000).toISOString(),
		grantedScopes: granted.join(' '),
		issuedFor: settingsFingerprint(s),
	};
}

async function explainTokenFailure(
	helper: IHttpRequestHelper,
	s: OAuthClientSettings,
	response: RawResponse,
): Promise<CelonisAuthError> {
	const { error, description } = oauthError(response);
	const detail = description ? ` The team said: "${redact(description, [s.clientSecret])}".` : '';
	const teamHint = `${s.origin}/oauth2/token`;

	if (error === 'invalid_client' || (response.status === 401 && error === undefined)) {
		const other: ClientAuthMethod =
			s.authMethod === 'clientSecretBasic' ? 'clientSecretPost' : 'clientSecretBasic';
		const retry = await requestToken(helper, s, other, s.scopes);
		if (isTokenResponse(retry) || oauthError(retry).error === 'invalid_scope') {
			return new CelonisAuthError(
				`The OAuth client "${s.clientId}" does not accept ${METHOD_LABEL[s.authMethod]} but accepts ${METHOD_LABEL[other]}: ` +
					`set Client Authentication Method to "${METHOD_LABEL[other]}".`,
			);
		}
		return new CelonisAuthError(
			`The team rejected the Client ID or Client Secret (invalid_client) for client "${s.clientId}". ` +
				'Check both values; if the secret was regenerated in Celonis (Admin & Settings → Applications), paste the new one.' +
				detail,
		);
	}
	if (error === 'invalid_scope') {
		const rejected = await findRejectedScopes(helper, s);
		const which =
			rejected.length > 0
				? `these scopes: ${rejected.join(', ')}`
				: `the requested scopes (${s.scopes.join(' ')})`;
		return new CelonisAuthError(
			`The OAuth client "${s.clientId}" may not request ${which}. Remove them from Scopes / Custom Scopes, ` +
				'or allow them for the client in Celonis (Admin & Settings → Applications → edit the OAuth client).' +
				detail,
		);
	}
	if (error === 'unsupported_grant_type' || error === 'unauthorized_client') {
		return new CelonisAuthError(
			`The OAuth client "${s.clientId}" is not allowed to use the client credentials grant (${error}). ` +
				'In Celonis (Admin & Settings → Applications), create an OAuth client with grant type "Client credentials".' +
				detail,
		);
	}
	if (error !== undefined) {
		return new CelonisAuthError(
			`The token request was refused (${error}, HTTP ${response.status}).${detail}`,
		);
	}
	if (response.status === 429) {
		const reset = describeRateLimitReset({
			'x-ratelimit-reset': headerValue(response.headers, 'x-ratelimit-reset'),
			'retry-after': headerValue(response.headers, 'retry-after'),
		});
		return new CelonisAuthError(
			`The Celonis token endpoint is rate limiting this team (HTTP 429)${triedNote(response)}${reset ? `; the limit resets in ${reset.inText} (${reset.at})` : ''}.`,
		);
	}
	if (response.status >= 500) {
		return new CelonisAuthError(
			`The Celonis token endpoint failed (${describeStatus(response)})${triedNote(response)}. Try again later.`,
		);
	}
	return new CelonisAuthError(
		`${s.origin} does not look like a Celonis team: ${teamHint} answered ${describeStatus(response)} without an access token. ` +
			'Check the Team URL (https://<team>.<realm>.celonis.cloud).',
	);
}

/** Asks for each scope on its own to name exactly the ones the client may not request. */
async function findRejectedScopes(
	helper: IHttpRequestHelper,
	s: OAuthClientSettings,
): Promise<string[]> {
	if (s.scopes.length <= 1) return s.scopes;
	const rejected: string[] = [];
	// Capped so a long list cannot run into the token endpoint's rate limit; beyond it the server's words remain.
	for (const scope of s.scopes.slice(0, 20)) {
		const response = await requestToken(helper, s, s.authMethod, [scope]);
		if (oauthError(response).error === 'invalid_scope') rejected.push(scope);
	}
	return rejected;
}

/**
 * Token requests in flight, and the token each settings fingerprint got last, in this n8n process. n8n's HTTP
 * Request node sends all items at once and runs preAuthentication for each of them (on first use, and after each
 * failure): they share one token request, and a caller whose view of the credential predates a token that was
 * just fetched gets that token instead of a new one. A cached token is only ever handed to a caller that does not
 * already hold it, so a token found revoked is always replaced.
 */
const inFlight = new Map<string, Promise<StoredToken>>();
const lastFetched = new Map<string, StoredToken>();
/** How long a just-fetched token is handed to callers with an older view of the credential. */
const SHARE_FOR_MS = 10_000;

/**
 * A token for these settings: the one just fetched by a concurrent or slightly earlier call, or a new one (one
 * request, however many callers ask at once).
 */
export async function sharedClientCredentialsToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	s: OAuthClientSettings,
	now: () => number = Date.now,
): Promise<StoredToken> {
	const key = settingsFingerprint(s);
	const recent = lastFetched.get(key);
	if (
		recent &&
		recent.accessToken !== credentials.accessToken &&
		now() - Date.parse(recent.issuedAt) < SHARE_FOR_MS &&
		hasUsableToken({ ...credentials, ...recent }, now())
	)
		return recent;
	let pending = inFlight.get(key);
	if (!pending) {
		pending = fetchClientCredentialsToken(helper, s, now).then((token) => {
			lastFetched.set(key, token);
			return token;
		});
		inFlight.set(key, pending);
		// Removed once settled, whatever the outcome: a failure is not shared with later callers.
		void pending.then(
			() => inFlight.delete(key),
			() => inFlight.delete(key),
		);
	}
	return await pending;
}

/** One answer is enough to tell a live token from a revoked one; the request it stands for is waiting. */
const KEEP_PROBE_TIMEOUT_MS = 10_000;

/**
 * Whether the stored token should be kept although n8n asks for a new one. n8n runs preAuthentication again
 * after a failed request, and its HTTP Request node after ANY failure (a 429, a 500, a timeout), not only a
 * 401: replacing the token each time would mint one token per failed request. A token that is still usable
 * for the current settings (team, client, secret, method, scopes; see shared/tokenUsability) is checked with
 * one cheap authenticated GET (`/api/cloud/team`, no scope needed, no side effect): only a 401 means it is
 * revoked and must be replaced. Any other answer, or none at all, keeps it.
 */
export async function storedTokenStillValid(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	s: OAuthClientSettings,
): Promise<boolean> {
	if (!hasUsableToken(credentials)) return false;
	const status = await helper.helpers
		.httpRequest({
			method: 'GET',
			url: `${s.origin}/api/cloud/team`,
			headers: { Authorization: `Bearer ${String(credentials.accessToken)}`, Accept: '*/*' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: KEEP_PROBE_TIMEOUT_MS,
		})
		.then(
			(response: { statusCode: number }) => response.statusCode,
			() => undefined,
		);
	return status !== 401;
}
