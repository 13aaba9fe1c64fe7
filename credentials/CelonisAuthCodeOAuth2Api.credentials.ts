import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { CELONIS_SCOPES } from '../shared/scopes';
import { authorizeForTeam } from './shared/authorize';
import { CELONIS_ICON, teamUrlProperty } from './shared/properties';
import {
	SCOPE_EXPRESSION,
	TEAM_HOST_EXPRESSION,
	teamUrlExpression,
} from './shared/teamUrlExpressions';

const hidden = (name: string, displayName: string, value: string | boolean): INodeProperties => ({
	displayName,
	name,
	type: 'hidden',
	default: value,
});

/**
 * OAuth 2.0 authorization code against `<team>/oauth2/authorize` and `<team>/oauth2/token`: a person signs in to
 * Celonis and approves, and the workflows act as that person with the scopes they granted. It extends n8n's
 * `oAuth2Api`, the only way to get n8n's "Connect my account" button (the consent popup, the callback, storing
 * and refreshing the tokens); n8n-nodes-base's Databricks OAuth2 credential is the pattern.
 *
 * n8n's OAuth2 requests sign with the token themselves and never call `authenticate`; what keeps the token on
 * the team there is the pinned domain restriction (hidden `allowedHttpRequestDomains` / `allowedDomains` = the
 * team host), which n8n's HTTP Request node applies to the URL and to every redirect. The Celonis node only ever
 * sends requests to the team origin. `authenticate` guards any other caller the same way as the other three
 * credentials do.
 */
export class CelonisAuthCodeOAuth2Api implements ICredentialType {
	name = 'celonisAuthCodeOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Celonis Authorization Code OAuth2 API';

	icon: Icon = CELONIS_ICON;

	documentationUrl =
		'https://github.com/n8n-nodes-celonis/n8n-nodes-celonis?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		teamUrlProperty,
		{
			displayName:
				'The Team URL must use https://. http:// is only for a local emulator (localhost, 127.0.0.1): for any other host, n8n connects over https://.',
			name: 'httpTeamUrlNotice',
			type: 'notice',
			default: '',
			// Shown for http:// to any host but loopback (conditions without look-ahead: n8n may evaluate them with RE2).
			displayOptions: {
				show: { teamUrl: [{ _cnd: { regex: '^\\s*[hH][tT][tT][pP]://' } }] },
				hide: {
					teamUrl: [
						{
							_cnd: {
								regex:
									'^\\s*[hH][tT][tT][pP]://([lL][oO][cC][aA][lL][hH][oO][sS][tT]|127\\.[0-9]+\\.[0-9]+\\.[0-9]+|\\[::1\\])([:/?#]|\\s*$)',
							},
						},
					],
				},
			},
		},
		hidden('grantType', 'Grant Type', 'authorizationCode'),
		hidden('authUrl', 'Authorization URL', teamUrlExpression('/oauth2/authorize')),
		hidden('accessTokenUrl', 'Access Token URL', teamUrlExpression('/oauth2/token')),
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The ID of an OAuth client with grant type "Authorization code" (Admin & Settings → Applications). Register the OAuth Redirect URL shown here as its redirect URI.',
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
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'Client Secret Basic',
					value: 'header',
					description: 'Client ID and secret in an HTTP Basic Authorization header',
				},
				{
					name: 'Client Secret Post',
					value: 'body',
					description: 'Client ID and secret in the form body of the token request',
				},
			],
			default: 'header',
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
				'The scopes to ask the user for; the user may approve fewer. Pick only what your workflows need (npm run scopes tells you). None = everything the client may request. Reconnect after a change.',
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
			displayName: 'Use PKCE',
			name: 'usePkce',
			type: 'boolean',
			default: true,
			description:
				'Whether to protect the sign-in with PKCE (S256): the code n8n receives is useless to anyone who intercepts it',
		},
		hidden('scope', 'Scope', SCOPE_EXPRESSION),
		hidden('authQueryParameters', 'Auth URI Query Parameters', ''),
		// The token travels only to the team: n8n's HTTP Request node applies these to the URL and to every redirect.
		hidden('allowedHttpRequestDomains', 'Allowed HTTP Request Domains', 'domains'),
		hidden('allowedDomains', 'Allowed Domains', TEAM_HOST_EXPRESSION),
	];

	/** `Authorization: Bearer <access token>`, only towards the team (see the class comment for who calls it). */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	) {
		const tokenData = credentials.oauthTokenData as { access_token?: unknown } | undefined;
		const token = typeof tokenData?.access_token === 'string' ? tokenData.access_token : '';
		return authorizeForTeam(
			credentials.teamUrl,
			requestOptions,
			token !== '' ? `Bearer ${token}` : undefined,
		);
	}
}
