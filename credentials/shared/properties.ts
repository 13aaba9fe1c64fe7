import type { ICredentialTestRequest, Icon, INodeProperties } from 'n8n-workflow';

/** Every Celonis credential starts with the team URL; only its origin is used. */
export const teamUrlProperty: INodeProperties = {
	displayName: 'Team URL',
	name: 'teamUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'https://acme.eu-1.celonis.cloud',
	description:
		'The address of your Celonis team. You can paste any URL of the team (e.g. from the browser); only https://&lt;team&gt;.&lt;realm&gt;.celonis.cloud is used.',
};

/**
 * Hidden marker that makes n8n run the key check (preAuthentication) on first use, after a 401, and in
 * every credential test; it holds the team domain the key was accepted for.
 */
export const keyCheckProperty: INodeProperties = {
	displayName: 'Key Check',
	name: 'keyCheck',
	type: 'hidden',
	typeOptions: { expirable: true, password: true },
	default: '',
};

export const CELONIS_ICON: Icon = {
	light: 'file:../icons/celonis.svg',
	dark: 'file:../icons/celonis.dark.svg',
};

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * A credential test asks the team itself: n8n runs preAuthentication first (the key check or the token
 * request, which produce the precise messages), then this request. It follows no redirect, so that it
 * tests the team and nothing it points to, and says plainly when the team answers with one.
 */
export function teamTestRequest(url: string): ICredentialTestRequest {
	return {
		request: { method: 'GET', url, disableFollowRedirect: true },
		rules: REDIRECT_STATUSES.map((value) => ({
			type: 'responseCode' as const,
			properties: {
				value,
				message: `The team answered the credential test with a redirect (HTTP ${value}) instead of answering ${url}. Check that the Team URL is the address of your team, e.g. https://acme.eu-1.celonis.cloud.`,
			},
		})),
	};
}

/** The key credentials' test: content-cli and pycelonis also use `GET /api/cloud/team` as probe. */
export const keyTestRequest: ICredentialTestRequest = teamTestRequest('/api/cloud/team');
