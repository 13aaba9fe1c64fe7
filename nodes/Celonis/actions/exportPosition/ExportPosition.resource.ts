import type { INodeProperties } from 'n8n-workflow';

import * as confirm from './confirm.operation';

export { confirm };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['exportPosition'] } },
		options: [
			{
				name: 'Confirm',
				value: 'confirm',
				action: 'Confirm the position of an export',
				description:
					'At the end of a workflow: the events an export (Confirm Position: In a Later Step) exported in this execution count as exported',
			},
		],
		default: 'confirm',
	},
	...confirm.description,
];
