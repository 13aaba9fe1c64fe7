import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import { exportFields } from '../common.descriptions';
import { runExport } from '../../services/exportRunner';
import { platformAdoptionPaths } from '../../transport/api/eventLogs';

/**
 * Platform Adoption API v2 (docs/celonis-api.md, "Platform Adoption API"): GET /platform-adoption/api/external/v2/adoption-tracking-events/{type}
 * with the pageToken → nextPageToken cursor. The documented type is STUDIO_ASSET. The record fields and
 * the from/to window are not documented (inferred from the Audit Log API), so CSV columns come from the
 * first page and JSON Lines keeps every field.
 */
const properties: INodeProperties[] = [
	{
		displayName: 'Event Type',
		name: 'eventType',
		type: 'string',
		default: 'STUDIO_ASSET',
		required: true,
		description:
			'The tracking event type of the API path; Celonis documents STUDIO_ASSET (views, spaces, packages)',
	},
	...exportFields({ window: true }),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['platformAdoption'], operation: ['getTrackingEvents'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const type = String(this.getNodeParameter('eventType', i, 'STUDIO_ASSET')).trim();
		if (!/^[A-Z0-9_]+$/i.test(type))
			throw new ParameterError(
				`"Event Type" must be a type name such as STUDIO_ASSET (letters, digits, _), got ${JSON.stringify(type)}.`,
			);
		return await runExport.call(this, i, {
			label: 'tracking events',
			fileStem: `celonis-tracking-events-${type.toLowerCase()}`,
			path: platformAdoptionPaths.trackingEvents(type),
			style: 'cursor',
			knownColumns: ['timestamp'],
			window: true,
		});
	});
}
