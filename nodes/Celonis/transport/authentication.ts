import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

import { hasUsableToken, usableUntilOf } from '../../../shared/tokenUsability';
import { assembleScopes, parseScopeString } from '../../../shared/scopes';
import { normalizeTeamUrl, teamUrlHasScheme } from '../../../shared/teamUrl';

/** Node runs, list searches, and a trigger's webhook lifecycle (checkExists, create, delete). */
export type CelonisContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

export type Authentication = 'apiKey' | 'appKey' | 'oAuth2' | 'oAuth2AuthCode';

/** The credential type behind each choice of the node's Authentication parameter. */
export function credentialTypeOf(authentication: Authentication): string {
	switch (authentication) {
		case 'apiKey':
			return 'celonisApiKeyApi';
		case 'appKey':
			return 'celonisAppKeyApi';
		case 'oAuth2AuthCode':
			return 'celonisAuthCodeOAuth2Api';
		default:
			return 'celonisOAuth2Api';
	}
}

/**
 * The OAuth grant behind a credential: client credentials (our preAuthentication fetches and stores the token),
 * or authorization code (n8n's OAuth2 machinery holds the token a person approved, and refreshes it).
 */
export type OAuthGrant = 'clientCredentials' | 'authorizationCode';

export interface TeamAuth {
	authentication: Authentication;
	credentialType: string;
	/** Identifies the stored credential, to single-flight token refreshes across items. */
	credentialKey: string;
	/** The credential's name in n8n, for messages that ask the user to open it. */
	credentialName: string;
	origin: string;
	/** The Team URL had no scheme, so https:// was assumed. */
	schemeAssumed: boolean;
	oauth?: {
		grant: OAuthGrant;
		/** What the credential asks for; what the token was granted once one was issued. */
		requested: string[];
		granted: string[] | undefined;
		tokenUsable: boolean;
		/** Epoch ms after which the stored token no longer counts as usable. */
		usableUntil: number;
		/** When the stored token expires (epoch ms), when known. */
		expiresAt?: number;
	};
}

/**
 * Credentials are decrypted once per node run, not per request (n8n's helper decrypts them again for
 * every request anyway); after a token refresh the cache is dropped so the new token's data is read.
 */
const cache = new WeakMap<object, { auth: Promise<TeamAuth>; usableUntil: number }>();

export function forgetTeamAuth(ctx: CelonisContext): void {
	cache.delete(ctx);
}

/** A node parameter's value (of the first item, where there are items). */
export function nodeParameterOf(ctx: CelonisContext, name: string, fallback: unknown): unknown {
	return 'getInputData' in ctx
		? ctx.getNodeParameter(name, 0, fallback)
		: (ctx as ILoadOptionsFunctions | IHookFunctions).getNodeParameter(name, fallback);
}

export function authenticationOf(ctx: CelonisContext): Authentication {
	const value = nodeParameterOf(ctx, 'authentication', 'oAuth2');
	return value === 'apiKey' || value === 'appKey' || value === 'oAuth2AuthCode' ? value : 'oAuth2';
}

export async function readTeamAuth(ctx: CelonisContext): Promise<TeamAuth> {
	const cached = cache.get(ctx);
	if (cached && Date.now() < cached.usableUntil) return await cached.auth;
	const entry = { auth: loadTeamAuth(ctx), usableUntil: Number.POSITIVE_INFINITY };
	cache.set(ctx, entry);
	const auth = await entry.auth.catch((error: unknown) => {
		cache.delete(ctx);
		throw error;
	});
	// An OAuth token that was usable is re-checked once it may have become unusable.
	if (auth.oauth) entry.usableUntil = auth.oauth.tokenUsable ? auth.oauth.usableUntil : 0;
	return auth;
}

async function loadTeamAuth(ctx: CelonisContext): Promise<TeamAuth> {
	const authentication = authenticationOf(ctx);
	const credentialType = credentialTypeOf(authentication);
	const credentials = (await ctx.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
	const origin = normalizeTeamUrl(credentials.teamUrl);
	const schemeAssumed = !teamUrlHasScheme(credentials.teamUrl);
	const nodeCredential = ctx.getNode().credentials?.[credentialType];
	const credentialKey = `${credentialType}:${nodeCredential?.id ?? origin}`;
	const credentialName = nodeCredential?.name ?? credentialType;
	const base = {
		authentication,
		credentialType,
		credentialKey,
		credentialName,
		origin,
		schemeAssumed,
	};
	const requested = () => assembleScopes(credentials.scopes, credentials.customScopes);
	if (authentication === 'oAuth2AuthCode') {
		const token = readConnectedToken(ctx, credentials, credentialName);
		return {
			...base,
			oauth: { grant: 'authorizationCode', requested: requested(), ...token },
		};
	}
	if (authentication !== 'oAuth2') return base;

	const tokenUsable = hasUsableToken(credentials);
	const usableUntil = tokenUsable ? usableUntilOf(credentials) : 0;
	return {
		...base,
		oauth: {
			grant: 'clientCredentials',
			requested: requested(),
			granted: tokenUsable ? parseScopeString(credentials.grantedScopes) : undefined,
			tokenUsable,
			usableUntil,
			expiresAt: tokenUsable ? Date.parse(String(credentials.expiresAt)) : undefined,
		},
	};
}

/** Margin before a token's expiry from which it counts as expiring: 30 s, or a tenth of a short lifetime. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The token n8n stored when a person connected the credential (`oauthTokenData`: the token response plus
 * `n8n_expires_at`, ms), or a clear error when nobody connected it yet.
 */
function readConnectedToken(
	ctx: CelonisContext,
	credentials: ICredentialDataDecryptedObject,
	credentialName: string,
): Pick<NonNullable<TeamAuth['oauth']>, 'granted' | 'tokenUsable' | 'usableUntil' | 'expiresAt'> {
	const data = (credentials.oauthTokenData ?? {}) as Record<string, unknown>;
	if (typeof data.access_token !== 'string' || data.access_token === '') {
		throw new NodeOperationError(
			ctx.getNode(),
			`The credential "${credentialName}" is not connected to Celonis yet`,
			{
				description:
					'Open the credential in n8n and click "Connect my account": sign in to Celonis and approve the scopes. The workflow then acts as that user.',
			},
		);
	}
	const expiresAt = Number(data.n8n_expires_at);
	const lifetimeMs = Number(data.expires_in) * 1000;
	const margin =
		Number.isFinite(lifetimeMs) && lifetimeMs > 0
			? Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10)
			: EXPIRY_MARGIN_MS;
	// Without an expiry n8n refreshes on the first 401; the token counts as usable until then.
	const usableUntil = Number.isFinite(expiresAt) ? expiresAt - margin : Number.POSITIVE_INFINITY;
	return {
		granted: typeof data.scope === 'string' ? parseScopeString(data.scope) : undefined,
		tokenUsable: Date.now() < usableUntil,
		usableUntil,
		expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined,
	};
}
