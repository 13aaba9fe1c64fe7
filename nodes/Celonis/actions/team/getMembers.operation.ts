import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { exportFields } from '../common.descriptions';
import { runExport } from '../../services/exportRunner';
import { teamPaths } from '../../transport/api/eventLogs';

/** Members ("User Group Info", Team API, docs/celonis-api.md, "Team API"): GET /api/external/members, pageNumber ≤ 200. */
const properties: INodeProperties[] = [
	{
		displayName: 'Include Internal Members',
		name: 'includeInternal',
		type: 'boolean',
		default: true,
		description:
			"Whether to include internal members (e.g. Celonis staff) besides the team's own users",
	},
	...exportFields({}),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['team'], operation: ['getMembers'] } },
	properties,
);

export const MEMBER_COLUMNS = [
	'userId',
	'nameAndEmail',
	'userRole',
	'status',
	'lastLogin',
	'inactivityPeriod',
	'group',
] as const;

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		return await runExport.call(this, i, {
			label: 'members',
			fileStem: 'celonis-members',
			path: teamPaths.members,
			style: 'pageNumber',
			qs: { includeInternal: this.getNodeParameter('includeInternal', i, true) === true },
			knownColumns: MEMBER_COLUMNS,
		});
	});
}
