import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { poolIdOf } from '../../helpers/pushParameters';
import { listJobs } from '../../transport/api/dataPush';
import { dataPoolLocator } from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: ['CANCELED', 'DONE', 'ERROR', 'NEW', 'QUEUED', 'RUNNING'].map((s) => ({
					name: s.charAt(0) + s.slice(1).toLowerCase(),
					value: s,
				})),
				default: [],
			},
			{ displayName: 'Table Name', name: 'targetName', type: 'string', default: '' },
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['getManyJobs'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const filters = this.getNodeParameter('filters', i, {}) as {
			status?: string[];
			targetName?: string;
		};
		let jobs = await listJobs(this, poolIdOf(this, i), { itemIndex: i });
		if (filters.status?.length) jobs = jobs.filter((j) => filters.status!.includes(j.status));
		if (filters.targetName) {
			const wanted = filters.targetName.trim().toLowerCase();
			jobs = jobs.filter((j) => String(j.targetName ?? '').toLowerCase() === wanted);
		}
		if (!this.getNodeParameter('returnAll', i, false))
			jobs = jobs.slice(0, this.getNodeParameter('limit', i, 50) as number);
		return jobs.map((json) => ({ json }));
	});
}
