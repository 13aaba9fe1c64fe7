import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { runPerItem } from '../helpers/itemRunner';
import { locatorIdOf } from '../helpers/parameters';
import { subscriptions, type SubscriptionAction } from '../transport/api/intelligence';

/**
 * The loop of every Subscription operation: for each input item, `act` on the subscription the item names
 * (its Subscription field); an object becomes one output item, a list is passed on as it is.
 */
export async function forEachSubscription(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	act: (id: string, itemIndex: number) => Promise<IDataObject | INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	return await runPerItem(ctx, items.length, 1, async (i) => {
		const id = locatorIdOf(ctx, 'subscription', i, 'Subscription', 'subscription');
		const result = await act(id, i);
		return Array.isArray(result) ? result : [{ json: result }];
	});
}

/**
 * The Subscription resource's reads and state changes. Celonis has no GET of one subscription
 * (docs/celonis-api.md, "Event Subscription API"): one is found in the team's list.
 */
export async function findSubscription(
	ctx: IExecuteFunctions,
	id: string,
	itemIndex: number,
): Promise<IDataObject> {
	const all = await subscriptions.list(ctx, { itemIndex });
	const found = all.find((s) => s.id === id);
	if (found) return found;
	throw new NodeOperationError(ctx.getNode(), `Subscription "${id}" was not found in Celonis`, {
		itemIndex,
		description: `The team has ${all.length} subscription(s)${all.length ? `: ${all.map((s) => `"${String(s.name)}" (${String(s.id)})`).join(', ')}` : ''}. It was deleted, or the ID is wrong.`,
	});
}

/** Pauses, resumes or replays a subscription and returns it as it is afterwards. */
export async function changeSubscription(
	ctx: IExecuteFunctions,
	id: string,
	action: SubscriptionAction,
	itemIndex: number,
	fromOffset?: number,
): Promise<IDataObject> {
	await subscriptions.act(ctx, id, action, itemIndex, fromOffset);
	return await findSubscription(ctx, id, itemIndex);
}
