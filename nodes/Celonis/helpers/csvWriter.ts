import { createHash, type Hash } from 'crypto';

/**
 * A small RFC 4180 CSV writer (no runtime dependencies): comma-separated, fields with text always quoted
 * with `"` and inner quotes doubled, records ended by CRLF. An empty unquoted field is a null; a quoted
 * empty field `""` is the empty string — Celonis (and the emulator) read the two differently.
 */
export const CSV_SEPARATOR = ',';
export const CSV_QUOTE = '"';
export const CSV_LINE_ENDING = '\r\n';

const QUOTE_RE = /"/g;
const NEEDS_QUOTES_RE = /[",\r\n]|^\s|\s$/;

/** A text field, always quoted (so that '' stays distinct from null and whitespace is kept). */
export function quoteCsv(text: string): string {
	return text.indexOf('"') === -1 ? `"${text}"` : `"${text.replace(QUOTE_RE, '""')}"`;
}

/** A field that is usually bare (numbers, booleans, dates) but quoted when it has to be. */
export function bareOrQuotedCsv(text: string): string {
	return text === '' || NEEDS_QUOTES_RE.test(text) ? quoteCsv(text) : text;
}

/** One record from already formatted fields. */
export function csvRecord(fields: readonly string[]): string {
	return fields.join(CSV_SEPARATOR) + CSV_LINE_ENDING;
}

/** The csvParsingOptions of a Celonis data push job that match this writer, said explicitly. */
export function writerCsvParsingOptions(): {
	separatorSequence: string;
	quoteSequence: string;
	escapeSequence: string;
	lineEnding: string;
	charSet: string;
	decimalSeparator: string;
} {
	return {
		separatorSequence: CSV_SEPARATOR,
		quoteSequence: CSV_QUOTE,
		escapeSequence: CSV_QUOTE,
		lineEnding: CSV_LINE_ENDING,
		charSet: 'UTF-8',
		decimalSeparator: '.',
	};
}

export interface CsvChunk {
	/** 0-based position of the chunk in the push. */
	index: number;
	blob: Blob;
	bytes: number;
	rows: number;
	/** MD5 of the bytes (hex), to recognise the chunk in the job's chunk list. */
	md5: string;
	/** The input items whose rows the chunk holds (first and last index), when it was made from items. */
	items?: { from: number; to: number };
}

const PIECE_CHARS = 256 * 1024;

/**
 * Collects CSV records into chunks of at most `maxBytes` bytes, each a complete CSV file starting with the
 * header. Records are batched into strings of ~256 KB that become small Blobs at once (the text is dropped);
 * the chunk's Blob is composed of them, so a chunk costs about its own size in memory.
 */
export class CsvChunker {
	/** Pieces of ~256 KB as small Blobs: the chunk's Blob is composed of them without another copy. */
	private pieces: Blob[] = [];
	private text = '';
	private bytes = 0;
	private rows = 0;
	private hash: Hash | undefined;
	private next = 0;
	private readonly headerBytes: number;

	constructor(
		private readonly header: string,
		readonly maxBytes: number,
	) {
		this.headerBytes = Buffer.byteLength(header, 'utf8');
		if (this.headerBytes >= maxBytes) {
			throw new RangeError(
				`The header row alone (${this.headerBytes} bytes) does not fit into a chunk of ${maxBytes} bytes`,
			);
		}
	}

	/** Adds one record; returns the chunk that was completed to make room for it, if any. */
	add(record: string): CsvChunk | undefined {
		const recordBytes = Buffer.byteLength(record, 'utf8');
		if (this.headerBytes + recordBytes > this.maxBytes) {
			throw new RangeError(
				`A row of ${recordBytes} bytes does not fit into a chunk of ${this.maxBytes} bytes with its header`,
			);
		}
		let done: CsvChunk | undefined;
		if (this.rows > 0 && this.bytes + recordBytes > this.maxBytes) done = this.finish();
		if (this.rows === 0) this.start();
		this.text += record;
		this.bytes += recordBytes;
		this.rows++;
		if (this.text.length >= PIECE_CHARS) this.flushText();
		return done;
	}

	/** The last, partly filled chunk (undefined when no record is pending). */
	finish(): CsvChunk | undefined {
		if (this.rows === 0) return undefined;
		this.flushText();
		const chunk: CsvChunk = {
			index: this.next++,
			blob: new Blob(this.pieces, { type: 'text/csv' }),
			bytes: this.bytes,
			rows: this.rows,
			md5: this.hash!.digest('hex'),
		};
		this.pieces = [];
		this.rows = 0;
		this.bytes = 0;
		this.hash = undefined;
		return chunk;
	}

	private start(): void {
		this.hash = createHash('md5');
		this.text = this.header;
		this.bytes = this.headerBytes;
	}

	private flushText(): void {
		if (this.text === '') return;
		this.hash!.update(this.text, 'utf8');
		this.pieces.push(new Blob([this.text]));
		this.text = '';
	}
}

/**
 * The longest field of a CSV file in bytes and its number of records (header included), scanning bytes:
 * separator, quote and line breaks are single bytes in UTF-8 and Latin-1, so multi-byte characters never
 * confuse the scan. Empty lines are not records.
 */
export function scanCsv(
	data: Uint8Array,
	separator = ',',
	quote = '"',
): { maxFieldBytes: number; records: number } {
	const sep = separator.charCodeAt(0);
	const q = quote === '' ? -1 : quote.charCodeAt(0);
	let max = 0;
	let len = 0;
	let quoted = false;
	let records = 0;
	let recordHasContent = false;
	for (let i = 0; i < data.length; i++) {
		const b = data[i];
		if (quoted) {
			if (b === q) {
				if (data[i + 1] === q) {
					len++;
					i++;
				} else quoted = false;
			} else len++;
		} else if (b === q && len === 0) {
			quoted = true;
			recordHasContent = true;
		} else if (b === sep) {
			if (len > max) max = len;
			len = 0;
			recordHasContent = true;
		} else if (b === 10 || b === 13) {
			if (len > max) max = len;
			len = 0;
			if (recordHasContent) records++;
			recordHasContent = false;
		} else {
			len++;
			recordHasContent = true;
		}
	}
	if (recordHasContent) records++;
	return { maxFieldBytes: Math.max(max, len), records };
}
