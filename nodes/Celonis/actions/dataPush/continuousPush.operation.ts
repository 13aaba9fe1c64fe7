import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { MAX_VARCHAR_LENGTH } from '../../helpers/columns';
import { assertRowsFit, prepareRows, produceCsvChunks } from '../../helpers/csvRows';
import type { FileBody } from '../../helpers/fileBody';
import { assertOneChunk, fileBodyOf, inputFileOf } from '../../helpers/inputFiles';
import { runAllItems } from '../../helpers/itemRunner';
import { errorMayHaveActed, withOutcome } from '../../helpers/nodeErrors';
import { splitNames } from '../../helpers/parameters';
import {
	chunkBytesOf,
	poolIdOf,
	validateTableName,
	type PushOptions,
} from '../../helpers/pushParameters';
import { uploadContinuous } from '../../transport/api/continuousPush';
import { retryPolicyOf, type RetryOptionValues } from '../../transport/retry';
import {
	binaryPropertyProperty,
	dataPoolLocator,
	retryOptionProperties,
	tableNameProperty,
	upsertStrategyOption,
} from '../common.descriptions';

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
			...retryOptionProperties('batch upload'),
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

interface ContinuousOptions extends PushOptions, RetryOptionValues {
	clientId?: string;
	primaryKeys?: string;
}

/** One upload: a CSV batch of items, or one item's file. */
interface Batch {
	body: FileBody;
	fileName: string;
	rows: number | null;
	items: { from: number; to: number };
}

/**
 * Continuous Data Push: each batch is its own upload and lands on its own, so a failure reports which
 * batches (rows, items) landed before it. Resending a batch is safe when Primary Keys are set (rows are
 * upserted by key) or when Celonis said it did not take it (503); an answer lost after sending is not
 * resent without keys, as the batch may have landed and would then land twice.
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
		const qs: IDataObject = {
			targetName: table,
			clientId: options.clientId || 'n8n-nodes-celonis',
			...(options.connectionId ? { connectionId: options.connectionId.trim() } : {}),
			...(keys.length ? { primaryKeys: keys.join(',') } : {}),
			...(options.upsertStrategy ? { upsertStrategy: options.upsertStrategy } : {}),
		};
		const landed = new BatchProgress(this.getNode(), items.length, keys.length > 0);
		const send = async (batch: Batch) => {
			try {
				const response = await uploadContinuous(this, {
					poolId,
					qs,
					body: batch.body,
					fileName: batch.fileName,
					idempotent: keys.length > 0,
					retry: retryPolicyOf(options),
				});
				landed.add(batch, response);
			} catch (error) {
				throw landed.report(error, batch);
			}
		};

		if (source === 'file') {
			const property = this.getNodeParameter('binaryPropertyName', 0, 'data') as string;
			if (options.fallbackVarcharLength) qs.fallbackVarcharLength = options.fallbackVarcharLength;
			for (let i = 0; i < items.length; i++) {
				const file = await inputFileOf(this, i, property);
				assertOneChunk(file, 'Split it into smaller files.');
				await send({
					body: fileBodyOf(file),
					fileName: file.fileName,
					rows: null,
					items: { from: i, to: i },
				});
			}
		} else {
			const chunkBytes = chunkBytesOf(options);
			const prepared = prepareRows(items, options, keys, []);
			const { schema, columns } = prepared;
			if (schema.rows > 0) {
				assertRowsFit(items, prepared, chunkBytes);
				const longest = Math.max(0, ...columns.map((c) => c.fieldLength ?? 0));
				qs.fallbackVarcharLength =
					options.fallbackVarcharLength || Math.min(MAX_VARCHAR_LENGTH, longest || 80);
				await produceCsvChunks(
					items,
					columns,
					chunkBytes,
					async (chunk) =>
						await send({
							body: chunk.body,
							fileName: `items-${chunk.index + 1}.csv`,
							rows: chunk.rows,
							items: chunk.items!,
						}),
					() => false,
				);
			}
		}
		return {
			poolId,
			table,
			rows: source === 'file' ? null : landed.rows,
			uploads: landed.batches,
			bytes: landed.bytes,
			responses: landed.responses,
			durationMs: Date.now() - started,
		};
	});
}

/** What has landed so far, and how a failure is reported against it. */
class BatchProgress {
	batches = 0;
	rows = 0;
	bytes = 0;
	readonly responses: IDataObject[] = [];
	private lastItem = -1;

	constructor(
		private readonly node: INode,
		private readonly itemCount: number,
		private readonly idempotent: boolean,
	) {}

	add(batch: Batch, response: IDataObject): void {
		this.batches++;
		this.rows += batch.rows ?? 0;
		this.bytes += batch.body.size;
		this.responses.push(response);
		this.lastItem = batch.items.to;
	}

	/** The error of a failed batch, with what landed before it in its description and error item. */
	report(error: unknown, failed: Batch): Error {
		const mayHaveLanded = errorMayHaveActed(error);
		const range = (from: number, to: number) =>
			from === to ? `item ${from}` : `items ${from}–${to}`;
		const before =
			this.batches === 0
				? 'No batch had landed before the failure.'
				: `${this.batches} batch${this.batches === 1 ? '' : 'es'} (${this.rows} rows, ${range(0, this.lastItem)}) had landed in Celonis before the failure.`;
		const failedText = `batch ${this.batches + 1} (${range(failed.items.from, failed.items.to)})`;
		const rest =
			failed.items.to + 1 < this.itemCount
				? ` ${capitalize(range(failed.items.to + 1, this.itemCount - 1))} were not sent.`
				: '';
		const outcomeOfFailed = mayHaveLanded
			? `${capitalize(failedText)} may have landed: its answer was lost, so it was not sent again (it would land twice if it had).`
			: `${capitalize(failedText)} did not land.`;
		const advice = this.idempotent
			? ' With Primary Keys set, running the workflow again updates the rows that landed instead of adding them twice.'
			: mayHaveLanded
				? ' Before running again, check the table in Celonis, or set "Primary Keys" so that a resend updates rows instead of adding them.'
				: ' Running the workflow again sends every item again, and rows that landed would be added twice: push only the items that did not land, or set "Primary Keys" so that rows are updated instead.';
		const sentence = `${before} ${outcomeOfFailed}${rest}${advice}`;
		return withOutcome(this.node, error, sentence, {
			landed: {
				batches: this.batches,
				rows: this.rows,
				...(this.batches > 0 ? { items: { from: 0, to: this.lastItem } } : {}),
			},
			[mayHaveLanded ? 'mayHaveLanded' : 'notLanded']: {
				batch: this.batches + 1,
				items: failed.items,
			},
			...(rest
				? { notSent: { items: { from: failed.items.to + 1, to: this.itemCount - 1 } } }
				: {}),
		});
	}
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
