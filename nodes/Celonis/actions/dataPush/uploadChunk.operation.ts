import { createHash } from 'crypto';
import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem, toNodeError } from '../../shared/items';
import { ParameterError } from '../../shared/parameters';
import { callOptionsOf, dataPoolLocator, MAX_CHUNK_BYTES, poolIdOf } from './common';
import { uploadChunk, type ChunkKind } from './jobApi';
import { jobIdProperty, requireJobId } from './jobOperations';
import { binaryPropertyProperty, detectFileType } from './pushFile.operation';

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
		try {
			const poolId = poolIdOf(this, i);
			const jobId = requireJobId(this.getNodeParameter('jobId', i));
			const kind = this.getNodeParameter('chunkType', i, 'upserted') as ChunkKind;
			const property = this.getNodeParameter('binaryPropertyName', i, 'data') as string;
			if (!items[i].binary?.[property])
				throw new ParameterError(`[item ${i}] The item has no binary field "${property}".`);
			const meta = this.helpers.assertBinaryData(i, property);
			const buffer = await this.helpers.getBinaryDataBuffer(i, property);
			if (buffer.length > MAX_CHUNK_BYTES)
				throw new ParameterError(
					`[item ${i}] The chunk has ${buffer.length} bytes; Celonis accepts chunks below 1 GB.`,
				);
			const type = detectFileType(buffer, meta, 'auto', property, i);
			const fileName = meta.fileName ?? (type === 'CSV' ? 'chunk.csv' : 'chunk.parquet');
			const md5 = createHash('md5').update(buffer).digest('hex');
			const body = await uploadChunk(
				this,
				poolId,
				jobId,
				kind,
				{ blob: new Blob([buffer]), fileName, md5 },
				{ ...callOptionsOf({}), itemIndex: i },
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
		} catch (error) {
			throw toNodeError(this.getNode(), error, i);
		}
	});
}
