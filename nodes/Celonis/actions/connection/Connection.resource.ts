import type { INodeProperties } from 'n8n-workflow';

import * as check from './check.operation';

export { check };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['connection'] } },
		options: [
			{
				name: 'Check',
				value: 'check',
				action: 'Check what the credential can do',
				description:
					'Team, identity, scopes, token expiry, rate-limit headroom, and for every operation whether this credential can run it (reads only)',
			},
		],
		default: 'check',
	},
	...check.description,
];
