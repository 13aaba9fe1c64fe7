import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { staticKeyAuthenticate, staticKeyPreAuthentication } from './shared/keyProbe';
import {
	CELONIS_ICON,
	keyCheckProperty,
	keyTestRequest,
	teamUrlProperty,
} from './shared/properties';

/** A Celonis User API key, sent as `Authorization: Bearer <key>`; it acts with all permissions of its user. */
export class CelonisApiKeyApi implements ICredentialType {
	name = 'celonisApiKeyApi';

	displayName = 'Celonis API Key API';

	icon: Icon = CELONIS_ICON;

	documentationUrl =
		'https://github.com/n8n-nodes-celonis/n8n-nodes-celonis?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		teamUrlProperty,
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A User API key, created in Celonis under Edit Profile → API Keys. It has all permissions of its user. Celonis is phasing out static keys in favour of OAuth.',
		},
		keyCheckProperty,
	];

	preAuthentication = staticKeyPreAuthentication('Bearer', 'apiKey');

	authenticate = staticKeyAuthenticate('Bearer', 'apiKey');

	test: ICredentialTestRequest = keyTestRequest;
}
