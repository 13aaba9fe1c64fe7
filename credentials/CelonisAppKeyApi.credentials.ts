import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { staticKeyAuthenticate, staticKeyPreAuthentication } from './shared/keyProbe';
import {
	CELONIS_ICON,
	keyCheckProperty,
	keyTestRequest,
	teamUrlProperty,
} from './shared/properties';

/** A Celonis Application key, sent as `Authorization: AppKey <key>`; it has only the permissions granted to it. */
export class CelonisAppKeyApi implements ICredentialType {
	name = 'celonisAppKeyApi';

	displayName = 'Celonis Application Key API';

	icon: Icon = CELONIS_ICON;

	documentationUrl =
		'https://github.com/n8n-nodes-celonis/n8n-nodes-celonis?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		teamUrlProperty,
		{
			displayName: 'Application Key',
			name: 'appKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An Application key, created in Celonis under Admin & Settings → Applications. It starts without permissions: grant it the ones it needs there. Celonis is phasing out static keys in favour of OAuth.',
		},
		keyCheckProperty,
	];

	preAuthentication = staticKeyPreAuthentication('AppKey', 'appKey');

	authenticate = staticKeyAuthenticate('AppKey', 'appKey');

	test: ICredentialTestRequest = keyTestRequest;
}
