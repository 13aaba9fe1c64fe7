import type { INodeProperties } from 'n8n-workflow';

import * as getLoginHistory from './getLoginHistory.operation';
import * as getMembers from './getMembers.operation';

export { getLoginHistory, getMembers };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['team'] } },
		options: [
			{
				name: 'Get Login History',
				value: 'getLoginHistory',
				action: 'Get the login history',
				description:
					'Export authentication events (logins, logouts, failures): a time window or only new events since the last run',
			},
			{
				name: 'Get Members',
				value: 'getMembers',
				action: 'Get team members',
				description: 'List the members of the team with their roles, groups and last login',
			},
		],
		default: 'getLoginHistory',
	},
	...getLoginHistory.description,
	...getMembers.description,
];
