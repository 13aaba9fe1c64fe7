import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { locatorIdOf } from '../../helpers/parameters';
import { changeSubscription } from '../../services/subscriptionAdmin';
import { subscriptionLocator } from '../common.descriptions';

const properties: INodeProperties[] = [subscriptionLocator];

export const description = updateDisplayOptions(
	{ show: { resource: ['subscription'], operation: ['pause'] } },
	properties,
);

/** PATCH .../subscriptions/{id}/pause: Celonis stops delivering and keeps the events of the meantime until the subscription is resumed. Returns the subscription afterwards. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const id = locatorIdOf(this, 'subscription', i, 'Subscription', 'subscription');
		return [{ json: await changeSubscription(this, id, 'pause', i) }];
	});
}
