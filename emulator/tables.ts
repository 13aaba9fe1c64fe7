/** In-memory tables per data pool + target name, and the value rules Celonis applies when loading them. */
export type ColumnType = 'INTEGER' | 'DATE' | 'TIME' | 'DATETIME' | 'FLOAT' | 'BOOLEAN' | 'STRING';
export interface Column {
	name: string;
	type: ColumnType;
	fieldLength: number | null;
}
export type Row = Record<string, unknown>;

export const DEFAULT_VARCHAR_LENGTH = 80;

export class Table {
	columns: Column[] = [];
	rows: Row[] = [];
	/** Rows loaded but not kept (config dataPush.keepRows false): counted only. */
	rowsNotKept = 0;
	constructor(
		public poolId: string,
		public name: string,
		public connectionId: string | null,
	) {}

	column(name: string): Column | undefined {
		return this.columns.find((c) => c.name === name);
	}

	/** Add columns not yet present (existing column types win). */
	mergeColumns(cols: Column[]): void {
		for (const c of cols) if (!this.column(c.name)) this.columns.push({ ...c });
	}

	toJSON(): {
		poolId: string;
		name: string;
		connectionId: string | null;
		columns: Column[];
		rows: Row[];
	} {
		return {
			poolId: this.poolId,
			name: this.name,
			connectionId: this.connectionId,
			columns: this.columns,
			rows: this.rows,
		};
	}
}

function tableKey(poolId: string, name: string, connectionId?: string | null): string {
	return connectionId ? `${poolId}/${connectionId}/${name}` : `${poolId}/${name}`;
}

export class Tables {
	readonly map = new Map<string, Table>();

	get(poolId: string, name: string, connectionId?: string | null): Table | undefined {
		return this.map.get(tableKey(poolId, name, connectionId));
	}

	/** Find by pool + name regardless of connection (first match). */
	find(poolId: string, name: string): Table | undefined {
		const direct = this.map.get(tableKey(poolId, name));
		if (direct) return direct;
		for (const t of this.map.values()) if (t.poolId === poolId && t.name === name) return t;
		return undefined;
	}

	ensure(poolId: string, name: string, connectionId?: string | null): Table {
		const k = tableKey(poolId, name, connectionId);
		let t = this.map.get(k);
		if (!t) {
			t = new Table(poolId, name, connectionId ?? null);
			this.map.set(k, t);
		}
		return t;
	}

	list(): {
		poolId: string;
		name: string;
		connectionId: string | null;
		rowCount: number;
		columns: Column[];
	}[] {
		return [...this.map.values()].map((t) => ({
			poolId: t.poolId,
			name: t.name,
			connectionId: t.connectionId,
			rowCount: t.rows.length + t.rowsNotKept,
			columns: t.columns,
		}));
	}
}

/** Infer a column type from raw string samples (CSV). null/empty values are ignored. */
export function inferTypeFromStrings(
	values: (string | null)[],
	decimalSeparator = '.',
	thousandSeparator?: string,
): ColumnType {
	let sawAny = false;
	let allInt = true;
	let allNum = true;
	let allBool = true;
	let allDateTime = true;
	let allDate = true;
	for (const raw of values) {
		if (raw === null || raw === '') continue;
		sawAny = true;
		const n = normaliseNumber(raw, decimalSeparator, thousandSeparator);
		if (!/^[-+]?\d+$/.test(n) || !Number.isSafeInteger(Number(n))) allInt = false;
		if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(n)) allNum = false;
		if (!/^(true|false)$/i.test(raw)) allBool = false;
		if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw))
			allDateTime = false;
		if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) allDate = false;
		if (!allInt && !allNum && !allBool && !allDateTime && !allDate) return 'STRING';
	}
	if (!sawAny) return 'STRING';
	if (allInt) return 'INTEGER';
	if (allNum) return 'FLOAT';
	if (allBool) return 'BOOLEAN';
	if (allDate) return 'DATE';
	if (allDateTime) return 'DATETIME';
	return 'STRING';
}

function normaliseNumber(raw: string, decimalSeparator = '.', thousandSeparator?: string): string {
	let s = raw.trim();
	if (thousandSeparator) s = s.split(thousandSeparator).join('');
	if (decimalSeparator !== '.') s = s.split(decimalSeparator).join('.');
	return s;
}

/** Java-style date pattern (yyyy, MM, dd, HH, mm, ss, SSS) → parser returning epoch ms, or null if it does not match. */
export function datePatternParser(pattern: string): (s: string) => number | null {
	const tokens: string[] = [];
	const re = pattern.replace(/yyyy|MM|dd|HH|mm|ss|SSS|[.*+?^${}()|[\]\\]/g, (m) => {
		if (/^[a-zA-Z]+$/.test(m)) {
			tokens.push(m);
			return m === 'yyyy' ? '(\\d{4})' : m === 'SSS' ? '(\\d{1,3})' : '(\\d{1,2})';
		}
		return `\\${m}`;
	});
	const rx = new RegExp(`^${re}$`);
	return (s: string) => {
		const m = rx.exec(s.trim());
		if (!m) return null;
		const parts: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
		tokens.forEach((t, i) => (parts[t] = Number(m[i + 1])));
		return Date.UTC(
			parts.yyyy as number,
			(parts.MM as number) - 1,
			parts.dd,
			parts.HH,
			parts.mm,
			parts.ss,
			parts.SSS,
		);
	};
}

export interface CoerceOptions {
	decimalSeparator?: string;
	thousandSeparator?: string;
	dateParser?: (s: string) => number | null;
}

/**
 * Convert one value to the column type. Strings are cut at fieldLength. Returns `{error}` for values that cannot be
 * converted (the job then ends in ERROR with that message).
 */
export function coerce(
	value: unknown,
	col: Column,
	opts: CoerceOptions = {},
): { value: unknown } | { error: string } {
	if (value === null || value === undefined) return { value: null };
	switch (col.type) {
		case 'STRING': {
			const s =
				value instanceof Date
					? value.toISOString()
					: typeof value === 'object'
						? JSON.stringify(value)
						: String(value);
			return {
				value:
					s.length > (col.fieldLength ?? DEFAULT_VARCHAR_LENGTH)
						? s.slice(0, col.fieldLength ?? DEFAULT_VARCHAR_LENGTH)
						: s,
			};
		}
		case 'INTEGER': {
			if (typeof value === 'bigint') return { value: Number(value) };
			if (typeof value === 'number')
				return Number.isFinite(value)
					? { value: Math.trunc(value) }
					: { error: `'${value}' is not an INTEGER` };
			if (typeof value === 'boolean') return { value: value ? 1 : 0 };
			const s = normaliseNumber(String(value), opts.decimalSeparator, opts.thousandSeparator);
			if (s === '') return { value: null };
			if (!/^[-+]?\d+$/.test(s))
				return { error: `'${String(value)}' is not an INTEGER (column ${col.name})` };
			return { value: Number(s) };
		}
		case 'FLOAT': {
			if (typeof value === 'number') return { value };
			if (typeof value === 'bigint') return { value: Number(value) };
			const s = normaliseNumber(String(value), opts.decimalSeparator, opts.thousandSeparator);
			if (s === '') return { value: null };
			const n = Number(s);
			if (Number.isNaN(n))
				return { error: `'${String(value)}' is not a FLOAT (column ${col.name})` };
			return { value: n };
		}
		case 'BOOLEAN': {
			if (typeof value === 'boolean') return { value };
			if (typeof value === 'number') return { value: value !== 0 };
			const s = String(value).trim().toLowerCase();
			if (s === 'true' || s === '1') return { value: true };
			if (s === 'false' || s === '0') return { value: false };
			if (s === '') return { value: null };
			return { error: `'${String(value)}' is not a BOOLEAN (column ${col.name})` };
		}
		case 'DATE':
		case 'DATETIME':
		case 'TIME': {
			let ms: number | null;
			if (value instanceof Date) ms = value.getTime();
			else if (typeof value === 'number') ms = value;
			else if (typeof value === 'bigint') ms = Number(value);
			else {
				const s = String(value);
				if (s === '') return { value: null };
				if (col.type === 'TIME' && /^\d{1,2}:\d{2}(:\d{2})?$/.test(s)) return { value: s };
				ms = opts.dateParser?.(s) ?? null;
				if (ms === null) {
					const t = Date.parse(
						/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || /^\d{4}-\d{2}-\d{2}$/.test(s)
							? s
							: `${s.replace(' ', 'T')}Z`,
					);
					ms = Number.isNaN(t) ? null : t;
				}
			}
			if (ms === null)
				return { error: `'${String(value)}' is not a ${col.type} (column ${col.name})` };
			const iso = new Date(ms).toISOString();
			return {
				value:
					col.type === 'DATE' ? iso.slice(0, 10) : col.type === 'TIME' ? iso.slice(11, 19) : iso,
			};
		}
	}
}

/** Infer a column type from a JS value (Parquet). */
export function inferTypeFromValue(v: unknown): ColumnType | null {
	if (v === null || v === undefined) return null;
	if (typeof v === 'boolean') return 'BOOLEAN';
	if (typeof v === 'bigint') return 'INTEGER';
	if (typeof v === 'number') return Number.isInteger(v) ? 'INTEGER' : 'FLOAT';
	if (v instanceof Date) return 'DATETIME';
	return 'STRING';
}
