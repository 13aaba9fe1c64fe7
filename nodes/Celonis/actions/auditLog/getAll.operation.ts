import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { exportFields } from '../common.descriptions';
import { runExport } from '../../services/exportRunner';
import { auditLogPaths } from '../../transport/api/eventLogs';

/** Audit Log API (docs/celonis-api.md, "Audit Log API"): v2 cursor by default, v1 pageNumber (≤ 200 per page) as an option. */
const properties: INodeProperties[] = [
	{
		displayName: 'API Version',
		name: 'apiVersion',
		type: 'options',
		options: [
			{
				name: 'V1 (Page Numbers, Deprecated by Celonis)',
				value: 'v1',
				description: 'GET /log/api/external/audit',
			},
			{
				name: 'V2 (Cursor, Recommended)',
				value: 'v2',
				description: 'GET /log/api/external/v2/audit',
			},
		],
		default: 'v2',
		description:
			'Which Audit Log API to page through; both return the same events. V2 pages with a cursor, so events that arrive meanwhile never shift pages.',
	},
	...exportFields({ incremental: true, window: true }),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['auditLog'], operation: ['getAll'] } },
	properties,
);

export const AUDIT_COLUMNS = [
	'timestamp',
	'event',
	'userId',
	'userRole',
	'ipAddress',
	'port',
	'message',
	'diffPayload',
] as const;

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	// One item after the other: incremental runs share the stored position.
	return await runPerItem(this, items.length, 1, async (i) => {
		const v1 = this.getNodeParameter('apiVersion', i, 'v2') === 'v1';
		return await runExport.call(this, i, {
			label: 'audit log',
			fileStem: 'celonis-audit-log',
			path: v1 ? auditLogPaths.v1 : auditLogPaths.v2,
			style: v1 ? 'pageNumber' : 'cursor',
			knownColumns: AUDIT_COLUMNS,
			window: true,
			stateKey: 'auditLog',
		});
	});
}
