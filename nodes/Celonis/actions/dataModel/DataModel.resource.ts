import type { INodeProperties } from 'n8n-workflow';

import * as reload from './reload.operation';

export { reload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dataModel'] } },
		options: [
			{
				name: 'Reload',
				value: 'reload',
				action: 'Reload a data model',
				description:
					'Load the data model anew (complete, from cache, or some tables), optionally waiting for it',
			},
		],
		default: 'reload',
	},
	...reload.description,
];
