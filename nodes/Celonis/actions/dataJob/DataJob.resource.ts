import type { INodeProperties } from 'n8n-workflow';

import * as execute from './execute.operation';

export { execute };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dataJob'] } },
		options: [
			{
				name: 'Execute',
				value: 'execute',
				action: 'Execute a data job',
				description: 'Run a data job of a pool (FULL or DELTA), optionally waiting for it',
			},
		],
		default: 'execute',
	},
	...execute.description,
];
