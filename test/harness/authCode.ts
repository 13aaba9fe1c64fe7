import { createHash, randomBytes } from 'node:crypto';

import { ClientOAuth2 } from '@n8n/client-oauth2';

import type { Engine } from './engine';

/** The redirect URI n8n computes for an instance at http://localhost/ (the engine harness' instanceBaseUrl). */
export const N8N_CALLBACK = 'http://localhost/rest/oauth2-credential/callback';

export interface ConnectOptions {
	/** What the user answers on the consent page (the emulator-only `emulator_consent` parameter). */
	consent?: 'approve' | 'deny';
	/** The redirect URI of the authorization request, when it should not be n8n's. */
	redirectUri?: string;
	/** Exchanges the code a second time after the first exchange was stored (a replayed callback). */
	reuseCode?: boolean;
	/** Sends another PKCE verifier than the one the challenge was made from. */
	wrongVerifier?: boolean;
}

/**
 * What n8n 2.41 does on "Connect my account" and in its callback (cli OauthService.generateAOauth2AuthUri,
 * OAuth2CredentialController.handleCallback): the authorization URL from the credential's resolved fields (hidden
 * computed URLs and scope, PKCE S256 when `usePkce`), the consent (answered through the emulator-only parameter),
 * the code exchange with n8n's own OAuth2 client (client authentication in the header, or in the body), and the
 * token data stored as `oauthTokenData` with `n8n_expires_at`. Errors are n8n's: its callback shows their message.
 */
export async function connectAuthCode(
	engine: Engine,
	credentialId: string,
	options: ConnectOptions = {},
): Promise<Record<string, unknown>> {
	const stored = engine.store.get(credentialId);
	const c = engine.credentialsHelper.applyDefaults(stored.type, stored.data) as Record<
		string,
		string | boolean | undefined
	>;
	const scope = String(c.scope ?? '');
	const oAuthOptions = {
		clientId: String(c.clientId),
		clientSecret: String(c.clientSecret ?? ''),
		accessTokenUri: String(c.accessTokenUrl ?? ''),
		authorizationUri: String(c.authUrl ?? ''),
		authentication: (c.authentication ?? 'header') as 'header' | 'body',
		redirectUri: N8N_CALLBACK,
		scopes: scope.split(','),
		scopesSeparator: (scope.includes(',') ? ',' : ' ') as ',' | ' ',
	};
	const pkce =
		c.grantType === 'pkce' || (c.grantType === 'authorizationCode' && c.usePkce === true);
	const verifier = randomBytes(32).toString('base64url');
	const state = randomBytes(16).toString('hex');
	const query: Record<string, string> = { emulator_consent: options.consent ?? 'approve' };
	if (pkce) {
		query.code_challenge = createHash('sha256').update(verifier).digest('base64url');
		query.code_challenge_method = 'S256';
	}
	const authorizeUri = new ClientOAuth2({
		...oAuthOptions,
		...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
		state,
		query,
	}).code.getUri();

	const answer = await fetch(authorizeUri, { redirect: 'manual' });
	const location = answer.headers.get('location');
	if (!location)
		throw new Error(`the authorization endpoint answered ${answer.status} without a redirect`);
	const callback = new URL(location);

	const body: Record<string, string> = {};
	if (pkce) body.code_verifier = options.wrongVerifier ? `${verifier}x` : verifier;
	const exchange = { ...oAuthOptions };
	if (oAuthOptions.authentication === 'body') {
		body.client_id = oAuthOptions.clientId;
		body.client_secret = oAuthOptions.clientSecret;
		exchange.clientSecret = '';
	}
	const client = new ClientOAuth2({ ...exchange, state });
	const callbackUrl = `${N8N_CALLBACK}${callback.search}`;
	const token = await client.code.getToken(callbackUrl, { body });

	const expiresIn = Number(token.data.expires_in);
	const oauthTokenData = {
		...token.data,
		...(Number.isFinite(expiresIn) && expiresIn > 0
			? { n8n_expires_at: String(Date.now() + expiresIn * 1000) }
			: {}),
	};
	stored.data.oauthTokenData = oauthTokenData;
	// A replayed callback: the code is exchanged a second time after the tokens were stored.
	if (options.reuseCode) await client.code.getToken(callbackUrl, { body });
	return oauthTokenData;
}
