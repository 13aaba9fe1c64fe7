import { createHash } from 'crypto';

import type { CsvChunk } from './csvWriter';
import { piecesBody } from './fileBody';
import type { InputFile } from './inputFiles';
import { ParameterError } from './nodeErrors';

/**
 * CSV files cut into chunks at row boundaries, in two reads of the file and without ever holding it:
 * the first read (planCsvChunks) finds the records — a quoted field may hold separators and line breaks,
 * a doubled quote (or the escape character) does not end it — and decides where each chunk ends; the
 * second (csvFileChunks) slices the bytes there. Every chunk is the header followed by whole records, so
 * each is a complete CSV file for Celonis. Bytes are scanned, not characters: separator, quote, escape and
 * line ending are ASCII and so single bytes in UTF-8 and the ISO-8859 family, and never part of a
 * multi-byte character.
 */
export interface CsvDialect {
	separator: string;
	quote: string;
	escape: string;
	lineEnding: string;
	charSet: string;
	/** Whether the first (non-empty) record names the columns; otherwise COLUMN_1, COLUMN_2, … are used. */
	headerRow: boolean;
}

export interface CsvChunkPlan {
	/** The header every chunk starts with (the file's first record without a BOM, or a generated one). */
	header: Uint8Array;
	/** Offset of the first byte after the header (and BOM). */
	dataStart: number;
	/** Where each chunk ends (exclusive offsets, ascending); chunk k starts where chunk k-1 ended. */
	ends: number[];
	/** Rows (non-empty records) per chunk. */
	rows: number[];
	/** Bytes of each chunk, its header included. */
	bytes: number[];
	/** The longest field of the file in bytes (for a text column length). */
	maxFieldBytes: number;
	/** The file's size as read. */
	size: number;
}

/** Why a file cannot be cut with this dialect (then it is sent whole), or undefined. */
export function unsplittableReason(dialect: CsvDialect): string | undefined {
	if (/^(utf-?(16|32)|ucs-?[24])/i.test(dialect.charSet.trim()))
		return `its character set ${dialect.charSet} encodes separators and line breaks in more than one byte`;
	const ascii = (s: string) => [...s].every((c) => c.charCodeAt(0) < 128);
	const one = (s: string) => s.length === 1 && ascii(s);
	if (!one(dialect.separator) || !one(dialect.quote) || !one(dialect.escape))
		return 'its separator, quote or escape character is not a single ASCII character';
	if (dialect.lineEnding.length < 1 || dialect.lineEnding.length > 2 || !ascii(dialect.lineEnding))
		return 'its line ending is not one or two ASCII characters';
	return undefined;
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: its end, or (when the escape is the quote) the first of a doubled quote. */
const QUOTE_SEEN = 3;
/** The escape character inside a quoted field (when it is not the quote): the next byte is literal. */
const ESCAPED = 4;

/**
 * Finds the records of a CSV byte stream, piece by piece (a record, a quoted field or a CRLF may span
 * pieces). Calls `onRecord(start, end)` with the file offsets of each record, its line ending included.
 */
export class CsvRecordScanner {
	private readonly sep: number;
	private readonly quote: number;
	private readonly escape: number;
	private readonly lineLast: number;
	private readonly lineFirst: number;
	private state = FIELD_START;
	private previous = -1;
	private offset = 0;
	private recordStart = 0;
	private fieldBytes = 0;
	maxFieldBytes = 0;
	/** Fields of the current record so far (separators + 1). */
	fields = 1;

	constructor(
		dialect: Pick<CsvDialect, 'separator' | 'quote' | 'escape' | 'lineEnding'>,
		private readonly onRecord: (start: number, end: number, fields: number) => void,
		start = 0,
	) {
		this.sep = dialect.separator.charCodeAt(0);
		this.quote = dialect.quote.charCodeAt(0);
		this.escape = dialect.escape.charCodeAt(0);
		const line = dialect.lineEnding;
		this.lineLast = line.charCodeAt(line.length - 1);
		this.lineFirst = line.length === 2 ? line.charCodeAt(0) : -1;
		this.offset = start;
		this.recordStart = start;
	}

	scan(piece: Uint8Array): void {
		const { sep, quote, escape, lineLast, lineFirst } = this;
		const escapeIsQuote = escape === quote;
		let state = this.state;
		let previous = this.previous;
		let fieldBytes = this.fieldBytes;
		const base = this.offset;
		const n = piece.length;
		for (let i = 0; i < n; i++) {
			const b = piece[i];
			if (state === QUOTED) {
				if (b === quote) state = QUOTE_SEEN;
				else if (b === escape && !escapeIsQuote) state = ESCAPED;
				else fieldBytes++;
				previous = b;
				continue;
			}
			if (state === ESCAPED) {
				fieldBytes++;
				state = QUOTED;
				previous = b;
				continue;
			}
			if (state === QUOTE_SEEN) {
				if (b === quote && escapeIsQuote) {
					fieldBytes++;
					state = QUOTED;
					previous = b;
					continue;
				}
				state = UNQUOTED;
			}
			if (b === quote && state === FIELD_START) {
				state = QUOTED;
			} else if (b === sep) {
				if (fieldBytes > this.maxFieldBytes) this.maxFieldBytes = fieldBytes;
				fieldBytes = 0;
				this.fields++;
				state = FIELD_START;
			} else if (b === lineLast && (lineFirst < 0 || previous === lineFirst)) {
				// The first byte of a two-byte line ending was counted into the field: take it out.
				if (lineFirst >= 0) fieldBytes--;
				if (fieldBytes > this.maxFieldBytes) this.maxFieldBytes = fieldBytes;
				fieldBytes = 0;
				const end = base + i + 1;
				this.onRecord(this.recordStart, end, this.fields);
				this.recordStart = end;
				this.fields = 1;
				state = FIELD_START;
				// A line ending's last byte never starts the next one.
				previous = -1;
				continue;
			} else {
				fieldBytes++;
				state = UNQUOTED;
			}
			previous = b;
		}
		this.state = state;
		this.previous = previous;
		this.fieldBytes = fieldBytes;
		this.offset = base + n;
	}

	/** Bytes of the record not yet ended. */
	get openRecordBytes(): number {
		return this.offset - this.recordStart;
	}

	/** The end of the stream: a last record without a line ending is a record too. */
	finish(): number {
		if (this.fieldBytes > this.maxFieldBytes) this.maxFieldBytes = this.fieldBytes;
		if (this.offset > this.recordStart) this.onRecord(this.recordStart, this.offset, this.fields);
		this.recordStart = this.offset;
		return this.offset;
	}
}

const BOM = [0xef, 0xbb, 0xbf];

/** An empty piece that marks the end of a file's pieces. */
const END = new Uint8Array(0);

async function* withEnd(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
	yield* pieces;
	yield END;
}

function isUtf8(charSet: string): boolean {
	return charSet.trim() === '' || /^utf-?8$/i.test(charSet.trim());
}

/**
 * First read: where the chunks of at most `chunkBytes` bytes (header included) end, how many rows each
 * holds, and the header. A record that cannot fit into a chunk with the header is refused here, before
 * anything is sent, with its row number and size.
 */
export async function planCsvChunks(
	file: InputFile,
	dialect: CsvDialect,
	chunkBytes: number,
): Promise<CsvChunkPlan> {
	const lineLength = dialect.lineEnding.length;
	const plan: CsvChunkPlan = {
		header: new Uint8Array(0),
		dataStart: 0,
		ends: [],
		rows: [],
		bytes: [],
		maxFieldBytes: 0,
		size: 0,
	};
	let headerFound = false;
	let headerBytes = 0;
	let headerRange: [number, number] | undefined;
	let chunkStart = -1;
	let chunkRows = 0;
	let row = 0;
	const fail = (message: string) => new ParameterError(message, file.itemIndex);
	const closeChunk = (end: number) => {
		plan.ends.push(end);
		plan.rows.push(chunkRows);
		plan.bytes.push(headerBytes + end - chunkStart);
		chunkStart = end;
		chunkRows = 0;
	};
	const tooLong = (recordBytes: number, unfinished = false) =>
		fail(
			`Row ${row + 1} of ${file.fileName} has ${unfinished ? 'more than ' : ''}${recordBytes} bytes, more than fits into a chunk of ${chunkBytes} bytes with the header (${headerBytes} bytes). Raise "Chunk Size (MB)" (at most 1023), or check the CSV Options: a wrong quote character or line ending makes many lines look like one row.`,
		);
	const onRecord = (start: number, end: number, fields: number) => {
		const empty = end - start <= lineLength;
		if (!headerFound) {
			// Empty lines before the header are skipped by CSV readers; so is everything up to it here.
			if (empty) {
				plan.dataStart = end;
				return;
			}
			headerFound = true;
			if (dialect.headerRow) {
				headerRange = [start, end];
				headerBytes = end - start;
				plan.dataStart = end;
			} else {
				const names = Array.from({ length: fields }, (_, i) => `COLUMN_${i + 1}`);
				plan.header = Buffer.from(names.join(dialect.separator) + dialect.lineEnding, 'latin1');
				headerBytes = plan.header.length;
				plan.dataStart = start;
			}
			if (headerBytes >= chunkBytes)
				throw fail(
					`The header row of ${file.fileName} has ${headerBytes} bytes: it does not fit into a chunk of ${chunkBytes} bytes. Raise "Chunk Size (MB)".`,
				);
			chunkStart = plan.dataStart;
			if (dialect.headerRow) return;
		}
		const recordBytes = end - start;
		if (headerBytes + recordBytes > chunkBytes) throw tooLong(recordBytes);
		if (!empty) row++;
		if (start > chunkStart && headerBytes + (end - chunkStart) > chunkBytes) closeChunk(start);
		if (!empty) chunkRows++;
	};
	let start = 0;
	let scanner: CsvRecordScanner | undefined;
	const headerPieces: Uint8Array[] = [];
	let first: Uint8Array = new Uint8Array(0);
	const pieces = file.read();
	for await (const raw of withEnd(pieces)) {
		let piece = raw;
		if (!scanner) {
			// A UTF-8 byte order mark is not part of the header's first name; Celonis is told the character set.
			// (It may arrive split over pieces: the first bytes are gathered until it is known.)
			first = first.length === 0 ? piece : Buffer.concat([first, piece]);
			if (first.length < BOM.length && raw !== END) continue;
			piece = first;
			if (isUtf8(dialect.charSet) && BOM.every((b, i) => piece[i] === b)) {
				start = BOM.length;
				piece = piece.subarray(BOM.length);
			}
			plan.dataStart = start;
			scanner = new CsvRecordScanner(dialect, onRecord, start);
		}
		if (piece.length === 0) continue;
		// Keep the bytes up to the header's end (the header may span pieces).
		if (dialect.headerRow && !headerRange) headerPieces.push(piece);
		scanner.scan(piece);
		// A record that has outgrown a chunk fails now, not after the rest of the file was read.
		const open = scanner.openRecordBytes;
		if (!headerFound && open >= chunkBytes)
			throw fail(
				`The header row of ${file.fileName} has more than ${chunkBytes} bytes: it does not fit into a chunk. Raise "Chunk Size (MB)", or check the CSV Options (quote character, line ending).`,
			);
		if (headerFound && headerBytes + open > chunkBytes) throw tooLong(open, true);
	}
	plan.size = scanner ? scanner.finish() : 0;
	if (scanner) plan.maxFieldBytes = scanner.maxFieldBytes;
	if (headerRange) {
		// A copy, so that the pieces it came from are not kept. (A header without a line ending ends the
		// file: then there are no rows and no chunks.)
		plan.header = Buffer.from(
			Buffer.concat(headerPieces).subarray(headerRange[0] - start, headerRange[1] - start),
		);
	}
	if (chunkRows > 0) closeChunk(plan.size);
	return plan;
}

/**
 * Second read: the chunks of a plan, each the header and a slice of the file's bytes, with its MD5. A
 * chunk's bytes are held (as the pieces n8n read, not copied) until its upload is done; the consumer asks
 * for the next chunk only when it may hold another.
 */
export async function* csvFileChunks(
	file: InputFile,
	plan: CsvChunkPlan,
	firstIndex: number,
): AsyncGenerator<CsvChunk, void, undefined> {
	let k = 0;
	let offset = 0;
	let pieces: Uint8Array[] = [plan.header];
	let hash = createHash('md5').update(plan.header);
	let chunkStart = plan.dataStart;
	const done = (): CsvChunk => {
		const chunk: CsvChunk = {
			index: firstIndex + k,
			body: piecesBody(pieces, 'text/csv'),
			bytes: plan.bytes[k],
			rows: plan.rows[k],
			md5: hash.digest('hex'),
		};
		chunkStart = plan.ends[k];
		k++;
		pieces = [plan.header];
		hash = createHash('md5').update(plan.header);
		return chunk;
	};
	for await (const piece of file.read()) {
		const pieceStart = offset;
		offset += piece.length;
		let at = Math.max(pieceStart, chunkStart);
		while (k < plan.ends.length && at < offset) {
			const end = Math.min(plan.ends[k], offset);
			if (end > at) {
				const slice = piece.subarray(at - pieceStart, end - pieceStart);
				pieces.push(slice);
				hash.update(slice);
			}
			at = end;
			if (end === plan.ends[k]) yield done();
		}
		if (k >= plan.ends.length) break;
	}
	if (k < plan.ends.length)
		throw new ParameterError(
			`${file.fileName} ended after ${offset} bytes while reading it a second time, ${plan.size} before: the file changed during the push.`,
			file.itemIndex,
		);
}
