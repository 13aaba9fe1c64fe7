import type { IDataObject } from 'n8n-workflow';

import { bareOrQuotedCsv, CSV_LINE_ENDING, quoteCsv } from './csvWriter';

/**
 * Event records (audit log, login history, members, tracking events) as files: CSV (RFC 4180, one
 * header line, CRLF) or JSON Lines. Encoders are pure and work page by page, so an export never needs
 * more than one page of events in memory.
 */
export type EventFileFormat = 'csv' | 'jsonl';

function isPlainObject(value: unknown): value is IDataObject {
	return (
		value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
	);
}

/**
 * Nested objects become dotted columns (`message.nodeName`, `diffPayload.oldValue`); lists stay lists.
 * An empty object is kept as `{}` under its own key so that nothing disappears.
 */
export function flattenEvent(event: IDataObject, prefix = '', out: IDataObject = {}): IDataObject {
	for (const [key, value] of Object.entries(event)) {
		const name = prefix ? `${prefix}.${key}` : key;
		if (isPlainObject(value) && Object.keys(value).length > 0) flattenEvent(value, name, out);
		else out[name] = value;
	}
	return out;
}

/**
 * A CSV cell with the conventions of shared/csv.ts (the data-push writer): text always quoted, so an
 * empty string ("") stays distinct from null (empty, unquoted); numbers and booleans bare; objects and
 * lists as quoted JSON.
 */
export function csvCell(value: unknown, escapeFormulas = false): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number' || typeof value === 'boolean')
		return bareOrQuotedCsv(String(value));
	let text = typeof value === 'string' ? value : JSON.stringify(value);
	// OWASP CSV injection: a leading = + - @ (or tab / CR) would run as a formula in a spreadsheet.
	if (escapeFormulas && typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return quoteCsv(text);
}

export interface CsvOptions {
	/** Columns known before the first event (the documented record fields); the first page adds its own. */
	knownColumns?: readonly string[];
	escapeFormulas?: boolean;
}

/**
 * Streams events as CSV. The header is fixed by the documented fields plus the fields of the first page
 * (a CSV header cannot grow later); fields that appear only later are reported in `unlistedFields` so the
 * node can say so — JSON Lines has no such limit.
 */
export class CsvEventEncoder {
	private columns: string[] | undefined;
	readonly unlistedFields = new Set<string>();

	constructor(private readonly options: CsvOptions = {}) {}

	get header(): readonly string[] | undefined {
		return this.columns;
	}

	/** The text for one page of events; the first call also writes the header. Empty string for no events. */
	encode(events: readonly IDataObject[], final = false): string {
		let text = '';
		if (!this.columns) {
			if (events.length === 0 && !final) return '';
			const columns = [...(this.options.knownColumns ?? [])];
			const seen = new Set(columns);
			for (const event of events) {
				for (const key of Object.keys(event)) {
					if (!seen.has(key)) {
						seen.add(key);
						columns.push(key);
					}
				}
			}
			this.columns = columns;
			text += columns.map((c) => quoteCsv(c)).join(',') + CSV_LINE_ENDING;
		}
		const columns = this.columns;
		const known = new Set(columns);
		const escape = this.options.escapeFormulas ?? false;
		for (const event of events) {
			for (const key of Object.keys(event)) if (!known.has(key)) this.unlistedFields.add(key);
			let line = '';
			for (let c = 0; c < columns.length; c++) {
				if (c > 0) line += ',';
				line += csvCell(event[columns[c]], escape);
			}
			text += line + CSV_LINE_ENDING;
		}
		return text;
	}
}

export class JsonLinesEventEncoder {
	encode(events: readonly IDataObject[]): string {
		let text = '';
		for (const event of events) text += `${JSON.stringify(event)}\n`;
		return text;
	}
}

export const FILE_TYPES: Record<EventFileFormat, { extension: string; mimeType: string }> = {
	csv: { extension: 'csv', mimeType: 'text/csv' },
	jsonl: { extension: 'jsonl', mimeType: 'application/x-ndjson' },
};
