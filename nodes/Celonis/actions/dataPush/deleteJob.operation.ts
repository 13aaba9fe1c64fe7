import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem, toNodeError } from '../../shared/items';
import { callOptionsOf, dataPoolLocator, poolIdOf } from './common';
import { deleteJob } from './jobApi';
import { jobIdProperty, requireJobId } from './jobOperations';

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
		try {
			const jobId = requireJobId(this.getNodeParameter('jobId', i));
			await deleteJob(this, poolIdOf(this, i), jobId, { ...callOptionsOf({}), itemIndex: i });
			return [{ json: { jobId, deleted: true } }];
		} catch (error) {
			throw toNodeError(this.getNode(), error, i);
		}
	});
}
