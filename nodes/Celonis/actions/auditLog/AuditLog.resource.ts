import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['auditLog'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many audit log events',
				description:
					'Export the team audit log: a time window or only new events since the last run, as items or as a CSV / JSON Lines file',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
