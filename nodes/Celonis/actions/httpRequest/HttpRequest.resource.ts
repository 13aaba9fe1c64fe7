import type { INodeProperties } from 'n8n-workflow';

import * as request from './request.operation';

export { request };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['httpRequest'] } },
		options: [
			{
				name: 'Send Request',
				value: 'request',
				action: 'Send a request to any celonis api',
				description:
					'Call any Celonis API path with the credential: paging, retries and errors handled',
			},
		],
		default: 'request',
	},
	...request.description,
];
