import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { ParameterError } from './nodeErrors';
import { MAX_CHUNK_BYTES } from './pushParameters';

export type PushFileType = 'CSV' | 'PARQUET';

export interface InputFile {
	buffer: Buffer;
	meta: IBinaryData;
	type: PushFileType;
	/** The file's name, or a generic one with the type's extension. */
	fileName: string;
}

const CSV_MIME =
	/^(text\/(csv|plain|tab-separated-values|x-csv|comma-separated-values)|application\/(csv|x-csv|vnd\.ms-excel))$/i;
const CSV_EXT = /\.(csv|tsv|txt)$/i;
const PARQUET_MIME = /^application\/(vnd\.apache\.parquet|x-parquet|parquet)$/i;

/**
 * Reads the CSV or Parquet file an item carries in a binary field, for an upload to Celonis: the field must
 * exist, the file must be below Celonis' 1 GB limit and be CSV or Parquet (`wanted`, or detected).
 */
export async function readInputFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	wanted: 'auto' | PushFileType = 'auto',
): Promise<InputFile> {
	if (!ctx.getInputData()[itemIndex]?.binary?.[property]) {
		throw new ParameterError(
			`The item has no binary field "${property}". Set "Input Binary Field" to the field that holds the file (e.g. data).`,
			itemIndex,
		);
	}
	const meta = ctx.helpers.assertBinaryData(itemIndex, property);
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	if (buffer.length > MAX_CHUNK_BYTES) {
		throw new ParameterError(
			`The file ${meta.fileName ?? ''} has ${buffer.length} bytes; Celonis accepts files below 1 GB. Split it into smaller files.`,
			itemIndex,
		);
	}
	const type = detectFileType(buffer, meta, wanted, property, itemIndex);
	const fileName = meta.fileName ?? `file-${itemIndex + 1}.${type === 'CSV' ? 'csv' : 'parquet'}`;
	return { buffer, meta, type, fileName };
}

/** Whether a file is CSV or Parquet, by signature first; anything else is refused with what it is. */
function detectFileType(
	buffer: Buffer,
	meta: IBinaryData,
	wanted: 'auto' | PushFileType,
	property: string,
	itemIndex: number,
): PushFileType {
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
				`The binary field "${property}" holds ${what}, which is not a Parquet file (no PAR1 signature).`,
				itemIndex,
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
		`The binary field "${property}" holds ${what}, which is neither CSV nor Parquet. ` +
			'Push File to Table accepts CSV or Parquet files: convert spreadsheets with the Extract From File and Convert to File (CSV) nodes, or push the rows with "Push Items to Table".',
		itemIndex,
	);
}
