import type { IDataObject } from 'n8n-workflow';

import { bareOrQuotedCsv, csvRecord, quoteCsv } from './csvWriter';
import { ParameterError } from './nodeErrors';

/** Celonis column types of a data push `tableSchema` (docs/celonis-api.md, "Data Push API"). */
export type ColumnType = 'BOOLEAN' | 'DATE' | 'DATETIME' | 'FLOAT' | 'INTEGER' | 'STRING' | 'TIME';

export const COLUMN_TYPES: readonly ColumnType[] = [
	'BOOLEAN',
	'DATE',
	'DATETIME',
	'FLOAT',
	'INTEGER',
	'STRING',
	'TIME',
];

/** Celonis' default VARCHAR length when a STRING column has none; values beyond it are cut. */
export const DEFAULT_VARCHAR_LENGTH = 80;
/** The longest VARCHAR a Celonis (Vertica) table column can have, in bytes. */
export const MAX_VARCHAR_LENGTH = 65000;

export interface ColumnSpec {
	columnName: string;
	columnType: ColumnType;
	fieldLength?: number;
	decimals?: number;
	pkField?: boolean;
}

export interface ColumnOverride {
	column: string;
	type?: ColumnType | 'auto';
	fieldLength?: number;
}

export type NestedValues = 'error' | 'jsonText';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MAX_INTEGER = 2 ** 63;

// What a column has seen, as bits.
const K_STRING = 1;
const K_INT = 2;
const K_FLOAT = 4;
const K_BOOL = 8;
const K_DATE = 16;
const K_DATETIME = 32;
const K_JSON = 64;

interface Stats {
	name: string;
	kinds: number;
	/** Longest value as text, in UTF-8 bytes, and the item that had it. */
	maxBytes: number;
	maxItem: number;
	/** Whether every string so far could still be a date / date-time. */
	datesPossible: boolean;
}

function describeKind(value: unknown): string {
	return Array.isArray(value) ? 'a list' : 'an object';
}

/** UTF-8 byte length, computed only when it can matter (a string of n chars has at most 3n bytes). */
function byteLengthAbove(text: string, current: number): number {
	if (text.length * 3 <= current) return 0;
	return Buffer.byteLength(text, 'utf8');
}

/** The number written by `length` ASCII digits of `text` from `at`, or -1 if one is no digit. */
function digitsAt(text: string, at: number, length: number): number {
	let n = 0;
	for (let i = at; i < at + length; i++) {
		const c = text.charCodeAt(i) - 48;
		if (c < 0 || c > 9) return -1;
		n = n * 10 + c;
	}
	return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The two shapes most dates in items have — YYYY-MM-DD and YYYY-MM-DDTHH:MM:SS.sssZ (toISOString) — checked
 * without regular expressions or Date objects: their epoch milliseconds, or undefined when `text` is not one of
 * them with a year from 1000 and every part in its range (then the general rules decide).
 */
function canonicalDateMs(text: string): { ms: number; time: boolean } | undefined {
	const time = text.length === 24;
	if (!time && text.length !== 10) return undefined;
	if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
	const year = digitsAt(text, 0, 4);
	const month = digitsAt(text, 5, 2);
	const day = digitsAt(text, 8, 2);
	if (year < 1000 || month < 1 || month > 12 || day < 1) return undefined;
	const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return undefined;
	if (!time) return { ms: Date.UTC(year, month - 1, day), time };
	if (
		text.charCodeAt(10) !== 84 || // T
		text.charCodeAt(13) !== 58 ||
		text.charCodeAt(16) !== 58 ||
		text.charCodeAt(19) !== 46 ||
		text.charCodeAt(23) !== 90 // Z
	)
		return undefined;
	const hours = digitsAt(text, 11, 2);
	const minutes = digitsAt(text, 14, 2);
	const seconds = digitsAt(text, 17, 2);
	const millis = digitsAt(text, 20, 3);
	if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59)
		return undefined;
	if (millis < 0) return undefined;
	return { ms: Date.UTC(year, month - 1, day, hours, minutes, seconds, millis), time };
}

export function parseIsoDate(text: string): number | undefined {
	// The common shapes without regular expressions; the same result as the general rules below.
	const canonical = canonicalDateMs(text);
	if (canonical) return canonical.ms;
	if (DATE_RE.test(text)) {
		const ms = Date.parse(`${text}T00:00:00Z`);
		return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
	}
	if (DATETIME_RE.test(text)) {
		const iso = text.replace(' ', 'T');
		const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
		return Number.isFinite(ms) ? ms : undefined;
	}
	return undefined;
}

/** At least as many bytes as a text of `length` UTF-16 units takes quoted in CSV (≤ 3 bytes each, `"` doubled). */
const quotedBytesBound = (length: number) => 3 * length + 2;

/**
 * At least as many bytes as a value takes in a CSV record of RowWriter, whatever its column's type: text
 * quoted, numbers (at most 24 characters as text) and dates (at most 26) within 30. Cheap — nothing is
 * serialised but nested values — so every row can be checked against a chunk size before a push.
 */
export function csvBytesBound(value: unknown): number {
	switch (typeof value) {
		case 'string':
			return quotedBytesBound(value.length);
		case 'number':
			return 30;
		case 'boolean':
			return 7;
		case 'undefined':
			return 0;
		case 'object':
			return value === null ? 0 : quotedBytesBound(JSON.stringify(value).length);
		default:
			return quotedBytesBound(String(value).length);
	}
}

/**
 * Learns the columns of a table from items: the union of their fields (in first-seen order), a Celonis type
 * per column (string, integer, float, boolean, date, datetime) and the longest text of each STRING column.
 */
export class SchemaBuilder {
	private readonly stats = new Map<string, Stats>();
	readonly order: string[] = [];
	rows = 0;
	/** The largest csvBytesBound sum of one row's values (separators and line end not counted). */
	maxRowBytesBound = 0;

	constructor(private readonly options: { nested: NestedValues; inferDates: boolean }) {}

	/** Returns false for an item without fields (it is no row). */
	observe(row: IDataObject, itemIndex: number): boolean {
		let fields = 0;
		let rowBound = 0;
		for (const name in row) {
			fields++;
			const value = row[name];
			// Nested values add their bound below, from the JSON text made there anyway.
			if (typeof value !== 'object') rowBound += csvBytesBound(value);
			let s = this.stats.get(name);
			if (!s) {
				s = {
					name,
					kinds: 0,
					maxBytes: 0,
					maxItem: itemIndex,
					datesPossible: this.options.inferDates,
				};
				this.stats.set(name, s);
				this.order.push(name);
			}
			if (value === null || value === undefined) continue;
			switch (typeof value) {
				case 'string': {
					s.kinds |= K_STRING;
					if (s.datesPossible) {
						if (DATE_RE.test(value) && parseIsoDate(value) !== undefined) s.kinds |= K_DATE;
						else if (DATETIME_RE.test(value) && parseIsoDate(value) !== undefined)
							s.kinds |= K_DATETIME;
						else s.datesPossible = false;
					}
					const bytes = byteLengthAbove(value, s.maxBytes);
					if (bytes > s.maxBytes) {
						s.maxBytes = bytes;
						s.maxItem = itemIndex;
					}
					break;
				}
				case 'number':
					if (Number.isInteger(value) && Math.abs(value) <= MAX_INTEGER) s.kinds |= K_INT;
					else s.kinds |= K_FLOAT;
					if (String(value).length > s.maxBytes) {
						s.maxBytes = String(value).length;
						s.maxItem = itemIndex;
					}
					break;
				case 'boolean':
					s.kinds |= K_BOOL;
					if (s.maxBytes < 5) s.maxBytes = 5;
					break;
				case 'object': {
					if (this.options.nested === 'error') {
						throw new ParameterError(
							`The field "${name}" holds ${describeKind(value)}, but a Celonis table column holds single values. ` +
								'Flatten the items first (e.g. with the Set or Split Out node), or set the option "Nested Values" to "Write as JSON Text".',
							itemIndex,
						);
					}
					s.kinds |= K_JSON;
					const json = JSON.stringify(value);
					rowBound += quotedBytesBound(json.length);
					const bytes = Buffer.byteLength(json, 'utf8');
					if (bytes > s.maxBytes) {
						s.maxBytes = bytes;
						s.maxItem = itemIndex;
					}
					break;
				}
				default:
					s.kinds |= K_STRING;
			}
		}
		if (rowBound > this.maxRowBytesBound) this.maxRowBytesBound = rowBound;
		if (fields > 0) this.rows++;
		return fields > 0;
	}

	get columns(): string[] {
		return this.order;
	}

	inferredType(name: string): ColumnType {
		const s = this.stats.get(name);
		const k = s?.kinds ?? 0;
		if (k === 0) return 'STRING';
		if (k & K_JSON) return 'STRING';
		if (k & K_STRING) {
			if (k & (K_INT | K_FLOAT | K_BOOL)) return 'STRING';
			if (!s!.datesPossible) return 'STRING';
			return k & K_DATETIME ? 'DATETIME' : 'DATE';
		}
		if (k === K_INT) return 'INTEGER';
		if ((k & ~(K_INT | K_FLOAT)) === 0) return 'FLOAT';
		if (k === K_BOOL) return 'BOOLEAN';
		return 'STRING';
	}

	/**
	 * The table schema: inferred types, user overrides on top, STRING lengths from the data (never below
	 * Celonis' default of 80). Warns when an override fixes a length shorter than the data needs.
	 */
	build(
		overrides: ColumnOverride[],
		keys: string[],
	): { columns: ColumnSpec[]; warnings: string[] } {
		const warnings: string[] = [];
		const byName = new Map<string, ColumnOverride>();
		for (const o of overrides) {
			if (!o.column) continue;
			if (!this.stats.has(o.column)) {
				throw new ParameterError(
					`The column type override names "${o.column}", which is not a field of any input item. Fields: ${this.order.join(', ') || '(none)'}.`,
				);
			}
			byName.set(o.column, o);
		}
		const columns = this.order.map((name): ColumnSpec => {
			const s = this.stats.get(name)!;
			const override = byName.get(name);
			const type =
				override?.type && override.type !== 'auto' ? override.type : this.inferredType(name);
			const spec: ColumnSpec = { columnName: name, columnType: type };
			if (keys.includes(name)) spec.pkField = true;
			if (type === 'STRING') {
				const needed = Math.max(1, s.maxBytes);
				if (override?.fieldLength) {
					spec.fieldLength = override.fieldLength;
					if (override.fieldLength < needed) {
						warnings.push(
							`Column "${name}" is set to a length of ${override.fieldLength}, but item ${s.maxItem} has a value of ${needed} bytes: Celonis cuts longer values. Remove the length to have it computed from the data.`,
						);
					}
				} else {
					if (needed > MAX_VARCHAR_LENGTH) {
						throw new ParameterError(
							`The field "${name}" has a value of ${needed} bytes, more than the ${MAX_VARCHAR_LENGTH} bytes a Celonis text column can hold. Shorten the value, or set a length for the column under "Column Types" to have Celonis cut it.`,
							s.maxItem,
						);
					}
					spec.fieldLength = Math.max(DEFAULT_VARCHAR_LENGTH, needed);
				}
			}
			return spec;
		});
		return { columns, warnings };
	}
}

function pad(n: number, width = 2): string {
	return String(n).padStart(width, '0');
}

const MIN_YEAR_1000 = Date.UTC(1000, 0, 1);
const MAX_YEAR_9999 = Date.UTC(10000, 0, 1);

/** `yyyy-MM-dd HH:mm:ss.SSS` in UTC — the DATETIME format we declare in csvParsingOptions. */
export function formatDateTime(ms: number): string {
	// Years 1000-9999: toISOString's digits are these (faster than seven getters).
	if (ms >= MIN_YEAR_1000 && ms < MAX_YEAR_9999) {
		const iso = new Date(ms).toISOString();
		return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
	}
	const d = new Date(ms);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export const DATETIME_FORMAT = 'yyyy-MM-dd HH:mm:ss.SSS';
export const DATE_FORMAT = 'yyyy-MM-dd';

type Formatter = (value: unknown) => string;

function asText(value: unknown): string {
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Epoch milliseconds of a date value (a number, or ISO text), or undefined if it is none a Date can hold. */
function dateMs(v: unknown): number | undefined {
	const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseIsoDate(v) : undefined;
	return ms !== undefined && Number.isFinite(new Date(ms).getTime()) ? ms : undefined;
}

function formatterFor(type: ColumnType): Formatter {
	switch (type) {
		case 'STRING':
			return (v) => quoteCsv(typeof v === 'string' ? v : asText(v));
		case 'INTEGER':
		case 'FLOAT':
		case 'BOOLEAN':
			return (v) =>
				typeof v === 'number' || typeof v === 'boolean' ? String(v) : bareOrQuotedCsv(asText(v));
		case 'DATE':
			return (v) => {
				// YYYY-MM-DD as it is, a canonical date-time's date: what the general path writes.
				if (typeof v === 'string' && canonicalDateMs(v)) return v.slice(0, 10);
				const ms = dateMs(v);
				return ms === undefined
					? bareOrQuotedCsv(asText(v))
					: new Date(ms).toISOString().slice(0, 10);
			};
		case 'DATETIME':
			return (v) => {
				const canonical = typeof v === 'string' ? canonicalDateMs(v) : undefined;
				if (canonical) {
					const text = v as string;
					return canonical.time
						? `${text.slice(0, 10)} ${text.slice(11, 23)}`
						: `${text} 00:00:00.000`;
				}
				const ms = dateMs(v);
				return ms === undefined ? bareOrQuotedCsv(asText(v)) : formatDateTime(ms);
			};
		default:
			return (v) => bareOrQuotedCsv(asText(v));
	}
}

/** Turns items into CSV records for the given columns; a missing field or null is an empty (null) field. */
export class RowWriter {
	readonly header: string;
	private readonly names: string[];
	private readonly formatters: Formatter[];

	constructor(columns: Array<Pick<ColumnSpec, 'columnName' | 'columnType'>>) {
		this.names = columns.map((c) => c.columnName);
		this.formatters = columns.map((c) => formatterFor(c.columnType));
		this.header = csvRecord(this.names.map(quoteCsv));
	}

	record(row: IDataObject): string {
		let line = '';
		const n = this.names.length;
		for (let c = 0; c < n; c++) {
			const v = row[this.names[c]];
			if (c > 0) line += ',';
			if (v !== null && v !== undefined) line += this.formatters[c](v);
		}
		return line + '\r\n';
	}
}

/** csvParsingOptions.additionalColumnOptions: the date format of DATE columns (DATETIME uses the job's). */
export function dateColumnOptions(
	columns: ColumnSpec[],
): Array<{ columnName: string; dateFormat: string }> {
	return columns
		.filter((c) => c.columnType === 'DATE')
		.map((c) => ({ columnName: c.columnName, dateFormat: DATE_FORMAT }));
}
