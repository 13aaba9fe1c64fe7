import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { changeSubscription, forEachSubscription } from '../../services/subscriptionAdmin';
import type { SubscriptionAction } from '../../transport/api/intelligence';
import { subscriptionLocator } from '../common.descriptions';

/**
 * An operation that only changes a subscription's state (PATCH .../subscriptions/{id}/{action}, no body)
 * and returns the subscription as it is afterwards: Pause, Resume, Resume From Latest.
 */
export function stateChangeOperation(
	operation: string,
	action: Exclude<SubscriptionAction, 'replay'>,
) {
	return {
		description: updateDisplayOptions(
			{ show: { resource: ['subscription'], operation: [operation] } },
			[subscriptionLocator],
		),
		async execute(
			this: IExecuteFunctions,
			items: INodeExecutionData[],
		): Promise<INodeExecutionData[]> {
			return await forEachSubscription(
				this,
				items,
				async (id, i) => await changeSubscription(this, id, action, i),
			);
		},
	};
}
