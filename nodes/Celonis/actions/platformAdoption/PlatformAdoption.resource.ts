import type { INodeProperties } from 'n8n-workflow';

import * as getTrackingEvents from './getTrackingEvents.operation';

export { getTrackingEvents };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['platformAdoption'] } },
		options: [
			{
				name: 'Get Tracking Events',
				value: 'getTrackingEvents',
				action: 'Get platform adoption tracking events',
				description: 'Export Studio adoption tracking events (v2 cursor API) as items or as a file',
			},
		],
		default: 'getTrackingEvents',
	},
	...getTrackingEvents.description,
];
