import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { checkedBody, type FileBody } from './fileBody';
import { ParameterError } from './nodeErrors';
import { MAX_CHUNK_BYTES } from './pushParameters';

export type PushFileType = 'CSV' | 'PARQUET';

/**
 * A file an input item carries in a binary field, for an upload to Celonis: its name, type and size, and a
 * way to read it from the first byte as often as needed — never a buffer of the whole file. With n8n's
 * filesystem (or S3) binary data the bytes come from disk through `getBinaryStream`; in its database mode
 * n8n itself loads the file before streaming it (it keeps files there below 1 GiB); in the in-memory mode
 * the item's base64 text is decoded a window at a time.
 */
export interface InputFile {
	itemIndex: number;
	property: string;
	type: PushFileType;
	/** The file's name, or a generic one with the type's extension. */
	fileName: string;
	mimeType: string;
	/** Size in bytes. */
	size: number;
	read(): AsyncIterable<Uint8Array>;
}

const CSV_MIME =
	/^(text\/(csv|plain|tab-separated-values|x-csv|comma-separated-values)|application\/(csv|x-csv|vnd\.ms-excel))$/i;
const CSV_EXT = /\.(csv|tsv|txt)$/i;
const PARQUET_MIME = /^application\/(vnd\.apache\.parquet|x-parquet|parquet)$/i;
/** Pieces read from n8n's binary store (the stream's buffer size). */
const READ_PIECE_BYTES = 1024 * 1024;
/** Base64 characters decoded at a time (a multiple of 4: every window decodes on its own). */
const BASE64_WINDOW = 4 * 256 * 1024;

/**
 * The CSV or Parquet file of an item's binary field: the field must exist and hold CSV or Parquet
 * (`wanted`, or detected by the Parquet signature, the MIME type or the extension).
 */
export async function inputFileOf(
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
	const { size, read } = await bytesOf(ctx, meta);
	const head = await firstBytes(read, 4096);
	const type = detectFileType(head, meta, wanted, property, itemIndex);
	const fileName = meta.fileName ?? `file-${itemIndex + 1}.${type === 'CSV' ? 'csv' : 'parquet'}`;
	return {
		itemIndex,
		property,
		type,
		fileName,
		mimeType: meta.mimeType ?? '',
		size,
		read,
	};
}

async function bytesOf(
	ctx: IExecuteFunctions,
	meta: IBinaryData,
): Promise<{ size: number; read: () => AsyncIterable<Uint8Array> }> {
	const id = meta.id;
	if (id) {
		const { fileSize } = await ctx.helpers.getBinaryMetadata(id);
		return {
			size: fileSize,
			read: async function* () {
				const stream = await ctx.helpers.getBinaryStream(id, READ_PIECE_BYTES);
				yield* stream as AsyncIterable<Uint8Array>;
			},
		};
	}
	const base64 = meta.data ?? '';
	if (base64.length % 4 !== 0 || /[^A-Za-z0-9+/=]|=[^=]/.test(base64)) {
		// Not plain padded base64 (line breaks?): decoded whole, as n8n itself would.
		const bytes = Buffer.from(base64, 'base64');
		return {
			size: bytes.length,
			read: async function* () {
				yield bytes;
			},
		};
	}
	const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
	return {
		size: (base64.length / 4) * 3 - padding,
		read: async function* () {
			for (let at = 0; at < base64.length; at += BASE64_WINDOW)
				yield Buffer.from(base64.slice(at, at + BASE64_WINDOW), 'base64');
		},
	};
}

async function firstBytes(read: () => AsyncIterable<Uint8Array>, n: number): Promise<Buffer> {
	const pieces: Uint8Array[] = [];
	let length = 0;
	for await (const piece of read()) {
		pieces.push(piece);
		length += piece.length;
		if (length >= n) break;
	}
	return Buffer.concat(pieces).subarray(0, n);
}

/** The file as the body of one upload, read from n8n's binary store for every attempt. */
export function fileBodyOf(file: InputFile): FileBody {
	return checkedBody(
		{
			size: file.size,
			type: file.type === 'CSV' ? 'text/csv' : 'application/vnd.apache.parquet',
			read: () => file.read(),
		},
		file.fileName,
	);
}

/** Refuses a file that must go as one chunk but is not below Celonis' 1 GB limit; `advice` says what to do. */
export function assertOneChunk(file: InputFile, advice: string): void {
	if (file.size > MAX_CHUNK_BYTES)
		throw new ParameterError(
			`${file.fileName} has ${file.size.toLocaleString('en-US')} bytes, but Celonis accepts at most ${MAX_CHUNK_BYTES.toLocaleString('en-US')} bytes (1 GB) in one upload. ${advice}`,
			file.itemIndex,
		);
}

/** Whether a file is CSV or Parquet, by signature first; anything else is refused with what it is. */
function detectFileType(
	head: Buffer,
	meta: IBinaryData,
	wanted: 'auto' | PushFileType,
	property: string,
	itemIndex: number,
): PushFileType {
	const isParquet = head.length >= 4 && head.subarray(0, 4).toString('latin1') === 'PAR1';
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
	const looksText =
		!head.includes(0) &&
		!(head[0] === 0x50 && head[1] === 0x4b) &&
		!head.subarray(0, 5).equals(Buffer.from('%PDF-'));
	if (looksText && (wanted === 'CSV' || CSV_MIME.test(mime) || CSV_EXT.test(name))) return 'CSV';
	throw new ParameterError(
		`The binary field "${property}" holds ${what}, which is neither CSV nor Parquet. ` +
			'Push File to Table accepts CSV or Parquet files: convert spreadsheets with the Extract From File and Convert to File (CSV) nodes, or push the rows with "Push Items to Table".',
		itemIndex,
	);
}
