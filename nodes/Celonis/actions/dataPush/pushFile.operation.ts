import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createHash } from 'crypto';

import { DEFAULT_VARCHAR_LENGTH, MAX_VARCHAR_LENGTH } from '../../helpers/columns';
import { scanCsv } from '../../helpers/csvWriter';
import { readInputFile, type InputFile } from '../../helpers/inputFiles';
import { runAllItems } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import { columnOverridesOf, pushTargetOf, type PushOptions } from '../../helpers/pushParameters';
import { runJobPush } from '../../services/jobPush';
import type { JobSettings } from '../../transport/api/dataPush';
import {
	binaryPropertyProperty,
	columnTypesProperty,
	csvOptionsProperty,
	dataPoolLocator,
	keyColumnsProperty,
	modeProperty,
	pushOptions,
	tableNameProperty,
	upsertStrategyOption,
} from '../common.descriptions';

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
		const { poolId, table, mode, keys } = pushTargetOf(this, 0);
		const property = this.getNodeParameter('binaryPropertyName', 0, 'data') as string;
		const wanted = this.getNodeParameter('fileType', 0, 'auto') as 'auto' | 'CSV' | 'PARQUET';
		const options = this.getNodeParameter('options', 0, {}) as PushOptions;
		const csv = csvParsingOptionsOf(this.getNodeParameter('csvOptions', 0, {}) as IDataObject);

		// Check every file before anything is created in Celonis.
		const files: InputFile[] = [];
		for (let i = 0; i < items.length; i++)
			files.push(await readInputFile(this, i, property, wanted));
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
				for (const { buffer, fileName } of files) {
					const blob = new Blob([buffer], {
						type: fileType === 'CSV' ? 'text/csv' : 'application/vnd.apache.parquet',
					});
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
