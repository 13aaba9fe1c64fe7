import { createHash, randomBytes } from 'node:crypto';
import type { Emulator } from '../../emulator';
import { bearer, call, withEmulator, type Json, type Res } from './helpers';

/** The authorization-code flow (docs/celonis-api.md#authorization-code): consent page, codes, PKCE, refresh, consent expiry. */
let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const CLIENT = { id: 'demo-client', secret: 'demo-client-secret', name: 'Demo OAuth client' };
/** n8n's callback: registered for the demo clients as http://127.0.0.1/rest/oauth2-credential/callback (any port). */
const CALLBACK = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

function authorizeUrl(p: Record<string, string | undefined> = {}): string {
	const q = new URLSearchParams();
	const all: Record<string, string | undefined> = {
		client_id: CLIENT.id,
		response_type: 'code',
		redirect_uri: CALLBACK,
		scope: 'studio audit.log:read',
		state: 'st-1',
		...p,
	};
	for (const [k, v] of Object.entries(all)) if (v !== undefined) q.set(k, v);
	return `${emu.url}/oauth2/authorize?${q}`;
}

const requestIdOf = (html: string) => /name="request_id" value="([^"]+)"/.exec(html)?.[1] as string;

/** The consent page's form, as a browser submits it. */
async function submit(requestId: string, fields: [string, string][]): Promise<Res> {
	return call(`${emu.url}/oauth2/authorize`, {
		method: 'POST',
		body: new URLSearchParams([['request_id', requestId], ...fields]).toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
}

/** GET the page, then Approve with every requested scope ticked (or the given ones). */
async function approve(
	url = authorizeUrl(),
	scopes?: string[],
	extra: [string, string][] = [],
): Promise<URL> {
	const page = await call(url);
	expect(page.status).toBe(200);
	const ticked =
		scopes ?? [...page.text.matchAll(/data-scope="([^"]+)"/g)].map((m) => m[1] as string);
	const r = await submit(requestIdOf(page.text), [
		['decision', 'approve'],
		...ticked.map((s): [string, string] => ['scope', s]),
		...extra,
	]);
	expect(r.status).toBe(303);
	return new URL(r.headers.location as string);
}

function tokenRequest(p: Record<string, string>, auth: 'basic' | 'post' = 'post'): Promise<Res> {
	const body = new URLSearchParams(p);
	const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
	if (auth === 'post') {
		body.set('client_id', CLIENT.id);
		body.set('client_secret', CLIENT.secret);
	} else
		headers.authorization = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
	return call(`${emu.url}/oauth2/token`, { body: body.toString(), headers });
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
	tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...extra });
const refresh = (rt: string, extra: Record<string, string> = {}) =>
	tokenRequest({ grant_type: 'refresh_token', refresh_token: rt, ...extra });
const me = (token: string) => call(`${emu.url}/api/cloud`, { headers: bearer(token) });

function pkcePair(method: 'S256' | 'plain' = 'S256') {
	const verifier = randomBytes(32).toString('base64url');
	const challenge =
		method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
	return { verifier, challenge, method };
}

/** Error redirect parameters, or undefined when there was no redirect. */
function redirected(r: Res): Record<string, string> | undefined {
	const loc = r.headers.location as string | undefined;
	return loc ? Object.fromEntries(new URL(loc).searchParams) : undefined;
}

function expectErrorPage(r: Res, error: string, text: RegExp): void {
	expect(r.status).toBe(400);
	expect(r.headers.location).toBeUndefined();
	expect(r.headers['content-type']).toContain('text/html');
	expect(r.text).toContain(`data-error="${error}"`);
	expect(r.text).toMatch(text);
}

describe('consent page', () => {
	test('shows client and requested scopes with stable Approve / Deny controls; not frameable, not cached', async () => {
		const r = await call(authorizeUrl());
		expect(r.status).toBe(200);
		expect(r.headers['content-type']).toContain('text/html');
		expect(r.headers['x-frame-options']).toBe('DENY');
		expect(r.headers['cache-control']).toBe('no-store');
		expect(r.text).toContain(`<span id="client-name">${CLIENT.name}</span>`);
		expect([...r.text.matchAll(/data-scope="([^"]+)"/g)].map((m) => m[1])).toEqual([
			'studio',
			'audit.log:read',
		]);
		expect(r.text).toMatch(
			/<button type="submit" id="approve" name="decision" value="approve">Approve<\/button>/,
		);
		expect(r.text).toMatch(
			/<button type="submit" id="deny" name="decision" value="deny">Deny<\/button>/,
		);
		expect(r.text).toContain('30 days');
		expect(r.text).toContain('15 minutes');
		expect(emu.store.tokens.codes.size).toBe(0);
	});

	test('Approve: redirect with code and the same state; the code buys tokens for the approved scopes', async () => {
		const loc = await approve();
		expect(loc.origin + loc.pathname).toBe(CALLBACK);
		expect(loc.searchParams.get('state')).toBe('st-1');
		const t = await exchange(loc.searchParams.get('code')!);
		expect(t.status).toBe(200);
		expect(t.json).toMatchObject({
			token_type: 'Bearer',
			expires_in: 899,
			scope: 'studio audit.log:read',
		});
		expect(t.json.refresh_token).toEqual(expect.any(String));
		expect((await me(t.json.access_token)).json.email).toBe('demo.user@example.com');
	});

	test('Deny: redirect with error=access_denied and the state, no code', async () => {
		const page = await call(authorizeUrl());
		const r = await submit(requestIdOf(page.text), [['decision', 'deny']]);
		expect(r.status).toBe(303);
		expect(redirected(r)).toEqual({
			error: 'access_denied',
			error_description: 'The user denied the request',
			state: 'st-1',
		});
		expect(emu.store.tokens.codes.size).toBe(0);
	});

	test('scopes narrowed to what the user ticked; unticking all is a denial', async () => {
		const loc = await approve(undefined, ['audit.log:read']);
		const t = await exchange(loc.searchParams.get('code')!);
		expect(t.json.scope).toBe('audit.log:read');
		expect(
			(await call(`${emu.url}/log/api/external/audit`, { headers: bearer(t.json.access_token) }))
				.status,
		).toBe(200);
		const studioOnly = await call(`${emu.url}/integration/api/pools`, {
			headers: bearer(t.json.access_token),
		});
		expect(studioOnly.status).toBe(403);
		// a forged form cannot add a scope that was not requested
		const forged = await approve(undefined, ['audit.log:read', 'integration.data-pools']);
		expect((await exchange(forged.searchParams.get('code')!)).json.scope).toBe('audit.log:read');
		const none = await approve(undefined, []).catch(() => undefined);
		expect(none?.searchParams.get('error')).toBe('access_denied');
	});

	test('a consent request is answered once', async () => {
		const page = await call(authorizeUrl());
		const id = requestIdOf(page.text);
		expect(
			(
				await submit(id, [
					['decision', 'approve'],
					['scope', 'studio'],
				])
			).status,
		).toBe(303);
		expectErrorPage(
			await submit(id, [
				['decision', 'approve'],
				['scope', 'studio'],
			]),
			'invalid_request',
			/already answered/,
		);
		expectErrorPage(
			await submit('made-up', [['decision', 'approve']]),
			'invalid_request',
			/expired or was already answered/,
		);
	});

	test('markup in a client name is escaped', async () => {
		emu.store.clients.set(CLIENT.id, {
			...emu.store.clients.get(CLIENT.id)!,
			name: '<script>alert(1)</script>',
		});
		const r = await call(authorizeUrl());
		expect(r.text).not.toContain('<script>alert(1)');
		expect(r.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
	});

	test('non-interactive: emulator_consent=approve|deny, or config oauth.autoApprove', async () => {
		const a = await call(authorizeUrl({ emulator_consent: 'approve' }));
		expect(a.status).toBe(302);
		expect((await exchange(redirected(a)!.code!)).status).toBe(200);
		const d = await call(authorizeUrl({ emulator_consent: 'deny' }));
		expect(redirected(d)).toMatchObject({ error: 'access_denied', state: 'st-1' });
		expect(redirected(await call(authorizeUrl({ emulator_consent: 'maybe' })))).toMatchObject({
			error: 'invalid_request',
		});
		emu.configure({ oauth: { autoApprove: true } });
		const auto = await call(authorizeUrl());
		expect(auto.status).toBe(302);
		expect(redirected(auto)!.code).toEqual(expect.any(String));
	});
});

describe('errors of the authorization request', () => {
	test('unknown or missing client_id: error page, never a redirect', async () => {
		expectErrorPage(
			await call(authorizeUrl({ client_id: 'nobody' })),
			'invalid_client',
			/Unknown client nobody/,
		);
		expectErrorPage(
			await call(authorizeUrl({ client_id: undefined })),
			'invalid_request',
			/client_id/,
		);
	});

	test('redirect_uri: registered exactly, loopback on any port; anything else is an error page', async () => {
		expect(
			(
				await call(
					authorizeUrl({ redirect_uri: 'http://127.0.0.1:41234/rest/oauth2-credential/callback' }),
				)
			).status,
		).toBe(200);
		expect(
			(
				await call(
					authorizeUrl({ redirect_uri: 'http://localhost/rest/oauth2-credential/callback' }),
				)
			).status,
		).toBe(200);
		for (const uri of [
			'https://evil.example/rest/oauth2-credential/callback',
			'http://127.0.0.1:5678/rest/oauth2-credential/callback/../evil',
			'http://127.0.0.1:5678/other',
			'http://127.0.0.1:5678/rest/oauth2-credential/callback?x=1',
			'https://127.0.0.1:5678/rest/oauth2-credential/callback',
		])
			expectErrorPage(
				await call(authorizeUrl({ redirect_uri: uri })),
				'invalid_request',
				/not registered/,
			);
		expectErrorPage(
			await call(authorizeUrl({ redirect_uri: `${CALLBACK}#frag` })),
			'invalid_request',
			/fragment/,
		);
		expectErrorPage(
			await call(authorizeUrl({ redirect_uri: 'not a uri' })),
			'invalid_request',
			/absolute/,
		);
		expectErrorPage(
			await call(authorizeUrl({ redirect_uri: undefined })),
			'invalid_request',
			/2 registered redirect URIs/,
		);
		const twice = `${authorizeUrl()}&redirect_uri=${encodeURIComponent(CALLBACK)}`;
		expectErrorPage(await call(twice), 'invalid_request', /must appear once/);
	});

	test('with one registered URI the request may omit it; then the token request may too, or must match it', async () => {
		const only = 'https://app.example.com/callback';
		emu.store.clients.set(CLIENT.id, {
			...emu.store.clients.get(CLIENT.id)!,
			redirectUris: [only],
		});
		const a = await call(authorizeUrl({ redirect_uri: undefined, emulator_consent: 'approve' }));
		expect(a.headers.location).toMatch(/^https:\/\/app\.example\.com\/callback\?code=/);
		const code = redirected(a)!.code!;
		expect((await tokenRequest({ grant_type: 'authorization_code', code })).status).toBe(200);
		const b = await call(authorizeUrl({ redirect_uri: undefined, emulator_consent: 'approve' }));
		const bad = await tokenRequest({
			grant_type: 'authorization_code',
			code: redirected(b)!.code!,
			redirect_uri: CALLBACK,
		});
		expect(bad.json.error).toBe('invalid_grant');
	});

	test('errors sent back to the client, with the state: repeated parameter, response_type, client, scope', async () => {
		const cases: [string, string, RegExp][] = [
			[`${authorizeUrl()}&scope=studio`, 'invalid_request', /scope is repeated/],
			[authorizeUrl({ response_type: undefined }), 'invalid_request', /response_type/],
			[authorizeUrl({ response_type: 'token' }), 'unsupported_response_type', /response_type=code/],
			[authorizeUrl({ scope: 'studio made.up' }), 'invalid_scope', /made\.up/],
			[
				authorizeUrl({ client_id: 'demo-audit-client', scope: 'studio' }),
				'invalid_scope',
				/not allowed for this client: studio/,
			],
		];
		for (const [url, error, description] of cases) {
			const r = await call(url);
			expect({ url, status: r.status }).toEqual({ url, status: 302 });
			const p = redirected(r)!;
			expect(p).toMatchObject({ error, state: 'st-1' });
			expect(p.error_description).toMatch(description);
			expect(p.code).toBeUndefined();
		}
		emu.store.clients.set(CLIENT.id, {
			...emu.store.clients.get(CLIENT.id)!,
			grantTypes: ['client_credentials'],
		});
		expect(redirected(await call(authorizeUrl()))).toMatchObject({
			error: 'unauthorized_client',
			state: 'st-1',
		});
	});
});

describe('the code at the token endpoint', () => {
	test('single use: a second redemption is invalid_grant and revokes the tokens of the first', async () => {
		const code = (await approve()).searchParams.get('code')!;
		const first = await exchange(code);
		expect((await me(first.json.access_token)).status).toBe(200);
		const second = await exchange(code);
		expect(second.status).toBe(400);
		expect(second.json).toMatchObject({ error: 'invalid_grant' });
		expect(second.json.error_description).toMatch(/already used/);
		expect((await me(first.json.access_token)).status).toBe(401);
		expect((await refresh(first.json.refresh_token)).json.error).toBe('invalid_grant');
	});

	test('short life (config oauth.codeLifetimeSeconds, default 60 s)', async () => {
		const before = Date.now();
		const code = (await approve()).searchParams.get('code')!;
		const stored = emu.store.tokens.codes.get(code)!;
		expect(stored.expiresAt - before).toBeLessThanOrEqual(60_000 + 1000);
		expect(stored.expiresAt - Date.now()).toBeGreaterThan(50_000);
		stored.expiresAt = Date.now() - 1;
		const r = await exchange(code);
		expect(r.json.error).toBe('invalid_grant');
		expect(r.json.error_description).toMatch(/expired/);
		emu.configure({ oauth: { codeLifetimeSeconds: 5 } });
		const short = (await approve()).searchParams.get('code')!;
		expect(emu.store.tokens.codes.get(short)!.expiresAt - Date.now()).toBeLessThanOrEqual(5000);
	});

	test('redirect_uri must equal the one of the authorization request', async () => {
		const c1 = (await approve()).searchParams.get('code')!;
		const other = await exchange(c1, {
			redirect_uri: 'http://127.0.0.1:5679/rest/oauth2-credential/callback',
		});
		expect(other.json).toMatchObject({ error: 'invalid_grant' });
		expect(other.json.error_description).toMatch(/redirect_uri/);
		const c2 = (await approve()).searchParams.get('code')!;
		const missing = await tokenRequest({ grant_type: 'authorization_code', code: c2 });
		expect(missing.json.error).toBe('invalid_grant');
	});

	test('a code is good only for the client it was issued to; unknown or missing codes', async () => {
		const code = (await approve()).searchParams.get('code')!;
		const r = await call(`${emu.url}/oauth2/token`, {
			body: new URLSearchParams({
				grant_type: 'authorization_code',
				code,
				redirect_uri: CALLBACK,
				client_id: 'demo-post-client',
				client_secret: 'demo-post-secret',
			}).toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		expect(r.json).toMatchObject({ error: 'invalid_grant' });
		expect(r.json.error_description).toMatch(/another client/);
		expect((await exchange('emu_code_nope')).json.error).toBe('invalid_grant');
		expect((await tokenRequest({ grant_type: 'authorization_code' })).json.error).toBe(
			'invalid_request',
		);
		expect(JSON.stringify((await call(`${emu.url}/__emulator/requests`)).json)).not.toContain(code);
	});
});

describe('PKCE', () => {
	test.each(['S256', 'plain'] as const)('%s: the right verifier gets tokens', async (method) => {
		const p = pkcePair(method);
		const loc = await approve(
			authorizeUrl({ code_challenge: p.challenge, code_challenge_method: method }),
		);
		const t = await exchange(loc.searchParams.get('code')!, { code_verifier: p.verifier });
		expect(t.status).toBe(200);
	});

	test('a wrong or missing verifier is invalid_grant (and uses up the code)', async () => {
		const p = pkcePair();
		const url = authorizeUrl({ code_challenge: p.challenge, code_challenge_method: 'S256' });
		const wrong = await exchange((await approve(url)).searchParams.get('code')!, {
			code_verifier: pkcePair().verifier,
		});
		expect(wrong.json).toMatchObject({ error: 'invalid_grant' });
		expect(wrong.json.error_description).toMatch(/does not match/);
		const code = (await approve(url)).searchParams.get('code')!;
		expect((await exchange(code)).json).toMatchObject({ error: 'invalid_grant' });
		expect((await exchange(code, { code_verifier: p.verifier })).json.error_description).toMatch(
			/already used/,
		);
		const malformed = await exchange((await approve(url)).searchParams.get('code')!, {
			code_verifier: 'short',
		});
		expect(malformed.json.error).toBe('invalid_request');
	});

	test('a challenge without method means plain', async () => {
		const p = pkcePair('plain');
		const loc = await approve(authorizeUrl({ code_challenge: p.challenge }));
		expect(
			(await exchange(loc.searchParams.get('code')!, { code_verifier: p.verifier })).status,
		).toBe(200);
	});

	test('a verifier for a code without challenge is refused (no PKCE downgrade)', async () => {
		const code = (await approve()).searchParams.get('code')!;
		expect((await exchange(code, { code_verifier: pkcePair().verifier })).json.error).toBe(
			'invalid_grant',
		);
	});

	test('bad challenges and a required PKCE: invalid_request back to the client', async () => {
		const p = pkcePair();
		for (const q of [
			{ code_challenge: p.challenge, code_challenge_method: 'S512' },
			{ code_challenge: 'too-short', code_challenge_method: 'S256' },
			{ code_challenge_method: 'S256' },
		])
			expect(redirected(await call(authorizeUrl(q)))).toMatchObject({
				error: 'invalid_request',
				state: 'st-1',
			});
		emu.configure({ oauth: { requirePkce: true } });
		const r = redirected(await call(authorizeUrl()))!;
		expect(r).toMatchObject({ error: 'invalid_request' });
		expect(r.error_description).toMatch(/code_challenge is required/);
		expect(
			(await call(authorizeUrl({ code_challenge: p.challenge, code_challenge_method: 'S256' })))
				.status,
		).toBe(200);
	});
});

describe('refresh tokens and consent', () => {
	test('refresh tokens rotate; a used one is invalid_grant; scope may narrow, never widen', async () => {
		const t = await exchange((await approve()).searchParams.get('code')!);
		const r1 = await refresh(t.json.refresh_token, { scope: 'studio' });
		expect(r1.status).toBe(200);
		expect(r1.json.scope).toBe('studio');
		expect(r1.json.refresh_token).not.toBe(t.json.refresh_token);
		expect((await refresh(t.json.refresh_token)).json.error).toBe('invalid_grant');
		// the rotated refresh token keeps the grant's full scope
		const r2 = await refresh(r1.json.refresh_token);
		expect(r2.json.scope).toBe('studio audit.log:read');
		expect(
			(await refresh(r2.json.refresh_token, { scope: 'studio integration.data-pools' })).json.error,
		).toBe('invalid_scope');
	});

	test('consent expiry (Celonis: at most 30 days): refresh is invalid_grant "reconnect", tokens stop working', async () => {
		emu.configure({ oauth: { consentLifetimeSeconds: 120 } });
		const t = await exchange((await approve()).searchParams.get('code')!);
		expect(t.json.expires_in).toBeLessThanOrEqual(120);
		const [consent] = [...emu.store.tokens.consents.values()];
		expect(consent!.expiresAt - Date.now()).toBeLessThanOrEqual(120_000);
		consent!.expiresAt = Date.now() - 1;
		const r = await refresh(t.json.refresh_token);
		expect(r.status).toBe(400);
		expect(r.json.error).toBe('invalid_grant');
		expect(r.json.error_description).toMatch(/consent .* expired .*reconnect/);
		expect((await me(t.json.access_token)).status).toBe(401);
	});

	test('the "15 minutes" choice gives a 15-minute consent; the default is 30 days', async () => {
		const long = await exchange((await approve()).searchParams.get('code')!);
		const short = await exchange(
			(await approve(undefined, undefined, [['duration', 'short']])).searchParams.get('code')!,
		);
		const consents = [...emu.store.tokens.consents.values()].map((c) =>
			Math.round((c.expiresAt - Date.now()) / 60_000),
		);
		expect(consents).toEqual([30 * 24 * 60, 15]);
		expect(long.json.expires_in).toBe(899);
		expect(short.json.expires_in).toBeLessThanOrEqual(900);
	});

	test('consent revoked by the user (inspection API): refresh says so, tokens are 401', async () => {
		const t = await exchange((await approve()).searchParams.get('code')!);
		const listed = await call(`${emu.url}/__emulator/consents`);
		expect(listed.json).toEqual([
			expect.objectContaining({
				clientId: CLIENT.id,
				userEmail: 'demo.user@example.com',
				scopes: ['studio', 'audit.log:read'],
				revoked: false,
			}),
		]);
		const rv = await call(`${emu.url}/__emulator/consents/revoke`, {
			json: { clientId: CLIENT.id },
		});
		expect(rv.json.revoked).toBe(1);
		expect((await me(t.json.access_token)).status).toBe(401);
		const r = await refresh(t.json.refresh_token);
		expect(r.json.error).toBe('invalid_grant');
		expect(r.json.error_description).toMatch(/revoked; reconnect/);
	});
});

describe("n8n's own OAuth client (@n8n/client-oauth2, as n8n's Connect button uses it)", () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { ClientOAuth2 } = require('@n8n/client-oauth2') as { ClientOAuth2: new (o: Json) => Json };

	async function connect(authentication: 'header' | 'body', pkce: boolean): Promise<Json> {
		const options: Json = {
			clientId: CLIENT.id,
			clientSecret: CLIENT.secret,
			accessTokenUri: `${emu.url}/oauth2/token`,
			authorizationUri: `${emu.url}/oauth2/authorize`,
			redirectUri: CALLBACK,
			scopes: ['studio', 'audit.log:read'],
			scopesSeparator: ' ',
			authentication,
		};
		const p = pkcePair();
		const uri = new ClientOAuth2({
			...options,
			state: 'n8n-state',
			query: pkce ? { code_challenge: p.challenge, code_challenge_method: 'S256' } : undefined,
		}).code.getUri();
		const loc = await approve(uri);
		// the callback controller: PKCE verifier and body credentials go in `body`; header auth keeps the secret
		const body: Json = {};
		if (pkce) body.code_verifier = p.verifier;
		const callbackOptions = { ...options };
		if (authentication === 'body') {
			body.client_id = CLIENT.id;
			body.client_secret = CLIENT.secret;
			delete callbackOptions.clientSecret;
		}
		const client = new ClientOAuth2(callbackOptions);
		const token = await client.code.getToken(
			loc.toString(),
			Object.keys(body).length ? { body } : {},
		);
		return { token, client: new ClientOAuth2({ ...options }) };
	}

	test.each([
		['header', false],
		['header', true],
		['body', false],
		['body', true],
	] as const)(
		'Connect with authentication=%s, PKCE %s; then a refresh',
		async (authentication, pkce) => {
			const { token, client } = await connect(authentication, pkce);
			expect(token.data).toMatchObject({ token_type: 'Bearer', scope: 'studio audit.log:read' });
			expect((await me(token.accessToken)).status).toBe(200);
			const refreshed = await client.createToken(token.data).refresh();
			expect(refreshed.accessToken).not.toBe(token.accessToken);
			expect(refreshed.refreshToken).not.toBe(token.refreshToken);
			expect((await me(refreshed.accessToken)).status).toBe(200);
		},
	);

	test('a secret with "+" and "%" works although n8n does not form-encode Basic credentials', async () => {
		emu.store.clients.set(CLIENT.id, {
			...emu.store.clients.get(CLIENT.id)!,
			clientSecret: 'a+b%2Fc',
		});
		CLIENT.secret = 'a+b%2Fc';
		try {
			const { token } = await connect('header', false);
			expect(token.accessToken).toEqual(expect.any(String));
			emu.configure({ oauth: { basicCredentials: 'urlencoded' } });
			await expect(connect('header', false)).rejects.toThrow(/Client authentication failed/);
		} finally {
			CLIENT.secret = 'demo-client-secret';
		}
	});

	test('a denial and an expired consent surface as errors n8n shows', async () => {
		const uri = new ClientOAuth2({
			clientId: CLIENT.id,
			authorizationUri: `${emu.url}/oauth2/authorize`,
			redirectUri: CALLBACK,
			scopes: ['studio'],
			state: 's',
		}).code.getUri();
		const denied = await call(`${uri}&emulator_consent=deny`);
		const client = new ClientOAuth2({
			clientId: CLIENT.id,
			clientSecret: CLIENT.secret,
			accessTokenUri: `${emu.url}/oauth2/token`,
			redirectUri: CALLBACK,
		});
		await expect(client.code.getToken(denied.headers.location)).rejects.toThrow(/denied/);
		const { token } = await connect('header', false);
		for (const c of emu.store.tokens.consents.values()) c.expiresAt = Date.now() - 1;
		await expect(client.createToken(token.data).refresh()).rejects.toMatchObject({
			body: { error: 'invalid_grant', error_description: expect.stringMatching(/reconnect/) },
		});
	});
});
