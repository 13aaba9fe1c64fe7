import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { locatorIdOf } from '../../helpers/parameters';
import { findSubscription } from '../../services/subscriptionAdmin';
import { subscriptionLocator } from '../common.descriptions';

const properties: INodeProperties[] = [subscriptionLocator];

export const description = updateDisplayOptions(
	{ show: { resource: ['subscription'], operation: ['get'] } },
	properties,
);

/** One subscription: its status, trigger, callback URI and the offset of its last delivered event. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const id = locatorIdOf(this, 'subscription', i, 'Subscription', 'subscription');
		return [{ json: await findSubscription(this, id, i) }];
	});
}
