import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createHash } from 'crypto';

import { readInputFile } from '../../helpers/inputFiles';
import { runPerItem } from '../../helpers/itemRunner';
import { poolIdOf, requireJobId } from '../../helpers/pushParameters';
import { uploadChunk, type ChunkKind } from '../../transport/api/dataPush';
import { binaryPropertyProperty, dataPoolLocator, jobIdProperty } from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	jobIdProperty,
	{
		displayName: 'Chunk Type',
		name: 'chunkType',
		type: 'options',
		options: [
			{ name: 'Delete (Rows to Remove by Key)', value: 'deleted' },
			{ name: 'Upsert (Rows to Insert or Update)', value: 'upserted' },
		],
		default: 'upserted',
	},
	binaryPropertyProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['uploadChunk'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const poolId = poolIdOf(this, i);
		const jobId = requireJobId(this.getNodeParameter('jobId', i));
		const kind = this.getNodeParameter('chunkType', i, 'upserted') as ChunkKind;
		const property = this.getNodeParameter('binaryPropertyName', i, 'data') as string;
		const { buffer, fileName } = await readInputFile(this, i, property);
		const md5 = createHash('md5').update(buffer).digest('hex');
		const body = await uploadChunk(
			this,
			poolId,
			jobId,
			kind,
			{ blob: new Blob([buffer]), fileName, md5 },
			{ itemIndex: i },
		);
		return [
			{
				json: {
					jobId,
					type: kind === 'deleted' ? 'DELETE' : 'UPSERT',
					bytes: buffer.length,
					fileName,
					...body,
				},
			},
		];
	});
}
