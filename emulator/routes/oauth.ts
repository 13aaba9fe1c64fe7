/** /oauth2/token, /oauth2/authorize and /.well-known/openid-configuration (reference §3, §12.3-12.4). */
import { sendOAuthError } from '../errors';
import { HttpError, readBody, sendJson, type Ctx } from '../http';
import { isMultipart, parseMultipart } from '../multipart';
import type { RouteDef } from '../router';
import { KNOWN_SCOPES } from '../scopes';
import type { SeedClient } from '../store';

type AuthMethod = 'client_secret_basic' | 'client_secret_post';

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
	for (const [k, v] of ctx.query) params[k] = v;
	const type = (ctx.req.headers['content-type'] ?? '').toLowerCase();
	if (isMultipart(ctx.req)) {
		Object.assign(params, (await parseMultipart(ctx.req)).fields);
	} else {
		const body = (await readBody(ctx.req, 1024 * 1024)).toString('utf8');
		if (body.length > 0) {
			if (type.includes('application/json')) {
				try {
					const json = JSON.parse(body) as Record<string, unknown>;
					for (const [k, v] of Object.entries(json)) if (typeof v === 'string') params[k] = v;
				} catch {
					throw new HttpError(400, 'invalid JSON body');
				}
			} else {
				for (const [k, v] of new URLSearchParams(body)) params[k] = v;
			}
		}
	}
	return params;
}

interface ClientAuth {
	method: AuthMethod;
	clientId: string;
	secret: string;
}

function parseBasic(
	header: string | undefined,
): { clientId: string; secret: string } | undefined | 'malformed' {
	if (!header) return undefined;
	const m = /^basic\s+(\S+)$/i.exec(header.trim());
	if (!m) return undefined;
	const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
	const i = decoded.indexOf(':');
	if (i < 0) return 'malformed';
	return { clientId: formDecode(decoded.slice(0, i)), secret: formDecode(decoded.slice(i + 1)) };
}

function fail(ctx: Ctx, status: number, error: string, description: string, basic = false): void {
	sendOAuthError(
		ctx.res,
		status,
		error,
		description,
		basic ? { 'www-authenticate': `Basic realm="oauth2", error="${error}"` } : undefined,
	);
}

function scopeError(requested: string[], client: SeedClient): string | undefined {
	const unknown = requested.filter(
		(s) => !(KNOWN_SCOPES as readonly string[]).includes(s) && !client.scopes.includes(s),
	);
	if (unknown.length) return `Unknown scope(s): ${unknown.join(' ')}`;
	const notAllowed = requested.filter((s) => !client.scopes.includes(s));
	if (notAllowed.length) return `Scope(s) not allowed for this client: ${notAllowed.join(' ')}`;
	return undefined;
}

function splitScopes(raw: string | undefined): string[] | undefined {
	if (raw === undefined) return undefined;
	const list = raw.split(/\s+/).filter(Boolean);
	return list.length ? [...new Set(list)] : undefined;
}

async function token(ctx: Ctx): Promise<void> {
	const params = await readParams(ctx);
	const basic = parseBasic(ctx.req.headers.authorization);
	ctx.log.oauth = { grantType: params.grant_type };
	if (basic === 'malformed')
		return fail(ctx, 401, 'invalid_client', 'Malformed Basic authorization header', true);
	let auth: ClientAuth | undefined;
	if (basic) {
		if (params.client_secret !== undefined)
			return fail(
				ctx,
				400,
				'invalid_request',
				'Use only one client authentication method (Basic header or client_secret in the body)',
			);
		if (params.client_id !== undefined && params.client_id !== basic.clientId)
			return fail(
				ctx,
				400,
				'invalid_request',
				'client_id in the body does not match the Basic header',
			);
		auth = { method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret };
	} else if (params.client_id !== undefined && params.client_secret !== undefined) {
		auth = {
			method: 'client_secret_post',
			clientId: params.client_id,
			secret: params.client_secret,
		};
	}
	ctx.log.oauth = {
		clientId: auth?.clientId ?? params.client_id,
		authMethod: auth?.method ?? 'none',
		grantType: params.grant_type,
	};
	ctx.log.identity = { kind: 'oauth', id: auth?.clientId ?? params.client_id };
	const grant = params.grant_type;
	if (!grant) return fail(ctx, 400, 'invalid_request', 'Missing required parameter: grant_type');
	if (!auth)
		return fail(
			ctx,
			401,
			'invalid_client',
			'Client authentication failed: no client credentials (use client_secret_basic or client_secret_post)',
		);
	const client = ctx.store.clients.get(auth.clientId);
	if (!client || client.clientSecret !== auth.secret)
		return fail(
			ctx,
			401,
			'invalid_client',
			'Client authentication failed: unknown client or wrong secret',
			auth.method === 'client_secret_basic',
		);
	if (!client.authMethods.includes(auth.method)) {
		return fail(
			ctx,
			401,
			'invalid_client',
			`Client authentication method ${auth.method} is not allowed for this client (allowed: ${client.authMethods.join(', ')})`,
			auth.method === 'client_secret_basic',
		);
	}
	if (!['client_credentials', 'refresh_token', 'authorization_code'].includes(grant))
		return fail(ctx, 400, 'unsupported_grant_type', `Unsupported grant_type: ${grant}`);
	if (!client.grantTypes.includes(grant as SeedClient['grantTypes'][number]))
		return fail(
			ctx,
			400,
			'unauthorized_client',
			`grant_type ${grant} is not allowed for this client`,
		);
	const cfg = ctx.store.config;
	const requested = splitScopes(params.scope);
	ctx.log.oauth.scope = params.scope;

	if (grant === 'client_credentials') {
		if (requested) {
			const err = scopeError(requested, client);
			if (err) return fail(ctx, 400, 'invalid_scope', err);
		}
		const scopes = requested ?? [...client.scopes];
		const t = ctx.store.tokens.issueAccess(
			client.clientId,
			scopes,
			cfg.tokenLifetimeSeconds,
			grant,
		);
		return sendToken(ctx, {
			access_token: t.token,
			scope: scopes.join(' '),
			token_type: 'Bearer',
			expires_in: cfg.tokenLifetimeSeconds,
		});
	}

	if (grant === 'refresh_token') {
		const rt = params.refresh_token
			? ctx.store.tokens.refresh.get(params.refresh_token)
			: undefined;
		if (!params.refresh_token)
			return fail(ctx, 400, 'invalid_request', 'Missing required parameter: refresh_token');
		if (!rt || rt.clientId !== client.clientId || rt.expiresAt <= Date.now())
			return fail(ctx, 400, 'invalid_grant', 'Invalid, expired or revoked refresh token');
		if (requested) {
			const extra = requested.filter((s) => !rt.scopes.includes(s));
			if (extra.length)
				return fail(
					ctx,
					400,
					'invalid_scope',
					`Scope(s) exceed the original grant: ${extra.join(' ')}`,
				);
		}
		const scopes = requested ?? rt.scopes;
		ctx.store.tokens.refresh.delete(rt.token); // rotation
		const t = ctx.store.tokens.issueAccess(
			client.clientId,
			scopes,
			cfg.tokenLifetimeSeconds,
			grant,
			rt.userEmail,
		);
		const next = ctx.store.tokens.issueRefresh(
			client.clientId,
			rt.scopes,
			cfg.refreshTokenLifetimeSeconds,
			rt.userEmail,
		);
		return sendToken(ctx, {
			access_token: t.token,
			scope: scopes.join(' '),
			token_type: 'Bearer',
			expires_in: cfg.tokenLifetimeSeconds,
			refresh_token: next.token,
		});
	}

	// authorization_code
	if (!params.code) return fail(ctx, 400, 'invalid_request', 'Missing required parameter: code');
	const code = ctx.store.tokens.codes.get(params.code);
	ctx.store.tokens.codes.delete(params.code);
	if (!code || code.clientId !== client.clientId || code.expiresAt <= Date.now())
		return fail(ctx, 400, 'invalid_grant', 'Invalid or expired authorization code');
	if ((params.redirect_uri ?? '') !== code.redirectUri)
		return fail(ctx, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
	const t = ctx.store.tokens.issueAccess(
		client.clientId,
		code.scopes,
		cfg.tokenLifetimeSeconds,
		grant,
		code.userEmail,
	);
	const rt = ctx.store.tokens.issueRefresh(
		client.clientId,
		code.scopes,
		cfg.refreshTokenLifetimeSeconds,
		code.userEmail,
	);
	return sendToken(ctx, {
		access_token: t.token,
		scope: code.scopes.join(' '),
		token_type: 'Bearer',
		expires_in: cfg.tokenLifetimeSeconds,
		refresh_token: rt.token,
	});
}

function sendToken(ctx: Ctx, body: Record<string, unknown>): void {
	sendJson(ctx, 200, body, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

/** Auto-consent authorization endpoint: redirects with a code for the client's consent user (or `login_hint`). */
function authorize(ctx: Ctx): void {
	const q = ctx.query;
	const clientId = q.get('client_id') ?? '';
	const client = ctx.store.clients.get(clientId);
	const redirectUri = q.get('redirect_uri') ?? '';
	if (!client) return sendOAuthError(ctx.res, 400, 'invalid_request', 'Unknown client_id');
	if (
		!redirectUri ||
		(client.redirectUris.length > 0 && !client.redirectUris.includes(redirectUri))
	)
		return sendOAuthError(ctx.res, 400, 'invalid_request', 'Missing or unregistered redirect_uri');
	let target: URL;
	try {
		target = new URL(redirectUri);
	} catch {
		return sendOAuthError(ctx.res, 400, 'invalid_request', 'redirect_uri is not an absolute URL');
	}
	const state = q.get('state');
	const redirect = (p: Record<string, string>) => {
		for (const [k, v] of Object.entries(p)) target.searchParams.set(k, v);
		if (state !== null) target.searchParams.set('state', state);
		ctx.res.statusCode = 302;
		ctx.res.setHeader('location', target.toString());
		ctx.res.setHeader('cache-control', 'no-store');
		ctx.res.end();
	};
	if (q.get('response_type') !== 'code')
		return redirect({
			error: 'unsupported_response_type',
			error_description: 'Only response_type=code is supported',
		});
	if (!client.grantTypes.includes('authorization_code'))
		return redirect({
			error: 'unauthorized_client',
			error_description: 'authorization_code is not allowed for this client',
		});
	const requested = splitScopes(q.get('scope') ?? undefined) ?? [...client.scopes];
	const err = scopeError(requested, client);
	if (err) return redirect({ error: 'invalid_scope', error_description: err });
	const hint = q.get('login_hint')?.toLowerCase();
	const user =
		(hint && ctx.store.usersByEmail.get(hint)) ||
		(client.consentUser && ctx.store.usersByEmail.get(client.consentUser.toLowerCase())) ||
		ctx.store.seed.users[0];
	if (!user)
		return redirect({ error: 'access_denied', error_description: 'No seeded user to consent' });
	const code = ctx.store.tokens.issueCode(client.clientId, requested, redirectUri, user.email);
	ctx.log.oauth = { clientId, grantType: 'authorization_code' };
	redirect({ code: code.code });
}

function discovery(ctx: Ctx): void {
	const o = ctx.origin;
	sendJson(ctx, 200, {
		issuer: o,
		token_endpoint: `${o}/oauth2/token`,
		authorization_endpoint: `${o}/oauth2/authorize`,
		grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'],
		response_types_supported: ['code'],
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		scopes_supported: KNOWN_SCOPES,
		subject_types_supported: ['public'],
	});
}

export const oauthRoutes: RouteDef[] = [
	{ method: 'POST', path: '/oauth2/token', family: 'oauth', handler: token },
	{ method: 'GET', path: '/oauth2/authorize', family: 'oauth', handler: authorize },
	{ method: 'GET', path: '/.well-known/openid-configuration', family: 'oauth', handler: discovery },
];
