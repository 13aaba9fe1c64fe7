import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { hasUsableToken } from '../../../credentials/shared/oauthToken';
import { assembleScopes, parseScopeString } from '../shared/scopes';
import { normalizeTeamUrl } from '../shared/teamUrl';

export type CelonisContext = IExecuteFunctions | ILoadOptionsFunctions;

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
	oauth?: {
		/** What the credential asks for; what the token was granted once one was issued. */
		requested: string[];
		granted: string[] | undefined;
		tokenUsable: boolean;
	};
}

export function authenticationOf(ctx: CelonisContext): Authentication {
	const value = ctx.getNodeParameter('authentication', 0, 'oAuth2') as string;
	return value === 'apiKey' || value === 'appKey' ? value : 'oAuth2';
}

export async function readTeamAuth(ctx: CelonisContext): Promise<TeamAuth> {
	const authentication = authenticationOf(ctx);
	const credentialType = credentialTypeOf(authentication);
	const credentials = (await ctx.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
	const origin = normalizeTeamUrl(credentials.teamUrl);
	const credentialKey = `${credentialType}:${ctx.getNode().credentials?.[credentialType]?.id ?? origin}`;
	if (authentication !== 'oAuth2') return { authentication, credentialType, credentialKey, origin };

	const tokenUsable = hasUsableToken(credentials);
	return {
		authentication,
		credentialType,
		credentialKey,
		origin,
		oauth: {
			requested: assembleScopes(credentials.scopes, credentials.customScopes),
			granted: tokenUsable ? parseScopeString(credentials.grantedScopes) : undefined,
			tokenUsable,
		},
	};
}
