import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { CELONIS_SCOPES } from '../shared/scopes';
import { authorizeForTeam } from './shared/authorize';
import {
	readClientSettings,
	sharedClientCredentialsToken,
	storedTokenStillValid,
} from './shared/oauthToken';
import { hasUsableToken } from '../shared/tokenUsability';
import { CELONIS_ICON, teamTestRequest, teamUrlProperty } from './shared/properties';

const hidden = (name: string, displayName: string): INodeProperties => ({
	displayName,
	name,
	type: 'hidden',
	default: '',
});

/**
 * OAuth 2.0 client credentials against `<team>/oauth2/token`. The token is fetched by preAuthentication
 * (not n8n's generic OAuth2 flow) so that we control the request (Basic or Post, form-urlencoded,
 * space-separated scopes) and every error message; it is stored, with its expiry and the granted scopes,
 * in hidden fields and reused until it expires.
 */
export class CelonisOAuth2Api implements ICredentialType {
	name = 'celonisOAuth2Api';

	displayName = 'Celonis OAuth2 (Client Credentials) API';

	icon: Icon = CELONIS_ICON;

	documentationUrl =
		'https://github.com/n8n-nodes-celonis/n8n-nodes-celonis?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		teamUrlProperty,
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The ID of an OAuth client with grant type "Client credentials" (Admin & Settings → Applications)',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Client Authentication Method',
			name: 'authMethod',
			type: 'options',
			options: [
				{
					name: 'Client Secret Basic',
					value: 'clientSecretBasic',
					description: 'Client ID and secret in an HTTP Basic Authorization header',
				},
				{
					name: 'Client Secret Post',
					value: 'clientSecretPost',
					description: 'Client ID and secret in the form body of the token request',
				},
			],
			default: 'clientSecretBasic',
			description:
				'How the client authenticates at the token endpoint; it must be one of the methods enabled for the client in Celonis',
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'multiOptions',
			options: CELONIS_SCOPES.map(({ name, value, description }) => ({
				name: `${name} (${value})`,
				value,
				description,
			})),
			default: [],
			description:
				'The scopes to request. Pick only what your workflows need; the client must be allowed to request each of them. Each Celonis node operation names the scope it needs.',
		},
		{
			displayName: 'Custom Scopes',
			name: 'customScopes',
			type: 'string',
			default: '',
			placeholder: 'e.g. my.new-scope:read',
			description: 'Additional scopes that are not in the list, separated by spaces',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		hidden('issuedAt', 'Issued At'),
		hidden('expiresAt', 'Expires At'),
		hidden('grantedScopes', 'Granted Scopes'),
		hidden('issuedFor', 'Issued For'),
	];

	/**
	 * A new token when there is none, it expires, the settings changed or Celonis refused it (401); one token
	 * request for all items that need one at once (see sharedClientCredentialsToken). After any other failure a
	 * still valid token is kept (see storedTokenStillValid): the answer without the token field tells n8n that
	 * nothing changed, so it stores nothing and does not resend the failed request.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const settings = readClientSettings(credentials);
		if (await storedTokenStillValid(this, credentials, settings)) return {};
		return await sharedClientCredentialsToken(this, credentials, settings);
	}

	/**
	 * A token that is missing, expiring or issued for other settings is not sent: Celonis answers 401,
	 * on which n8n runs preAuthentication for a new token and retries.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	) {
		const authorization = hasUsableToken(credentials)
			? `Bearer ${String(credentials.accessToken)}`
			: undefined;
		return authorizeForTeam(credentials.teamUrl, requestOptions, authorization);
	}

	test: ICredentialTestRequest = teamTestRequest('/.well-known/openid-configuration');
}
