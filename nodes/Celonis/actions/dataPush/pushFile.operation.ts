import { createHash } from 'crypto';
import {
	updateDisplayOptions,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_VARCHAR_LENGTH, MAX_VARCHAR_LENGTH } from '../../shared/columns';
import { scanCsv } from '../../shared/csv';
import { ParameterError } from '../../shared/parameters';
import {
	columnOverridesOf,
	columnTypesProperty,
	dataPoolLocator,
	keyColumnsProperty,
	MAX_CHUNK_BYTES,
	poolIdOf,
	pushOptions,
	runAllItems,
	splitNames,
	tableNameProperty,
	validateTableName,
	type PushOptions,
} from './common';
import type { JobSettings, JobType } from './jobApi';
import { runJobPush } from './lifecycle';
import { modeProperty, upsertStrategyOption } from './pushItems.operation';

export const binaryPropertyProperty: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	description: 'The binary property of the input items that holds the CSV or Parquet file',
};

export const csvOptionsProperty: INodeProperties = {
	displayName: 'CSV Options',
	name: 'csvOptions',
	type: 'collection',
	placeholder: 'Add CSV Option',
	default: {},
	description: 'How Celonis reads a CSV file (csvParsingOptions); ignored for Parquet',
	options: [
		{
			displayName: 'Character Set',
			name: 'charSet',
			type: 'string',
			default: 'UTF-8',
			placeholder: 'e.g. UTF-8 or ISO-8859-1',
		},
		{
			displayName: 'Date Format',
			name: 'dateFormat',
			type: 'string',
			default: '',
			placeholder: 'e.g. yyyy-MM-dd HH:mm:ss',
			description: 'Java date pattern of date columns',
		},
		{ displayName: 'Decimal Separator', name: 'decimalSeparator', type: 'string', default: '.' },
		{ displayName: 'Escape Character', name: 'escapeSequence', type: 'string', default: '"' },
		{
			displayName: 'Line Ending',
			name: 'lineEnding',
			type: 'options',
			options: [
				{ name: 'CRLF', value: '\r\n', description: 'Windows line breaks (\\r\\n)' },
				{ name: 'LF', value: '\n', description: 'Unix line breaks (\\n)' },
			],
			default: '\n',
		},
		{ displayName: 'Quote Character', name: 'quoteSequence', type: 'string', default: '"' },
		{
			displayName: 'Separator',
			name: 'separatorSequence',
			type: 'string',
			default: ',',
			description: 'Field separator, e.g. , or ; (use \\t for tab)',
		},
		{ displayName: 'Thousands Separator', name: 'thousandSeparator', type: 'string', default: '' },
	],
};

const properties: INodeProperties[] = [
	dataPoolLocator,
	tableNameProperty,
	modeProperty,
	{ ...keyColumnsProperty, displayOptions: { show: { mode: ['DELTA'] } } },
	binaryPropertyProperty,
	{
		displayName: 'File Type',
		name: 'fileType',
		type: 'options',
		options: [
			{
				name: 'Auto-Detect',
				value: 'auto',
				description: 'Parquet by its signature, CSV by its type or extension',
			},
			{ name: 'CSV', value: 'CSV' },
			{ name: 'Parquet', value: 'PARQUET' },
		],
		default: 'auto',
	},
	{ ...csvOptionsProperty, displayOptions: { hide: { fileType: ['PARQUET'] } } },
	columnTypesProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: (
			[
				...pushOptions.filter((o) => o.name !== 'chunkSizeMb' && o.name !== 'uploadConcurrency'),
				{
					displayName: 'Text Length (Fallback)',
					name: 'fallbackVarcharLength',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 65000 },
					default: 0,
					description:
						'VARCHAR length of text columns without a length; 0 = the longest field of the CSV file (at least 80). Parquet files otherwise get the Celonis default of 80.',
				},
				upsertStrategyOption,
			] as INodeProperties[]
		).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['pushFile'] } },
	properties,
);

const CSV_MIME =
	/^(text\/(csv|plain|tab-separated-values|x-csv|comma-separated-values)|application\/(csv|x-csv|vnd\.ms-excel))$/i;
const CSV_EXT = /\.(csv|tsv|txt)$/i;
const PARQUET_MIME = /^application\/(vnd\.apache\.parquet|x-parquet|parquet)$/i;

/** Whether a file is CSV or Parquet, by signature first; anything else is refused with what it is. */
export function detectFileType(
	buffer: Buffer,
	meta: IBinaryData,
	wanted: string,
	property: string,
	itemIndex: number,
): 'CSV' | 'PARQUET' {
	const isParquet =
		buffer.length >= 8 &&
		buffer.subarray(0, 4).toString('latin1') === 'PAR1' &&
		buffer.subarray(buffer.length - 4).toString('latin1') === 'PAR1';
	const name = meta.fileName ?? '(no name)';
	const mime = (meta.mimeType ?? '').split(';')[0].trim();
	const what = `${name}${mime ? ` (${mime})` : ''}`;
	if (
		wanted === 'PARQUET' ||
		(wanted === 'auto' && (isParquet || PARQUET_MIME.test(mime) || /\.parquet$/i.test(name)))
	) {
		if (!isParquet)
			throw new ParameterError(
				`[item ${itemIndex}] The binary field "${property}" holds ${what}, which is not a Parquet file (no PAR1 signature).`,
			);
		return 'PARQUET';
	}
	const sample = buffer.subarray(0, 4096);
	const looksText =
		!sample.includes(0) &&
		!(sample[0] === 0x50 && sample[1] === 0x4b) &&
		!sample.subarray(0, 5).equals(Buffer.from('%PDF-'));
	if (looksText && (wanted === 'CSV' || CSV_MIME.test(mime) || CSV_EXT.test(name))) return 'CSV';
	throw new ParameterError(
		`[item ${itemIndex}] The binary field "${property}" holds ${what}, which is neither CSV nor Parquet. ` +
			'Push File to Table accepts CSV or Parquet files: convert spreadsheets with the Extract From File and Convert to File (CSV) nodes, or push the rows with "Push Items to Table".',
	);
}

function csvParsingOptionsOf(raw: IDataObject): IDataObject {
	const unescape = (v: IDataObject[string]) =>
		typeof v === 'string' ? v.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r') : v;
	const out: IDataObject = {
		separatorSequence: ',',
		quoteSequence: '"',
		escapeSequence: '"',
		lineEnding: '\n',
		charSet: 'UTF-8',
		decimalSeparator: '.',
	};
	for (const [k, v] of Object.entries(raw))
		if (v !== '' && v !== undefined && v !== null) out[k] = unescape(v);
	return out;
}

/** Push File to Table: each item's file becomes one chunk of one job. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runAllItems(this, items, async () => {
		const started = Date.now();
		const poolId = poolIdOf(this, 0);
		const table = validateTableName(this.getNodeParameter('tableName', 0));
		const mode = this.getNodeParameter('mode', 0, 'REPLACE') as JobType;
		const keys = mode === 'DELTA' ? splitNames(this.getNodeParameter('keyColumns', 0, '')) : [];
		if (mode === 'DELTA' && keys.length === 0)
			throw new ParameterError(
				'A Delta push needs "Key Columns": the columns that identify a row.',
			);
		const property = this.getNodeParameter('binaryPropertyName', 0, 'data') as string;
		const wanted = this.getNodeParameter('fileType', 0, 'auto') as string;
		const options = this.getNodeParameter('options', 0, {}) as PushOptions;
		const csv = csvParsingOptionsOf(this.getNodeParameter('csvOptions', 0, {}) as IDataObject);

		// Check every file before anything is created in Celonis.
		const files: Array<{ buffer: Buffer; meta: IBinaryData; type: 'CSV' | 'PARQUET' }> = [];
		for (let i = 0; i < items.length; i++) {
			if (!items[i].binary?.[property]) {
				throw new ParameterError(
					`[item ${i}] The item has no binary field "${property}". Set "Input Binary Field" to the field that holds the file (e.g. data).`,
				);
			}
			const meta = this.helpers.assertBinaryData(i, property);
			const buffer = await this.helpers.getBinaryDataBuffer(i, property);
			if (buffer.length > MAX_CHUNK_BYTES) {
				throw new ParameterError(
					`[item ${i}] The file ${meta.fileName ?? ''} has ${buffer.length} bytes; Celonis accepts chunks below 1 GB. Split it into smaller files.`,
				);
			}
			files.push({ buffer, meta, type: detectFileType(buffer, meta, wanted, property, i) });
		}
		const fileType = files[0]?.type ?? 'CSV';
		if (files.some((f) => f.type !== fileType))
			throw new ParameterError(
				'All files of one push must have the same type: CSV or Parquet, not both.',
			);

		let fallback = options.fallbackVarcharLength || undefined;
		let rows: number | null = null;
		if (fileType === 'CSV') {
			const scans = files.map((f) =>
				scanCsv(f.buffer, String(csv.separatorSequence), String(csv.quoteSequence)),
			);
			rows = scans.reduce((sum, s) => sum + Math.max(0, s.records - 1), 0);
			const longest = Math.max(0, ...scans.map((s) => s.maxFieldBytes));
			fallback ??= Math.min(MAX_VARCHAR_LENGTH, Math.max(DEFAULT_VARCHAR_LENGTH, longest));
		}
		const overrides = columnOverridesOf(this).filter(
			(o) => o.column && o.type && o.type !== 'auto',
		);
		const settings: JobSettings = {
			targetName: table,
			type: mode,
			dataPoolId: poolId,
			fileType,
			...(keys.length > 0 ? { keys } : {}),
			...(options.connectionId ? { connectionId: options.connectionId.trim() } : {}),
			...(fileType === 'CSV' ? { csvParsingOptions: csv } : {}),
			...(fallback ? { fallbackVarcharLength: fallback } : {}),
			...(overrides.length > 0
				? {
						tableSchema: {
							tableName: table,
							columns: overrides.map((o) => ({
								columnName: o.column,
								columnType: o.type as string,
								...(o.fieldLength ? { fieldLength: o.fieldLength } : {}),
								...(keys.includes(o.column) ? { pkField: true } : {}),
							})),
						},
					}
				: {}),
			...(options.upsertStrategy ? { upsertStrategy: options.upsertStrategy } : {}),
		};
		const summary = await runJobPush(
			this,
			settings,
			'upserted',
			{ ...options, uploadConcurrency: 1 },
			async (_sink, uploader) => {
				for (let i = 0; i < files.length; i++) {
					const { buffer, meta } = files[i];
					const blob = new Blob([buffer], {
						type: fileType === 'CSV' ? 'text/csv' : 'application/vnd.apache.parquet',
					});
					const fileName =
						meta.fileName ?? `file-${i + 1}.${fileType === 'CSV' ? 'csv' : 'parquet'}`;
					await uploader.addFile(
						{ blob, fileName, md5: createHash('md5').update(buffer).digest('hex') },
						buffer.length,
					);
				}
			},
		);
		return { ...summary, rows, files: files.length, durationMs: Date.now() - started };
	});
}
