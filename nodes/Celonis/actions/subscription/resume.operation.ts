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
	{ show: { resource: ['subscription'], operation: ['resume'] } },
	properties,
);

/** PATCH .../subscriptions/{id}/resume: Celonis delivers the events it kept (while paused or failed), then new ones. Returns the subscription afterwards. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const id = locatorIdOf(this, 'subscription', i, 'Subscription', 'subscription');
		return [{ json: await changeSubscription(this, id, 'resume', i) }];
	});
}
