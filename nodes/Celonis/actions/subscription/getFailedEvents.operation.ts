import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { toOutputItems } from '../../helpers/output';
import { eventItem, eventsOf, type EventOutput } from '../../helpers/subscriptionEvents';
import { forEachSubscription } from '../../services/subscriptionAdmin';
import { subscriptions } from '../../transport/api/intelligence';
import { eventOutputProperty, subscriptionLocator } from '../common.descriptions';

const properties: INodeProperties[] = [
	{
		displayName:
			'Celonis hands the failed events over and removes them from the subscription: they are not delivered again, so process them in this workflow. Without Return All one request takes the next (at most) 50.',
		name: 'handoverNotice',
		type: 'notice',
		default: '',
	},
	subscriptionLocator,
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	eventOutputProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['subscription'], operation: ['getFailedEvents'] } },
	properties,
);

/** Celonis hands over at most 50 events per request; this bounds Return All at the daily event quota. */
const PAGE = 50;
const MAX_REQUESTS = 2000;

/**
 * PATCH .../subscriptions/{id}/events: the events a failed or suspended subscription could not deliver,
 * one item each. Elements that are not events are passed on as they came, never dropped.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachSubscription(this, items, async (id, i) => {
		const returnAll = this.getNodeParameter('returnAll', i, false) === true;
		const output = this.getNodeParameter('output', i, 'fields') as EventOutput;
		const taken: unknown[] = [];
		for (let request = 0; request < MAX_REQUESTS; request++) {
			const batch = await subscriptions.takeFailedEvents(this, id, i);
			taken.push(...batch);
			if (!returnAll || batch.length < PAGE) break;
		}
		return toOutputItems(
			taken.map((element) => {
				const [event] = eventsOf(element);
				return event ? eventItem(event, output) : (element as IDataObject);
			}),
		);
	});
}
