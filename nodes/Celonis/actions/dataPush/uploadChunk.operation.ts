import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createHash } from 'crypto';

import { assertOneChunk, fileBodyOf, inputFileOf } from '../../helpers/inputFiles';
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
		const file = await inputFileOf(this, i, property);
		assertOneChunk(
			file,
			'Push it with "Push File to Table", which cuts CSV files into chunks, or split it into smaller files.',
		);
		// Read once for the checksum (to recognise the chunk after a lost answer), then again as it is sent.
		const hash = createHash('md5');
		for await (const piece of file.read()) hash.update(piece);
		const body = await uploadChunk(
			this,
			poolId,
			jobId,
			kind,
			{ body: fileBodyOf(file), fileName: file.fileName, md5: hash.digest('hex') },
			{ itemIndex: i },
		);
		return [
			{
				json: {
					jobId,
					type: kind === 'deleted' ? 'DELETE' : 'UPSERT',
					bytes: file.size,
					fileName: file.fileName,
					...body,
				},
			},
		];
	});
}
