/**
 * The authorization endpoint of the authorization-code grant (docs/celonis-api.md#authorization-code):
 * GET validates the request and shows the consent page; the page's form POSTs the
 * user's decision back, which redirects to the client with a code or `error=access_denied`.
 * Non-interactive runs approve or deny without the page: config `oauth.autoApprove`, or the emulator-only query
 * parameter `emulator_consent=approve|deny`.
 */
import { readBody, type Ctx } from '../http';
import { sendErrorPage, sendConsentPage } from '../oauthPages';
import { readChallenge } from '../pkce';
import type { RouteDef } from '../router';
import type { SeedClient } from '../store';
import type { PendingAuthorization } from '../tokens';
import { scopeError, splitScopes } from './oauth';

const SINGLE_PARAMS = [
	'client_id',
	'redirect_uri',
	'response_type',
	'scope',
	'state',
	'code_challenge',
	'code_challenge_method',
	'login_hint',
	'emulator_consent',
];
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Shown, never redirected to: the client or its redirect URI is not trusted. */
class PageError extends Error {
	constructor(
		public error: string,
		description: string,
	) {
		super(description);
	}
}

/** Sent back to the client's (trusted) redirect URI, with the state. */
class RedirectError extends Error {
	constructor(
		public error: string,
		description: string,
	) {
		super(description);
	}
}

/** Registered URIs match exactly; a loopback http one matches on any port (a local app picks its port). */
function registered(client: SeedClient, uri: string): boolean {
	return client.redirectUris.some((r) => {
		if (r === uri) return true;
		const [a, b] = [new URL(r), new URL(uri)];
		return (
			a.protocol === 'http:' &&
			LOOPBACK_HOSTS.includes(a.hostname) &&
			b.protocol === a.protocol &&
			b.hostname === a.hostname &&
			b.pathname === a.pathname &&
			b.search === a.search
		);
	});
}

function resolveRedirect(
	client: SeedClient,
	given: string | null,
): { uri: string; given: boolean } {
	if (given === null) {
		if (client.redirectUris.length === 1)
			return { uri: client.redirectUris[0] as string, given: false };
		throw new PageError(
			'invalid_request',
			`redirect_uri is required: client ${client.clientId} has ${client.redirectUris.length} registered redirect URIs`,
		);
	}
	let url: URL;
	try {
		url = new URL(given);
	} catch {
		throw new PageError('invalid_request', 'redirect_uri is not an absolute URI');
	}
	if (url.hash) throw new PageError('invalid_request', 'redirect_uri must not contain a fragment');
	if (!registered(client, given))
		throw new PageError(
			'invalid_request',
			`redirect_uri ${given} is not registered for client ${client.clientId}`,
		);
	return { uri: given, given: true };
}

function redirectTo(
	ctx: Ctx,
	uri: string,
	status: 302 | 303,
	params: Record<string, string | null>,
): void {
	const target = new URL(uri);
	for (const [k, v] of Object.entries(params)) if (v !== null) target.searchParams.set(k, v);
	ctx.res.statusCode = status;
	ctx.res.setHeader('location', target.toString());
	ctx.res.setHeader('cache-control', 'no-store');
	ctx.res.end();
}

function humanDuration(seconds: number): string {
	const units: [number, string][] = [
		[86_400, 'day'],
		[3600, 'hour'],
		[60, 'minute'],
		[1, 'second'],
	];
	const [size, name] = units.find(([u]) => seconds % u === 0 && seconds >= u) ?? [1, 'second'];
	const n = seconds / size;
	return `${n} ${name}${n === 1 ? '' : 's'}`;
}

/** The seeded user who consents: `login_hint`, else the client's consentUser, else the first user. */
function defaultUser(ctx: Ctx, client: SeedClient): string {
	const hint = ctx.query.get('login_hint')?.toLowerCase();
	const user =
		(hint && ctx.store.usersByEmail.get(hint)) ||
		(client.consentUser && ctx.store.usersByEmail.get(client.consentUser.toLowerCase())) ||
		ctx.store.seed.users[0];
	if (!user) throw new PageError('server_error', 'The emulator seed has no user who could consent');
	return user.email;
}

/** Everything an authorization request must satisfy, once its redirect URI is trusted. */
function validate(
	ctx: Ctx,
	client: SeedClient,
): Omit<PendingAuthorization, 'id' | 'expiresAt' | 'redirectUri' | 'redirectUriGiven' | 'state'> {
	const q = ctx.query;
	const repeated = SINGLE_PARAMS.find((k) => q.getAll(k).length > 1);
	if (repeated) throw new RedirectError('invalid_request', `Parameter ${repeated} is repeated`);
	const responseType = q.get('response_type');
	if (responseType === null)
		throw new RedirectError('invalid_request', 'Missing required parameter: response_type');
	if (responseType !== 'code')
		throw new RedirectError('unsupported_response_type', 'Only response_type=code is supported');
	if (!client.grantTypes.includes('authorization_code'))
		throw new RedirectError(
			'unauthorized_client',
			'authorization_code is not allowed for this client',
		);
	const scopes = splitScopes(q.get('scope')) ?? [...client.scopes];
	const err = scopeError(scopes, client);
	if (err) throw new RedirectError('invalid_scope', err);
	const challenge = readChallenge(q.get('code_challenge'), q.get('code_challenge_method'));
	if ('error' in challenge) throw new RedirectError('invalid_request', challenge.error);
	if (!challenge.pkce && ctx.store.config.oauth.requirePkce)
		throw new RedirectError('invalid_request', 'code_challenge is required (PKCE)');
	return {
		clientId: client.clientId,
		scopes,
		pkce: challenge.pkce,
		userEmail: defaultUser(ctx, client),
	};
}

/** Code for the approved scopes under a new consent of that user; or access_denied. */
function decide(
	ctx: Ctx,
	p: PendingAuthorization,
	status: 302 | 303,
	d: { approve: boolean; scopes: string[]; userEmail: string; long: boolean },
): void {
	const reply = (params: Record<string, string>) =>
		redirectTo(ctx, p.redirectUri, status, { ...params, state: p.state });
	if (!d.approve)
		return reply({ error: 'access_denied', error_description: 'The user denied the request' });
	const scopes = p.scopes.filter((s) => d.scopes.includes(s));
	if (scopes.length === 0)
		return reply({
			error: 'access_denied',
			error_description: 'The user approved none of the requested scopes',
		});
	const cfg = ctx.store.config.oauth;
	const consent = ctx.store.tokens.grantConsent(
		p.clientId,
		d.userEmail,
		scopes,
		d.long
			? cfg.consentLifetimeSeconds
			: Math.min(cfg.shortConsentLifetimeSeconds, cfg.consentLifetimeSeconds),
	);
	const code = ctx.store.tokens.issueCode(
		{
			clientId: p.clientId,
			scopes,
			redirectUri: p.redirectUri,
			redirectUriGiven: p.redirectUriGiven,
			userEmail: d.userEmail,
			consentId: consent.id,
			pkce: p.pkce,
		},
		cfg.codeLifetimeSeconds,
	);
	reply({ code: code.code });
}

function authorize(ctx: Ctx): void {
	const q = ctx.query;
	let redirect: { uri: string; given: boolean } | undefined;
	try {
		if (q.getAll('client_id').length > 1 || q.getAll('redirect_uri').length > 1)
			throw new PageError('invalid_request', 'client_id and redirect_uri must appear once');
		const clientId = q.get('client_id');
		if (!clientId) throw new PageError('invalid_request', 'Missing required parameter: client_id');
		const client = ctx.store.clients.get(clientId);
		if (!client) throw new PageError('invalid_client', `Unknown client ${clientId}`);
		ctx.log.oauth = { clientId, grantType: 'authorization_code' };
		redirect = resolveRedirect(client, q.get('redirect_uri'));
		const decision = q.get('emulator_consent');
		if (decision !== null && decision !== 'approve' && decision !== 'deny')
			throw new RedirectError('invalid_request', 'emulator_consent must be approve or deny');
		const pending = ctx.store.tokens.addPending({
			...validate(ctx, client),
			redirectUri: redirect.uri,
			redirectUriGiven: redirect.given,
			state: q.get('state'),
		});
		if (decision !== null || ctx.store.config.oauth.autoApprove) {
			ctx.store.tokens.takePending(pending.id);
			return decide(ctx, pending, 302, {
				approve: decision !== 'deny',
				scopes: pending.scopes,
				userEmail: pending.userEmail,
				long: true,
			});
		}
		const cfg = ctx.store.config.oauth;
		sendConsentPage(ctx.res, {
			requestId: pending.id,
			clientName: client.name || client.clientId,
			clientId: client.clientId,
			scopes: pending.scopes,
			users: ctx.store.seed.users.map((u) => ({ email: u.email, name: u.name })),
			userEmail: pending.userEmail,
			redirectOrigin: new URL(redirect.uri).origin,
			teamName: ctx.store.seed.team.name,
			longLabel: humanDuration(cfg.consentLifetimeSeconds),
			shortLabel: humanDuration(
				Math.min(cfg.shortConsentLifetimeSeconds, cfg.consentLifetimeSeconds),
			),
		});
	} catch (e) {
		if (e instanceof RedirectError && redirect)
			return redirectTo(ctx, redirect.uri, 302, {
				error: e.error,
				error_description: e.message,
				state: q.get('state'),
			});
		if (e instanceof PageError || e instanceof RedirectError)
			return sendErrorPage(ctx.res, 400, e.error, e.message);
		throw e;
	}
}

/** The consent form's answer: `request_id`, `decision`, the ticked `scope`s, `user`, `duration`. */
async function answer(ctx: Ctx): Promise<void> {
	const form = new URLSearchParams((await readBody(ctx.req, 64 * 1024)).toString('utf8'));
	const pending = ctx.store.tokens.takePending(form.get('request_id') ?? '');
	if (!pending)
		return sendErrorPage(
			ctx.res,
			400,
			'invalid_request',
			'This consent request expired or was already answered; start the sign-in again from the application',
		);
	ctx.log.oauth = { clientId: pending.clientId, grantType: 'authorization_code' };
	const userEmail = form.get('user') ?? pending.userEmail;
	const user = ctx.store.usersByEmail.get(userEmail.toLowerCase());
	if (!user) return sendErrorPage(ctx.res, 400, 'invalid_request', `Unknown user ${userEmail}`);
	decide(ctx, pending, 303, {
		approve: form.get('decision') === 'approve',
		scopes: form.getAll('scope'),
		userEmail: user.email,
		long: form.get('duration') !== 'short',
	});
}

export const authorizeRoutes: RouteDef[] = [
	{ method: 'GET', path: '/oauth2/authorize', family: 'oauth', handler: authorize },
	{ method: 'POST', path: '/oauth2/authorize', family: 'oauth', handler: answer },
];
