/**
 * The token endpoint (client credentials, authorization code, refresh token) and OpenID discovery
 * (docs/celonis-api.md#oauth). Errors are OAuth error JSON `{error, error_description}`.
 */
import { sendOAuthError } from '../errors';
import { HttpError, readBody, sendJson, type Ctx } from '../http';
import { isMultipart, parseMultipart } from '../multipart';
import { verifierMatches, verifierWellFormed } from '../pkce';
import type { RouteDef } from '../router';
import { KNOWN_SCOPES } from '../scopes';
import type { SeedClient } from '../store';

type AuthMethod = 'client_secret_basic' | 'client_secret_post';

/** An OAuth error the token endpoint answers with. */
class OAuthError extends Error {
	constructor(
		public status: number,
		public error: string,
		description: string,
		public basic = false,
	) {
		super(description);
	}
}

function formDecode(s: string): string {
	try {
		return decodeURIComponent(s.replace(/\+/g, ' '));
	} catch {
		return s;
	}
}

/** Token-endpoint parameters from the query string, then the body (form-urlencoded, multipart or JSON) overriding. */
async function readParams(ctx: Ctx): Promise<Record<string, string>> {
	const params: Record<string, string> = {};
	const seen = new Set<string>();
	const set = (k: string, v: string) => {
		// OAuth parameters must not be included more than once
		if (seen.has(k)) throw new OAuthError(400, 'invalid_request', `Parameter ${k} is repeated`);
		seen.add(k);
		params[k] = v;
	};
	for (const [k, v] of ctx.query) set(k, v);
	seen.clear();
	const type = (ctx.req.headers['content-type'] ?? '').toLowerCase();
	if (isMultipart(ctx.req)) {
		for (const [k, v] of Object.entries((await parseMultipart(ctx.req)).fields)) set(k, v);
		return params;
	}
	const body = (await readBody(ctx.req, 1024 * 1024)).toString('utf8');
	if (body.length === 0) return params;
	if (type.includes('application/json')) {
		let json: Record<string, unknown>;
		try {
			json = JSON.parse(body) as Record<string, unknown>;
		} catch {
			throw new HttpError(400, 'invalid JSON body');
		}
		for (const [k, v] of Object.entries(json)) if (typeof v === 'string') set(k, v);
	} else for (const [k, v] of new URLSearchParams(body)) set(k, v);
	return params;
}

interface ClientAuth {
	method: AuthMethod;
	clientId: string;
	secret: string;
}

/** The credential pairs a Basic header may mean, in the order they are tried (config `oauth.basicCredentials`). */
function basicCandidates(ctx: Ctx): { clientId: string; secret: string }[] | undefined {
	const m = /^basic\s+(\S+)$/i.exec((ctx.req.headers.authorization ?? '').trim());
	if (!m) return undefined;
	const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
	const i = decoded.indexOf(':');
	if (i < 0)
		throw new OAuthError(401, 'invalid_client', 'Malformed Basic authorization header', true);
	const raw = { clientId: decoded.slice(0, i), secret: decoded.slice(i + 1) };
	const urlencoded = { clientId: formDecode(raw.clientId), secret: formDecode(raw.secret) };
	const mode = ctx.store.config.oauth.basicCredentials;
	return mode === 'raw' ? [raw] : mode === 'urlencoded' ? [urlencoded] : [urlencoded, raw];
}

/** The client, authenticated by exactly one of client_secret_basic or client_secret_post. */
function authenticateClient(
	ctx: Ctx,
	params: Record<string, string>,
): { client: SeedClient; method: AuthMethod } {
	const candidates = basicCandidates(ctx);
	let auth: ClientAuth | undefined;
	if (candidates) {
		if (params.client_secret !== undefined)
			throw new OAuthError(
				400,
				'invalid_request',
				'Use only one client authentication method (Basic header or client_secret in the body)',
			);
		const pair =
			candidates.find((c) => ctx.store.clients.get(c.clientId)?.clientSecret === c.secret) ??
			(candidates[0] as { clientId: string; secret: string });
		if (params.client_id !== undefined && params.client_id !== pair.clientId)
			throw new OAuthError(
				400,
				'invalid_request',
				'client_id in the body does not match the Basic header',
			);
		auth = { method: 'client_secret_basic', ...pair };
	} else if (params.client_id !== undefined && params.client_secret !== undefined)
		auth = {
			method: 'client_secret_post',
			clientId: params.client_id,
			secret: params.client_secret,
		};
	ctx.log.oauth = {
		clientId: auth?.clientId ?? params.client_id,
		authMethod: auth?.method ?? 'none',
		grantType: params.grant_type,
	};
	ctx.log.identity = { kind: 'oauth', id: auth?.clientId ?? params.client_id };
	if (!params.grant_type)
		throw new OAuthError(400, 'invalid_request', 'Missing required parameter: grant_type');
	if (!auth)
		throw new OAuthError(
			401,
			'invalid_client',
			'Client authentication failed: no client credentials (use client_secret_basic or client_secret_post)',
		);
	const basic = auth.method === 'client_secret_basic';
	const client = ctx.store.clients.get(auth.clientId);
	if (!client || client.clientSecret !== auth.secret)
		throw new OAuthError(
			401,
			'invalid_client',
			'Client authentication failed: unknown client or wrong secret',
			basic,
		);
	if (!client.authMethods.includes(auth.method))
		throw new OAuthError(
			401,
			'invalid_client',
			`Client authentication method ${auth.method} is not allowed for this client (allowed: ${client.authMethods.join(', ')})`,
			basic,
		);
	return { client, method: auth.method };
}

/** Why a client may not have these scopes, or undefined. */
export function scopeError(requested: string[], client: SeedClient): string | undefined {
	const unknown = requested.filter(
		(s) => !(KNOWN_SCOPES as readonly string[]).includes(s) && !client.scopes.includes(s),
	);
	if (unknown.length) return `Unknown scope(s): ${unknown.join(' ')}`;
	const notAllowed = requested.filter((s) => !client.scopes.includes(s));
	if (notAllowed.length) return `Scope(s) not allowed for this client: ${notAllowed.join(' ')}`;
	return undefined;
}

/** A space-separated scope parameter, deduplicated; undefined when absent or empty. */
export function splitScopes(raw: string | null | undefined): string[] | undefined {
	if (raw === undefined || raw === null) return undefined;
	const list = raw.split(/\s+/).filter(Boolean);
	return list.length ? [...new Set(list)] : undefined;
}

interface Grant {
	scopes: string[];
	userEmail?: string;
	consentId?: string;
	code?: string;
	/** issue a refresh token too (authorization code and refresh grants) */
	refresh: boolean;
	/** scope of that refresh token when the access token's is narrower (a rotated one keeps its scope) */
	refreshScopes?: string[];
}

/** Access (and refresh) token for a grant; a consent-bound token never outlives its consent. */
function issue(ctx: Ctx, client: SeedClient, grantType: string, g: Grant): void {
	const cfg = ctx.store.config;
	const consent = g.consentId ? ctx.store.tokens.consents.get(g.consentId) : undefined;
	const left = consent ? Math.floor((consent.expiresAt - Date.now()) / 1000) : Infinity;
	const bound = { userEmail: g.userEmail, consentId: g.consentId, code: g.code };
	const lifetime = Math.max(1, Math.min(cfg.tokenLifetimeSeconds, left));
	const t = ctx.store.tokens.issueAccess(client.clientId, g.scopes, lifetime, grantType, bound);
	const body: Record<string, unknown> = {
		access_token: t.token,
		scope: g.scopes.join(' '),
		token_type: 'Bearer',
		expires_in: lifetime,
	};
	if (g.refresh)
		body.refresh_token = ctx.store.tokens.issueRefresh(
			client.clientId,
			g.refreshScopes ?? g.scopes,
			Math.max(1, Math.min(cfg.refreshTokenLifetimeSeconds, left)),
			bound,
		).token;
	sendJson(ctx, 200, body, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

function clientCredentials(ctx: Ctx, client: SeedClient, requested: string[] | undefined): void {
	if (requested) {
		const err = scopeError(requested, client);
		if (err) throw new OAuthError(400, 'invalid_scope', err);
	}
	issue(ctx, client, 'client_credentials', {
		scopes: requested ?? [...client.scopes],
		refresh: false,
	});
}

function consentGone(
	ctx: Ctx,
	consentId: string | undefined,
	client: SeedClient,
): OAuthError | undefined {
	const problem = ctx.store.tokens.consentProblem(consentId);
	if (!problem) return undefined;
	const consent = ctx.store.tokens.consents.get(consentId as string);
	const what =
		problem === 'expired'
			? `The user's consent for ${client.clientId} expired at ${new Date(consent?.expiresAt ?? 0).toISOString()}`
			: `The user's consent for ${client.clientId} was revoked`;
	return new OAuthError(
		400,
		'invalid_grant',
		`${what}; reconnect the credential (sign in and approve again)`,
	);
}

/** Refresh tokens rotate: each is good for one refresh; scope may narrow, never widen. */
function refreshToken(
	ctx: Ctx,
	client: SeedClient,
	params: Record<string, string>,
	requested: string[] | undefined,
): void {
	if (!params.refresh_token)
		throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
	const rt = ctx.store.tokens.refresh.get(params.refresh_token);
	if (!rt || rt.clientId !== client.clientId)
		throw new OAuthError(400, 'invalid_grant', 'Invalid, expired or revoked refresh token');
	const gone = consentGone(ctx, rt.consentId, client);
	if (gone) throw gone;
	if (rt.expiresAt <= Date.now())
		throw new OAuthError(400, 'invalid_grant', 'Invalid, expired or revoked refresh token');
	const extra = (requested ?? []).filter((s) => !rt.scopes.includes(s));
	if (extra.length)
		throw new OAuthError(
			400,
			'invalid_scope',
			`Scope(s) exceed the original grant: ${extra.join(' ')}`,
		);
	ctx.store.tokens.refresh.delete(rt.token);
	issue(ctx, client, 'refresh_token', {
		scopes: requested ?? rt.scopes,
		refreshScopes: rt.scopes,
		userEmail: rt.userEmail,
		consentId: rt.consentId,
		code: rt.code,
		refresh: true,
	});
}

/** Single-use, short-lived code, same redirect_uri, PKCE verifier (docs/celonis-api.md#authorization-code). */
function authorizationCode(ctx: Ctx, client: SeedClient, params: Record<string, string>): void {
	if (!params.code)
		throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
	const code = ctx.store.tokens.codes.get(params.code);
	if (!code) throw new OAuthError(400, 'invalid_grant', 'Unknown authorization code');
	if (code.clientId !== client.clientId)
		throw new OAuthError(
			400,
			'invalid_grant',
			'The authorization code was issued to another client',
		);
	if (code.used) {
		ctx.store.tokens.revokeCode(code.code);
		throw new OAuthError(
			400,
			'invalid_grant',
			'The authorization code was already used; the tokens issued with it are revoked',
		);
	}
	code.used = true;
	if (code.expiresAt <= Date.now())
		throw new OAuthError(
			400,
			'invalid_grant',
			`The authorization code expired (codes are valid for ${ctx.store.config.oauth.codeLifetimeSeconds} s)`,
		);
	if (
		(code.redirectUriGiven || params.redirect_uri !== undefined) &&
		params.redirect_uri !== code.redirectUri
	)
		throw new OAuthError(
			400,
			'invalid_grant',
			'redirect_uri does not match the one of the authorization request',
		);
	const verifier = params.code_verifier;
	if (code.pkce) {
		if (verifier === undefined)
			throw new OAuthError(
				400,
				'invalid_grant',
				'code_verifier is required: the authorization request used PKCE',
			);
		if (!verifierWellFormed(verifier))
			throw new OAuthError(
				400,
				'invalid_request',
				'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~',
			);
		if (!verifierMatches(code.pkce, verifier))
			throw new OAuthError(
				400,
				'invalid_grant',
				`code_verifier does not match the code_challenge (${code.pkce.method})`,
			);
	} else if (verifier !== undefined)
		throw new OAuthError(
			400,
			'invalid_grant',
			'code_verifier sent, but the authorization request had no code_challenge',
		);
	const gone = consentGone(ctx, code.consentId, client);
	if (gone) throw gone;
	issue(ctx, client, 'authorization_code', {
		scopes: code.scopes,
		userEmail: code.userEmail,
		consentId: code.consentId,
		code: code.code,
		refresh: true,
	});
}

const GRANTS = ['client_credentials', 'refresh_token', 'authorization_code'] as const;

async function token(ctx: Ctx): Promise<void> {
	try {
		const params = await readParams(ctx);
		const { client } = authenticateClient(ctx, params);
		const grant = params.grant_type as string;
		if (!(GRANTS as readonly string[]).includes(grant))
			throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grant}`);
		if (!client.grantTypes.includes(grant as SeedClient['grantTypes'][number]))
			throw new OAuthError(
				400,
				'unauthorized_client',
				`grant_type ${grant} is not allowed for this client`,
			);
		const requested = splitScopes(params.scope);
		if (ctx.log.oauth) ctx.log.oauth.scope = params.scope;
		if (grant === 'client_credentials') return clientCredentials(ctx, client, requested);
		if (grant === 'refresh_token') return refreshToken(ctx, client, params, requested);
		return authorizationCode(ctx, client, params);
	} catch (e) {
		if (!(e instanceof OAuthError)) throw e;
		sendOAuthError(
			ctx.res,
			e.status,
			e.error,
			e.message,
			e.basic ? { 'www-authenticate': `Basic realm="oauth2", error="${e.error}"` } : undefined,
		);
	}
}

function discovery(ctx: Ctx): void {
	const o = ctx.origin;
	sendJson(ctx, 200, {
		issuer: o,
		token_endpoint: `${o}/oauth2/token`,
		authorization_endpoint: `${o}/oauth2/authorize`,
		grant_types_supported: [...GRANTS],
		response_types_supported: ['code'],
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		code_challenge_methods_supported: ['S256', 'plain'],
		scopes_supported: KNOWN_SCOPES,
		subject_types_supported: ['public'],
	});
}

export const oauthRoutes: RouteDef[] = [
	{ method: 'POST', path: '/oauth2/token', family: 'oauth', handler: token },
	{ method: 'GET', path: '/.well-known/openid-configuration', family: 'oauth', handler: discovery },
];
