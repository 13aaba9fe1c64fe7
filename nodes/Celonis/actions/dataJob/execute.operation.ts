import {
	NodeOperationError,
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { resourceIdOf } from '../../helpers/parameters';
import { poolIdOf } from '../../helpers/pushParameters';
import { triggerAndPoll } from '../../services/triggerAndPoll';
import { dataJobs } from '../../transport/api/integration';
import { dataPoolLocator, waitParameters } from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	{
		displayName: 'Data Job',
		name: 'dataJob',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a data job...',
				typeOptions: { searchListMethod: 'searchDataJobs', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. j0b00000-0000-4000-8000-000000000201',
			},
		],
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'Delta', value: 'DELTA', description: 'Extract only what changed' },
			{ name: 'Full', value: 'FULL', description: 'Extract all tables completely' },
		],
		default: 'DELTA',
	},
	...waitParameters('the execution has finished'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataJob'], operation: ['execute'] } },
	properties,
);

const RUNNING = ['QUEUED', 'RUNNING'];

/** Data Job Execution API: execute, then follow the job's status until the new execution finished. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const poolId = poolIdOf(this, i);
		const jobId = resourceIdOf(
			this.getNodeParameter('dataJob', i, '', { extractValue: true }),
			'Data Job',
			'data job',
		);
		const mode = this.getNodeParameter('mode', i, 'DELTA') as string;
		return await triggerAndPoll(
			this,
			i,
			{ poolId, dataJobId: jobId, mode },
			{
				what: `Data job ${jobId}`,
				readState: async () => await dataJobs.status(this, poolId, jobId, i),
				trigger: async () => await dataJobs.execute(this, poolId, jobId, mode, i),
				settle: (job, before) => {
					const fresh =
						job.currentExecutionId && job.currentExecutionId !== before.currentExecutionId;
					const state = String(job.status ?? '');
					if (!fresh || !state || RUNNING.includes(state)) return { done: false, state };
					if (state !== 'SUCCESS' && state !== 'SKIPPED') {
						throw new NodeOperationError(
							this.getNode(),
							`Data job ${String(job.name ?? jobId)} ended with status ${state}`,
							{
								itemIndex: i,
								description:
									'Check the execution logs of the data job in Celonis (Data Integration → Data Jobs).',
							},
						);
					}
					return {
						done: true,
						value: { status: state, name: job.name, executionId: job.currentExecutionId },
					};
				},
			},
		);
	});
}
