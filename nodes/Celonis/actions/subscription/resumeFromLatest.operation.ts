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
	{ show: { resource: ['subscription'], operation: ['resumeFromLatest'] } },
	properties,
);

/** PATCH .../subscriptions/{id}/resume-from-latest: Celonis drops the events it kept and delivers only new ones. Returns the subscription afterwards. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const id = locatorIdOf(this, 'subscription', i, 'Subscription', 'subscription');
		return [{ json: await changeSubscription(this, id, 'resume-from-latest', i) }];
	});
}
