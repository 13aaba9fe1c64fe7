import type { FileBody } from './fileBody';

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
	/** The chunk's bytes, produced again for every attempt to send it. */
	body: FileBody;
	bytes: number;
	rows: number;
	/** MD5 of the bytes (hex), to recognise the chunk in the job's chunk list. */
	md5: string;
	/** The input items whose rows the chunk holds (first and last index), when it was made from items. */
	items?: { from: number; to: number };
}
