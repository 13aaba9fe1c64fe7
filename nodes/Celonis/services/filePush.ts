import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createHash } from 'crypto';

import { DEFAULT_VARCHAR_LENGTH, MAX_VARCHAR_LENGTH } from '../helpers/columns';
import {
	csvFileChunks,
	planCsvChunks,
	unsplittableReason,
	type CsvChunkPlan,
	type CsvDialect,
} from '../helpers/csvFile';
import {
	assertOneChunk,
	fileBodyOf,
	inputFileOf,
	type InputFile,
	type PushFileType,
} from '../helpers/inputFiles';
import { ParameterError } from '../helpers/nodeErrors';
import { splitNames } from '../helpers/parameters';
import {
	chunkBytesOf,
	columnOverridesOf,
	pushTargetOf,
	type PushOptions,
} from '../helpers/pushParameters';
import type { JobSettings } from '../transport/api/dataPush';
import { noRowsSummary, runJobPush, type PushSummary } from './jobPush';

/** How one file goes: cut into CSV chunks, or whole (Parquet, and CSV that cannot be cut) with its MD5. */
type FilePlan = { chunks: CsvChunkPlan } | { whole: { md5: string } };

/**
 * Push File to Table: the files of every item (one or several binary fields each) into one data push job.
 * Every file is read once before the job is created — its type, rows, longest field, where its chunks end,
 * and whether a row is too big for a chunk — then read again while it is uploaded: a CSV file as chunks cut
 * at row boundaries (held only while in flight), a Parquet file whole, streamed. No file is ever held whole.
 */
export async function pushFiles(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<PushSummary & { files: number }> {
	const started = Date.now();
	const target = pushTargetOf(ctx, 0);
	const properties = splitNames(ctx.getNodeParameter('binaryPropertyName', 0, 'data'));
	if (properties.length === 0)
		throw new ParameterError(
			'Enter the "Input Binary Field": the binary field(s) of the items that hold the files, e.g. data.',
		);
	const wanted = ctx.getNodeParameter('fileType', 0, 'auto') as 'auto' | PushFileType;
	const options = ctx.getNodeParameter('options', 0, {}) as PushOptions;
	const chunkBytes = chunkBytesOf(options);
	const csv = csvSettingsOf(ctx.getNodeParameter('csvOptions', 0, {}) as IDataObject);

	const files: InputFile[] = [];
	for (let i = 0; i < items.length; i++)
		for (const property of properties) files.push(await inputFileOf(ctx, i, property, wanted));
	const fileType = files[0]?.type ?? 'CSV';
	if (files.some((f) => f.type !== fileType))
		throw new ParameterError(
			'All files of one push must have the same type: CSV or Parquet, not both.',
		);
	const plans: FilePlan[] = [];
	for (const file of files) plans.push(await planFile(file, csv.dialect, chunkBytes));

	const cut = plans.filter((p): p is { chunks: CsvChunkPlan } => 'chunks' in p);
	const rows = cut.length === plans.length ? cut.reduce((n, p) => n + sum(p.chunks.rows), 0) : null;
	if (rows === 0)
		return {
			...noRowsSummary(
				target,
				started,
				'The files hold no rows (nothing, or only a header), so no job was created and the table was left unchanged.',
			),
			files: files.length,
		};
	let fallback = options.fallbackVarcharLength || undefined;
	if (fileType === 'CSV' && cut.length > 0) {
		const longest = Math.max(...cut.map((p) => p.chunks.maxFieldBytes));
		fallback ??= Math.min(MAX_VARCHAR_LENGTH, Math.max(DEFAULT_VARCHAR_LENGTH, longest));
	}
	const { poolId, table, mode, keys } = target;
	const overrides = columnOverridesOf(ctx).filter((o) => o.column && o.type && o.type !== 'auto');
	const settings: JobSettings = {
		targetName: table,
		type: mode,
		dataPoolId: poolId,
		fileType,
		...(keys.length > 0 ? { keys } : {}),
		...(options.connectionId ? { connectionId: options.connectionId.trim() } : {}),
		...(fileType === 'CSV' ? { csvParsingOptions: csv.parsing } : {}),
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
	const summary = await runJobPush(ctx, settings, 'upserted', options, async (_sink, uploader) => {
		let index = 0;
		for (const [f, file] of files.entries()) {
			const plan = plans[f];
			if ('whole' in plan) {
				await uploader.addFile(
					{ body: fileBodyOf(file), fileName: file.fileName, md5: plan.whole.md5 },
					file.size,
				);
				index++;
				continue;
			}
			for await (const chunk of csvFileChunks(file, plan.chunks, index)) {
				await uploader.add(chunk);
				index++;
				// The next chunk is read only once it could be sent: at most `concurrency` chunks are held.
				await uploader.ready();
			}
		}
	});
	return { ...summary, rows, files: files.length, durationMs: Date.now() - started };
}

/** The first read of a file: its chunk plan, or, for a file that goes whole, its size check and MD5. */
async function planFile(
	file: InputFile,
	dialect: CsvDialect,
	chunkBytes: number,
): Promise<FilePlan> {
	const reason = file.type === 'CSV' ? unsplittableReason(dialect) : undefined;
	if (file.type === 'CSV' && reason === undefined)
		return { chunks: await planCsvChunks(file, dialect, chunkBytes) };
	assertOneChunk(
		file,
		file.type === 'PARQUET'
			? 'A Parquet file is sent as it is: write it as several files below 1 GB (e.g. with a row group limit in the tool that writes it).'
			: `This CSV file cannot be cut into chunks, as ${reason}: convert it to UTF-8 with one-character separator and quote, or split it into files below 1 GB.`,
	);
	const hash = createHash('md5');
	let tail = Buffer.alloc(0);
	for await (const piece of file.read()) {
		hash.update(piece);
		tail = Buffer.concat([tail, piece.subarray(Math.max(0, piece.length - 4))]).subarray(-4);
	}
	if (file.type === 'PARQUET' && tail.toString('latin1') !== 'PAR1')
		throw new ParameterError(
			`${file.fileName} is not a complete Parquet file: it does not end with the PAR1 signature (was it cut off?).`,
			file.itemIndex,
		);
	return { whole: { md5: hash.digest('hex') } };
}

/** The CSV Options as Celonis' csvParsingOptions (defaults said explicitly) and as the dialect to cut by. */
function csvSettingsOf(raw: IDataObject): { parsing: IDataObject; dialect: CsvDialect } {
	const { headerRow, ...rest } = raw;
	const unescape = (v: IDataObject[string]) =>
		typeof v === 'string' ? v.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r') : v;
	const parsing: IDataObject = {
		separatorSequence: ',',
		quoteSequence: '"',
		escapeSequence: '"',
		lineEnding: '\n',
		charSet: 'UTF-8',
		decimalSeparator: '.',
	};
	for (const [k, v] of Object.entries(rest))
		if (v !== '' && v !== undefined && v !== null) parsing[k] = unescape(v);
	return {
		parsing,
		dialect: {
			separator: String(parsing.separatorSequence),
			quote: String(parsing.quoteSequence),
			escape: String(parsing.escapeSequence),
			lineEnding: String(parsing.lineEnding),
			charSet: String(parsing.charSet),
			headerRow: headerRow !== false,
		},
	};
}

function sum(values: number[]): number {
	return values.reduce((n, v) => n + v, 0);
}
