import {
	NodeOperationError,
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { poolIdOf, requireJobId } from '../../helpers/pushParameters';
import { executeJob, getJob, waitForJob } from '../../transport/api/dataPush';
import { dataPoolLocator, jobIdProperty, waitParameters } from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	jobIdProperty,
	...waitParameters('the job is DONE or ERROR, with the job log'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['executeJob'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const poolId = poolIdOf(this, i);
		const jobId = requireJobId(this.getNodeParameter('jobId', i));
		const call = { itemIndex: i };
		await executeJob(this, poolId, jobId, call);
		if (!this.getNodeParameter('waitForCompletion', i, true))
			return [{ json: await getJob(this, poolId, jobId, call) }];
		const timeoutMs = (this.getNodeParameter('waitTimeout', i, 3600) as number) * 1000;
		const job = await waitForJob(this, poolId, jobId, timeoutMs, call);
		if (job.status !== 'DONE') {
			throw new NodeOperationError(
				this.getNode(),
				`Data push job ${jobId} ended with status ${job.status}`,
				{
					itemIndex: i,
					description: job.logs?.length
						? `The job's log: ${job.logs.join(' | ')}`
						: 'The job has no log entries.',
				},
			);
		}
		return [{ json: job }];
	});
}
