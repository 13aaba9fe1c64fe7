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

/**
 * The credential test: n8n runs preAuthentication first (the key check or the token request, which
 * produce the precise messages), then this request, which content-cli and pycelonis also use as probe.
 */
export const keyTestRequest: ICredentialTestRequest = {
	request: { method: 'GET', url: '/api/cloud/team' },
};
