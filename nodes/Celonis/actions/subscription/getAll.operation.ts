import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { toOutputItems } from '../../helpers/output';
import { returnLimitOf } from '../../helpers/parameters';
import { subscriptions } from '../../transport/api/intelligence';
import { limitFields } from '../common.descriptions';

const properties: INodeProperties[] = [
	...limitFields,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Knowledge Model ID',
				name: 'knowledgeModelId',
				type: 'string',
				default: '',
				description: 'Only subscriptions to triggers of this knowledge model',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Active', value: 'active' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Paused', value: 'paused' },
					{ name: 'Rejected', value: 'rejected' },
					{ name: 'Suspended', value: 'suspended' },
				],
				default: [],
				description: 'Only subscriptions in one of these states',
			},
			{
				displayName: 'Trigger ID',
				name: 'triggerId',
				type: 'string',
				default: '',
				description: 'Only subscriptions to this trigger',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['subscription'], operation: ['getAll'] } },
	properties,
);

/** The team's event subscriptions (at most 10 per team), filtered here: the list takes no filters. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const filters = this.getNodeParameter('filters', i, {}) as {
			knowledgeModelId?: string;
			status?: string[];
			triggerId?: string;
		};
		const limit = returnLimitOf(this, i);
		const matching = (await subscriptions.list(this, { itemIndex: i })).filter(
			(s) =>
				(!filters.knowledgeModelId || s.knowledgeModelId === filters.knowledgeModelId.trim()) &&
				(!filters.triggerId || s.triggerId === filters.triggerId.trim()) &&
				(!filters.status?.length || filters.status.includes(String(s.status))),
		);
		return toOutputItems(limit === undefined ? matching : matching.slice(0, limit));
	});
}
