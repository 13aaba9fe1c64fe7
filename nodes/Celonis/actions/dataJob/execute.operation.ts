import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem, toNodeError } from '../../shared/items';
import { resourceIdOf } from '../../shared/parameters';
import { celonisRequest } from '../../transport';
import { dataPoolLocator, poolIdOf } from '../dataPush/common';
import { pollUntilDone, waitParameters } from '../../shared/waiting';

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

/** Data Job Execution API (celonis-api.md §7.4): execute, then follow the job's status. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		try {
			const started = Date.now();
			const poolId = poolIdOf(this, i);
			const jobId = resourceIdOf(
				this.getNodeParameter('dataJob', i, '', { extractValue: true }),
				'Data Job',
				'data job',
			);
			const mode = this.getNodeParameter('mode', i, 'DELTA') as string;
			const statusPath = `/integration/api/pools/${encodeURIComponent(poolId)}/jobs/${encodeURIComponent(jobId)}`;
			const status = async () =>
				(
					await celonisRequest.call(this, {
						method: 'GET',
						path: statusPath,
						responseFormat: 'json',
						itemIndex: i,
					})
				).body as IDataObject;
			const before = await status();
			await celonisRequest.call(this, {
				method: 'POST',
				path: `/integration/api/v2/data-pools/${encodeURIComponent(poolId)}/data-jobs/${encodeURIComponent(jobId)}/execute`,
				qs: { mode },
				responseFormat: 'text',
				itemIndex: i,
			});
			const out: IDataObject = { poolId, dataJobId: jobId, mode };
			if (!this.getNodeParameter('waitForCompletion', i, true))
				return [{ json: { ...out, status: 'TRIGGERED', durationMs: Date.now() - started } }];
			return await pollUntilDone(
				this,
				{
					what: `Data job ${jobId}`,
					timeoutMs: (this.getNodeParameter('waitTimeout', i, 3600) as number) * 1000,
					itemIndex: i,
					onTimeout: 'Raise "Wait Timeout", or turn off "Wait for Completion".',
				},
				async () => {
					const job = await status();
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
						value: [
							{
								json: {
									...out,
									status: state,
									name: job.name,
									executionId: job.currentExecutionId,
									durationMs: Date.now() - started,
								},
							},
						],
					};
				},
			);
		} catch (error) {
			throw toNodeError(this.getNode(), error, i);
		}
	});
}
