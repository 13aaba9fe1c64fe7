/** Reads an uploaded chunk file (CSV with csvParsingOptions, or Parquet) into header + raw rows. */
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface CsvOptions {
	separatorSequence?: string;
	quoteSequence?: string;
	escapeSequence?: string;
	lineEnding?: string;
	decimalSeparator?: string;
	thousandSeparator?: string;
	dateFormat?: string;
	charSet?: string;
}

export interface ChunkData {
	columns: string[];
	rows: Record<string, unknown>[];
	/** CSV: values are strings, or null for an unquoted empty field */
	source: 'CSV' | 'PARQUET';
}

export class ChunkError extends Error {}

function unescapeSeq(s: string | undefined): string | undefined {
	if (s === undefined || s === null || s === '') return undefined;
	return s.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
}

/**
 * CSV rules: the first record is the header; an unquoted empty field is null, a quoted empty string ("") is ''.
 * Every record must have as many fields as the header.
 */
export async function readCsv(path: string, opts: CsvOptions = {}): Promise<ChunkData> {
	const rows: Record<string, unknown>[] = [];
	const columns = await forEachCsvRow(path, opts, (row) => rows.push(row));
	return { columns, rows, source: 'CSV' };
}

/**
 * readCsv one row at a time, nothing kept: for chunks whose rows are only counted. Returns the header. With
 * `emptyIsNull` false an unquoted empty field stays '' (csv-parse's per-field cast, which tells the two apart,
 * makes parsing ~15 times slower: too slow for gigabytes).
 */
export async function forEachCsvRow(
	path: string,
	opts: CsvOptions,
	onRow: (row: Record<string, unknown>) => void,
	emptyIsNull = true,
): Promise<string[]> {
	const encoding = /^(iso-8859-1|latin1|windows-1252)$/i.test(opts.charSet ?? '')
		? 'latin1'
		: 'utf8';
	const parser = createReadStream(path, { encoding }).pipe(
		parse({
			delimiter: unescapeSeq(opts.separatorSequence) ?? ',',
			quote: unescapeSeq(opts.quoteSequence) ?? '"',
			escape: unescapeSeq(opts.escapeSequence) ?? '"',
			record_delimiter: unescapeSeq(opts.lineEnding) ?? [],
			bom: true,
			skip_empty_lines: true,
			...(emptyIsNull
				? {
						cast: (value: string, context: { quoting: boolean }) =>
							value === '' && !context.quoting ? null : value,
					}
				: {}),
		}),
	);
	let header: string[] | undefined;
	try {
		await new Promise<void>((resolve, reject) => {
			parser.on('data', (rec: (string | null)[]) => {
				try {
					if (!header) {
						header = rec.map((h) => (h ?? '').trim());
						if (header.some((h) => h === ''))
							throw new ChunkError('CSV header contains an empty column name');
						if (new Set(header).size !== header.length)
							throw new ChunkError('CSV header contains duplicate column names');
						return;
					}
					const row: Record<string, unknown> = {};
					for (let i = 0; i < header.length; i++) row[header[i] as string] = rec[i] ?? null;
					onRow(row);
				} catch (e) {
					parser.destroy(e as Error);
				}
			});
			parser.on('end', resolve);
			parser.on('error', reject);
		});
	} catch (e) {
		if (e instanceof ChunkError) throw e;
		throw new ChunkError(`Could not parse CSV: ${(e as Error).message}`);
	}
	if (!header) throw new ChunkError('CSV chunk is empty (no header row)');
	return header;
}

export function readParquet(path: string): Promise<ChunkData> {
	return new Promise((resolve, reject) => {
		const w = new Worker(join(__dirname, 'parquetWorker.mjs'), { workerData: { path } });
		w.once(
			'message',
			(m: {
				ok: boolean;
				columns?: string[];
				rows?: Record<string, unknown>[];
				error?: string;
			}) => {
				void w.terminate();
				if (m.ok) resolve({ columns: m.columns ?? [], rows: m.rows ?? [], source: 'PARQUET' });
				else reject(new ChunkError(`Could not read Parquet file: ${m.error}`));
			},
		);
		w.once('error', (e) => reject(new ChunkError(`Could not read Parquet file: ${e.message}`)));
	});
}

export function isParquetMagic(head: Buffer): boolean {
	return head.length >= 4 && head.subarray(0, 4).toString('latin1') === 'PAR1';
}
