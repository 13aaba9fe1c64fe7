import {
	sleep,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	dateColumnOptions,
	DATETIME_FORMAT,
	RowWriter,
	SchemaBuilder,
	type ColumnSpec,
} from '../../shared/columns';
import { CsvChunker, writerCsvParsingOptions, type CsvChunk } from '../../shared/csv';
import { ParameterError } from '../../shared/parameters';
import {
	chunkBytesOf,
	columnOverridesOf,
	columnTypesProperty,
	dataPoolLocator,
	keyColumnsProperty,
	poolIdOf,
	pushOptions,
	runAllItems,
	splitNames,
	tableNameProperty,
	validateTableName,
	type PushOptions,
	type PushSummary,
} from './common';
import type { JobSettings, JobType } from './jobApi';
import { runJobPush } from './lifecycle';

export const modeProperty: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	options: [
		{
			name: 'Delta (Upsert by Key)',
			value: 'DELTA',
			description: 'Insert new rows and update rows whose key columns match',
		},
		{
			name: 'Replace',
			value: 'REPLACE',
			description: 'The table afterwards holds exactly the pushed rows',
		},
	],
	default: 'REPLACE',
};

export const upsertStrategyOption: INodeProperties = {
	displayName: 'Upsert Strategy',
	name: 'upsertStrategy',
	type: 'options',
	options: [
		{ name: 'Celonis Default', value: '' },
		{ name: 'Keep Unchanged Metadata', value: 'UPSERT_WITH_UNCHANGED_METADATA' },
		{ name: 'Nullify Missing Columns', value: 'UPSERT_WITH_NULLIFICATION' },
	],
	default: '',
	description: 'How a Delta push updates a row that exists (upsertStrategy)',
};

const properties: INodeProperties[] = [
	dataPoolLocator,
	tableNameProperty,
	modeProperty,
	{ ...keyColumnsProperty, displayOptions: { show: { mode: ['DELTA'] } } },
	columnTypesProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: (
			[
				...pushOptions,
				{
					displayName: 'Infer Dates',
					name: 'inferDates',
					type: 'boolean',
					default: true,
					description:
						'Whether text fields holding only ISO dates (2024-01-31) or date-times (2024-01-31T08:00:00Z) become DATE / DATETIME columns',
				},
				{
					displayName: 'Nested Values',
					name: 'nestedValues',
					type: 'options',
					options: [
						{
							name: 'Fail',
							value: 'error',
							description: 'Objects and lists in fields stop the push with the item that has them',
						},
						{
							name: 'Write as JSON Text',
							value: 'jsonText',
							description: 'Objects and lists become JSON text in a text column',
						},
					],
					default: 'error',
				},
				upsertStrategyOption,
			] as INodeProperties[]
		).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['pushItems'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runAllItems(this, items, async () => await pushItems(this, items, 'upserted'));
}

export interface PreparedRows {
	schema: SchemaBuilder;
	columns: ColumnSpec[];
	warnings: string[];
}

/** Pass 1 over the items: columns, types, lengths; key columns present in every row. */
export function prepareRows(
	items: INodeExecutionData[],
	options: PushOptions,
	keys: string[],
	overrides: Parameters<SchemaBuilder['build']>[0],
): PreparedRows {
	const schema = new SchemaBuilder({
		nested: options.nestedValues ?? 'error',
		inferDates: options.inferDates !== false,
	});
	const missing: Record<string, number[]> = {};
	let missingCount = 0;
	for (let i = 0; i < items.length; i++) {
		const row = items[i].json;
		if (!schema.observe(row, i)) continue;
		for (const k of keys) {
			if (row[k] === null || row[k] === undefined || row[k] === '') {
				(missing[k] ??= []).push(i);
				missingCount++;
			}
		}
	}
	if (schema.rows === 0) return { schema, columns: [], warnings: [] };
	for (const k of keys) {
		if (!schema.columns.includes(k)) {
			throw new ParameterError(
				`The key column "${k}" is not a field of any input item. Fields: ${schema.columns.join(', ')}.`,
			);
		}
	}
	if (missingCount > 0) {
		const [k, list] = Object.entries(missing)[0];
		throw new ParameterError(
			`[item ${list[0]}] The key column "${k}" has no value in ${list.length} of ${schema.rows} items (items ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}). ` +
				'Rows are matched by their keys: give every item a value for each key column, or remove the items without one (e.g. with the Filter node).',
		);
	}
	if (schema.columns.length === 1) {
		// With one column a null is an empty CSV line, which CSV readers skip: the row would be lost.
		const [only] = schema.columns;
		const at = items.findIndex(
			({ json }) => hasFields(json) && (json[only] === null || json[only] === undefined),
		);
		if (at >= 0) {
			throw new ParameterError(
				`[item ${at}] "${only}" is empty (null), and it is the only column: its CSV line would be empty and Celonis skips empty lines, so the row would be lost. Give it a value, or push a second column (e.g. a load timestamp).`,
			);
		}
	}
	const { columns, warnings } = schema.build(overrides, keys);
	return { schema, columns, warnings };
}

function hasFields(row: IDataObject): boolean {
	for (const _ in row) return true;
	return false;
}

/** Pass 2: CSV records into byte-sized chunks, handed to the uploader as they fill. */
export async function produceCsvChunks(
	items: INodeExecutionData[],
	columns: ColumnSpec[],
	chunkBytes: number,
	sink: (chunk: CsvChunk) => Promise<void>,
	busy: () => boolean,
): Promise<void> {
	const writer = new RowWriter(columns);
	const headerBytes = Buffer.byteLength(writer.header, 'utf8');
	if (headerBytes >= chunkBytes)
		throw new ParameterError(
			`"Chunk Size (MB)" is too small: the header row alone has ${headerBytes} bytes.`,
		);
	const chunker = new CsvChunker(writer.header, chunkBytes);
	// Which items each chunk holds, so a failure can say which items landed.
	let first = -1;
	let previous = -1;
	for (let i = 0; i < items.length; i++) {
		const row = items[i].json;
		if (!hasFields(row)) continue;
		const record = writer.record(row);
		const recordBytes =
			record.length * 3 + headerBytes <= chunkBytes ? 0 : Buffer.byteLength(record, 'utf8');
		if (recordBytes + headerBytes > chunkBytes) {
			throw new ParameterError(
				`[item ${i}] The row has ${recordBytes} bytes as CSV, more than fits into a chunk of ${chunkBytes} bytes: raise "Chunk Size (MB)".`,
			);
		}
		const done = chunker.add(record);
		if (first < 0) first = i;
		if (done) {
			await sink({ ...done, items: { from: first, to: previous } });
			first = i;
		}
		// Let uploads in flight make progress while the next chunk is built.
		else if ((i & 8191) === 0 && busy()) await sleep(0);
		previous = i;
	}
	const last = chunker.finish();
	if (last) await sink({ ...last, items: { from: first, to: previous } });
}

/** Push Items to Table and Delete Rows: items → CSV chunks → one data push job. */
export async function pushItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	kind: 'deleted' | 'upserted',
): Promise<PushSummary> {
	const started = Date.now();
	const poolId = poolIdOf(ctx, 0);
	const table = validateTableName(ctx.getNodeParameter('tableName', 0));
	const mode: JobType =
		kind === 'deleted'
			? 'DELTA'
			: (ctx.getNodeParameter('mode', 0, 'REPLACE') as JobType) === 'DELTA'
				? 'DELTA'
				: 'REPLACE';
	const options = ctx.getNodeParameter('options', 0, {}) as PushOptions;
	const chunkBytes = chunkBytesOf(options);
	const keys = mode === 'DELTA' ? splitNames(ctx.getNodeParameter('keyColumns', 0, '')) : [];
	if (mode === 'DELTA' && keys.length === 0) {
		throw new ParameterError(
			kind === 'deleted'
				? 'Enter the "Key Columns": the fields of the items that identify the rows to delete.'
				: 'A Delta push needs "Key Columns": the fields that identify a row, so Celonis can update it. Use the mode Replace to overwrite the whole table instead.',
		);
	}
	const overrides = kind === 'deleted' ? [] : columnOverridesOf(ctx);
	// Delete Rows sends only the key columns.
	const source =
		kind === 'deleted' ? items.map((item) => ({ json: pick(item.json, keys) })) : items;
	const { schema, columns, warnings } = prepareRows(source, options, keys, overrides);
	if (schema.rows === 0) {
		return {
			jobId: null,
			poolId,
			table,
			mode,
			rows: 0,
			chunks: 0,
			bytes: 0,
			status: 'NO_ROWS',
			durationMs: Date.now() - started,
			logs: [
				'No input item had any field, so no job was created and the table was left unchanged.',
			],
		};
	}
	for (const message of warnings)
		ctx.addExecutionHints({ message, type: 'warning', location: 'outputPane' });

	const settings: JobSettings = {
		targetName: table,
		type: mode,
		dataPoolId: poolId,
		fileType: 'CSV',
		...(keys.length > 0 ? { keys } : {}),
		...(options.connectionId ? { connectionId: options.connectionId.trim() } : {}),
		// Delete chunks match rows of the existing table: its column types apply.
		...(kind === 'upserted' ? { tableSchema: { tableName: table, columns } } : {}),
		csvParsingOptions: {
			...writerCsvParsingOptions(),
			dateFormat: DATETIME_FORMAT,
			additionalColumnOptions: dateColumnOptions(columns),
		},
		...(options.upsertStrategy ? { upsertStrategy: options.upsertStrategy } : {}),
	};
	const summary = await runJobPush(ctx, settings, kind, options, async (sink, uploader) => {
		await produceCsvChunks(source, columns, chunkBytes, sink, () => uploader.busy);
	});
	return {
		...summary,
		...(warnings.length > 0 ? { warnings } : {}),
		durationMs: Date.now() - started,
	};
}

function pick(row: IDataObject, keys: string[]): IDataObject {
	const out: IDataObject = {};
	if (!hasFields(row)) return out;
	for (const k of keys) out[k] = row[k] ?? null;
	return out;
}
