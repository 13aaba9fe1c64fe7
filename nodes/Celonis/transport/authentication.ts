import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { hasUsableToken, usableUntilOf } from '../../../shared/tokenUsability';
import { assembleScopes, parseScopeString } from '../../../shared/scopes';
import { normalizeTeamUrl, teamUrlHasScheme } from '../../../shared/teamUrl';

/** Node runs, list searches, and a trigger's webhook lifecycle (checkExists, create, delete). */
export type CelonisContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

export type Authentication = 'apiKey' | 'appKey' | 'oAuth2';

/** The credential type behind each choice of the node's Authentication parameter. */
export function credentialTypeOf(authentication: Authentication): string {
	switch (authentication) {
		case 'apiKey':
			return 'celonisApiKeyApi';
		case 'appKey':
			return 'celonisAppKeyApi';
		default:
			return 'celonisOAuth2Api';
	}
}

export interface TeamAuth {
	authentication: Authentication;
	credentialType: string;
	/** Identifies the stored credential, to single-flight token refreshes across items. */
	credentialKey: string;
	origin: string;
	/** The Team URL had no scheme, so https:// was assumed. */
	schemeAssumed: boolean;
	oauth?: {
		/** What the credential asks for; what the token was granted once one was issued. */
		requested: string[];
		granted: string[] | undefined;
		tokenUsable: boolean;
		/** Epoch ms after which the stored token no longer counts as usable. */
		usableUntil: number;
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
	return value === 'apiKey' || value === 'appKey' ? value : 'oAuth2';
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
	const credentialKey = `${credentialType}:${ctx.getNode().credentials?.[credentialType]?.id ?? origin}`;
	if (authentication !== 'oAuth2')
		return { authentication, credentialType, credentialKey, origin, schemeAssumed };

	const tokenUsable = hasUsableToken(credentials);
	const usableUntil = tokenUsable ? usableUntilOf(credentials) : 0;
	return {
		authentication,
		credentialType,
		credentialKey,
		origin,
		schemeAssumed,
		oauth: {
			requested: assembleScopes(credentials.scopes, credentials.customScopes),
			granted: tokenUsable ? parseScopeString(credentials.grantedScopes) : undefined,
			tokenUsable,
			usableUntil,
		},
	};
}
