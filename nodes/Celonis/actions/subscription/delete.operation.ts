import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { forEachSubscription } from '../../services/subscriptionAdmin';
import { subscriptions } from '../../transport/api/intelligence';
import { subscriptionLocator } from '../common.descriptions';

const properties: INodeProperties[] = [subscriptionLocator];

export const description = updateDisplayOptions(
	{ show: { resource: ['subscription'], operation: ['delete'] } },
	properties,
);

/**
 * DELETE .../subscriptions/{id}: Celonis stops delivering and forgets the subscription's events. A workflow
 * whose Celonis Trigger used it creates a new one when it is activated again.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachSubscription(this, items, async (id, i) => {
		await subscriptions.remove(this, id, i);
		return { id, deleted: true };
	});
}
