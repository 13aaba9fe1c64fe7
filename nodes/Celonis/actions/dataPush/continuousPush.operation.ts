import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { MAX_VARCHAR_LENGTH } from '../../shared/columns';
import type { CsvChunk } from '../../shared/csv';
import { ParameterError } from '../../shared/parameters';
import { celonisRequest } from '../../transport';
import {
	callOptionsOf,
	chunkBytesOf,
	dataPoolLocator,
	MAX_CHUNK_BYTES,
	poolIdOf,
	runAllItems,
	splitNames,
	tableNameProperty,
	validateTableName,
	type PushOptions,
} from './common';
import { binaryPropertyProperty, detectFileType } from './pushFile.operation';
import { prepareRows, produceCsvChunks, upsertStrategyOption } from './pushItems.operation';

const properties: INodeProperties[] = [
	dataPoolLocator,
	tableNameProperty,
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'Binary File (CSV or Parquet)', value: 'file' },
			{ name: 'Items', value: 'items', description: 'The fields of the input items, as CSV' },
		],
		default: 'items',
	},
	{ ...binaryPropertyProperty, displayOptions: { show: { source: ['file'] } } },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Chunk Size (MB)',
				name: 'chunkSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.001, maxValue: 1023, numberPrecision: 3 },
				default: 50,
				description: 'Largest upload per request for items, in MB',
			},
			{
				displayName: 'Client ID',
				name: 'clientId',
				type: 'string',
				default: 'n8n-nodes-celonis',
				description: 'Identifies the pushing client in Celonis',
			},
			{ displayName: 'Data Connection ID', name: 'connectionId', type: 'string', default: '' },
			{
				displayName: 'Primary Keys',
				name: 'primaryKeys',
				type: 'string',
				default: '',
				placeholder: 'e.g. ORDER_ID',
				description:
					'Columns that identify a row (rows with the same keys are updated), comma-separated',
			},
			{
				displayName: 'Text Length (Fallback)',
				name: 'fallbackVarcharLength',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 65000 },
				default: 0,
				description:
					'VARCHAR length of text columns; 0 = the longest text of the items (at least 80)',
			},
			upsertStrategyOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['continuousPush'] } },
	properties,
);

interface ContinuousOptions extends PushOptions {
	clientId?: string;
	primaryKeys?: string;
}

/**
 * Continuous Data Push (celonis-api.md §6): files to `/continuous-batch-processing/api/v1/{pool}/items`;
 * Celonis buffers them and loads them into the table on its next flush.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runAllItems(this, items, async () => {
		const started = Date.now();
		const poolId = poolIdOf(this, 0);
		const table = validateTableName(this.getNodeParameter('tableName', 0));
		const source = this.getNodeParameter('source', 0, 'items') as string;
		const options = this.getNodeParameter('options', 0, {}) as ContinuousOptions;
		const keys = splitNames(options.primaryKeys);
		const call = callOptionsOf(options);
		const qs: IDataObject = {
			targetName: table,
			clientId: options.clientId || 'n8n-nodes-celonis',
			...(options.connectionId ? { connectionId: options.connectionId.trim() } : {}),
			...(keys.length ? { primaryKeys: keys.join(',') } : {}),
			...(options.upsertStrategy ? { upsertStrategy: options.upsertStrategy } : {}),
		};
		const uploads: IDataObject[] = [];
		let bytes = 0;
		const send = async (blob: Blob, fileName: string) => {
			const response = await celonisRequest.call(this, {
				method: 'POST',
				path: `/continuous-batch-processing/api/v1/${encodeURIComponent(poolId)}/items`,
				qs,
				makeBody: () => {
					const form = new FormData();
					form.append('file', blob, fileName);
					return form;
				},
				responseFormat: 'json',
				retry: { maxWaitMs: call.maxWaitMs },
			});
			uploads.push((response.body ?? {}) as IDataObject);
			bytes += blob.size;
		};

		let rows: number | null = 0;
		if (source === 'file') {
			rows = null;
			const property = this.getNodeParameter('binaryPropertyName', 0, 'data') as string;
			if (options.fallbackVarcharLength) qs.fallbackVarcharLength = options.fallbackVarcharLength;
			for (let i = 0; i < items.length; i++) {
				if (!items[i].binary?.[property])
					throw new ParameterError(`[item ${i}] The item has no binary field "${property}".`);
				const meta = this.helpers.assertBinaryData(i, property);
				const buffer = await this.helpers.getBinaryDataBuffer(i, property);
				if (buffer.length > MAX_CHUNK_BYTES)
					throw new ParameterError(
						`[item ${i}] The file has ${buffer.length} bytes; Celonis accepts files below 1 GB.`,
					);
				const type = detectFileType(buffer, meta, 'auto', property, i);
				await send(
					new Blob([buffer]),
					meta.fileName ?? (type === 'CSV' ? 'items.csv' : 'items.parquet'),
				);
			}
		} else {
			const chunkBytes = chunkBytesOf(options);
			const { schema, columns } = prepareRows(items, options, keys, []);
			rows = schema.rows;
			if (rows > 0) {
				const longest = Math.max(0, ...columns.map((c) => c.fieldLength ?? 0));
				qs.fallbackVarcharLength =
					options.fallbackVarcharLength || Math.min(MAX_VARCHAR_LENGTH, longest || 80);
				await produceCsvChunks(
					items,
					columns,
					chunkBytes,
					async (chunk: CsvChunk) => await send(chunk.blob, `items-${chunk.index + 1}.csv`),
					() => false,
				);
			}
		}
		return {
			poolId,
			table,
			rows,
			uploads: uploads.length,
			bytes,
			responses: uploads,
			durationMs: Date.now() - started,
		};
	});
}
