import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem, toNodeError } from '../../shared/items';
import { callOptionsOf, dataPoolLocator, poolIdOf } from './common';
import { listChunks } from './jobApi';
import { jobIdProperty, requireJobId } from './jobOperations';

const properties: INodeProperties[] = [dataPoolLocator, jobIdProperty];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['getChunks'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 5, async (i) => {
		try {
			const chunks = await listChunks(
				this,
				poolIdOf(this, i),
				requireJobId(this.getNodeParameter('jobId', i)),
				{ ...callOptionsOf({}), itemIndex: i },
			);
			return chunks.map((json) => ({ json }));
		} catch (error) {
			throw toNodeError(this.getNode(), error, i);
		}
	});
}
