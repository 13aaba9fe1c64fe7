import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterError } from '../../helpers/nodeErrors';
import { changeSubscription, forEachSubscription } from '../../services/subscriptionAdmin';
import { subscriptionLocator } from '../common.descriptions';

const properties: INodeProperties[] = [
	subscriptionLocator,
	{
		displayName: 'From Offset',
		name: 'fromOffset',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		required: true,
		description:
			'The offset of the first event to deliver again (each event of a subscription has one; the trigger and Get show them)',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['subscription'], operation: ['replayFromOffset'] } },
	properties,
);

/** PATCH .../subscriptions/{id}/replay?fromOffset=: delivers the events from that offset again. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachSubscription(this, items, async (id, i) => {
		const fromOffset = Number(this.getNodeParameter('fromOffset', i, 0));
		if (!Number.isSafeInteger(fromOffset) || fromOffset < 0)
			throw new ParameterError(
				`"From Offset" must be a whole number of at least 0 (got ${String(fromOffset)}).`,
			);
		return await changeSubscription(this, id, 'replay', i, fromOffset);
	});
}
