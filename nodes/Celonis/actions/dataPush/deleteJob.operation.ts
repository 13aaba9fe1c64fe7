import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { poolIdOf, requireJobId } from '../../helpers/pushParameters';
import { deleteJob } from '../../transport/api/dataPush';
import { dataPoolLocator, jobIdProperty } from '../common.descriptions';

const properties: INodeProperties[] = [dataPoolLocator, jobIdProperty];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['deleteJob'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 5, async (i) => {
		const jobId = requireJobId(this.getNodeParameter('jobId', i));
		await deleteJob(this, poolIdOf(this, i), jobId, { itemIndex: i });
		return [{ json: { jobId, deleted: true } }];
	});
}
