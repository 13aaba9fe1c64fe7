/**
 * Record data of a knowledge model (docs/celonis-api.md#knowledge-model-api): field projection, KM filters and
 * `filterExpr`, search, multi-field sort, distinct, the first-N-records limit and `page`/`pageSize`.
 */
import { compareValues, errorDto, illegal, sortKey, sortRows } from './intelligenceApi';
import type { SeedKnowledgeModel } from './seed';

type KM = SeedKnowledgeModel;
type Rec = KM['records'][number];
type Row = Record<string, unknown>;

export interface DataQuery {
	/** field ids, plain or `record.field` */
	fields: string[];
	kpis: string[];
	/** ids of predefined KM filters */
	filters: string[];
	filterExpr: string[];
	page: number;
	pageSize: number;
	sort: string[];
	distinct: boolean;
	search: { term: string; field?: string } | null;
}

const MAX_FIELDS = 200;

const missingFields = () =>
	errorDto(
		400,
		'Missing mandatory parameters.',
		'Missing mandatory parameters: at least one of fields or kpis must be present',
		'GENERAL_PARAMETER_MISSING',
	);

interface Predicate {
	fields: string[];
	test(row: Row): boolean;
}

/** `<field> eq|ne|gt|ge|lt|le <'text'|number|true|false|null>`, terms joined by `and`. */
function compileFilter(expr: string): Predicate {
	const terms = expr.split(/\s+and\s+/i).map((term) => {
		const m =
			/^\s*([\w.]+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null)\s*$/i.exec(
				term,
			);
		if (!m) throw illegal('Filter expression illegal.', `Cannot parse filterExpr '${term.trim()}'`);
		const field = (m[1] as string).split('.').pop() as string;
		const raw = m[3] as string;
		const value: unknown = raw.startsWith("'")
			? raw.slice(1, -1).replace(/''/g, "'")
			: raw === 'null'
				? null
				: raw === 'true'
					? true
					: raw === 'false'
						? false
						: Number(raw);
		const op = (m[2] as string).toLowerCase();
		const test = (row: Row): boolean => {
			const v = row[field];
			if (op === 'eq') return v === value;
			if (op === 'ne') return v !== value;
			const c = compareValues(v, value);
			return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
		};
		return { field, test };
	});
	return { fields: terms.map((t) => t.field), test: (row) => terms.every((t) => t.test(row)) };
}

/** A field id of this record: `FIELD` or `RECORD.FIELD`. */
function fieldOf(rec: Rec, id: string): string | undefined {
	const dot = id.lastIndexOf('.');
	const field = id.slice(dot + 1);
	if (dot >= 0 && id.slice(0, dot) !== rec.id) return undefined;
	return rec.fields.some((f) => f.id === field) ? field : undefined;
}

/** The rows of a record after filters, search, sort and distinct, cut to the first `maxRecords`, projected to `ids`. */
function selectRows(km: KM, rec: Rec, q: DataQuery, ids: string[], maxRecords: number): Row[] {
	const fields = ids.map((id) => fieldOf(rec, id));
	const unknown = ids.filter((_, i) => fields[i] === undefined);
	if (unknown.length) throw illegal('Field not found.', `Unknown field(s): ${unknown.join(', ')}`);
	let rows = rec.rows;
	for (const id of q.filters) {
		const f = km.filters.find((x) => x.id === id);
		if (!f) throw illegal('Filter not found.', `Unknown filter(s): ${id}`);
		// a KM filter restricts the records that carry all of its fields and leaves the others as they are
		const p = f.filterExpr ? compileFilter(f.filterExpr) : undefined;
		if (p && p.fields.every((x) => fieldOf(rec, x))) rows = rows.filter(p.test);
	}
	for (const expr of q.filterExpr) {
		const p = compileFilter(expr);
		const bad = p.fields.filter((x) => !fieldOf(rec, x));
		if (bad.length)
			throw illegal('Filter expression illegal.', `Unknown field '${bad[0]}' in filterExpr`);
		rows = rows.filter(p.test);
	}
	if (q.search) {
		const term = q.search.term.toLowerCase();
		const searched = q.search.field ? [fieldOf(rec, q.search.field)] : fields;
		if (searched[0] === undefined)
			throw illegal('Field not found.', `Unknown searchField '${q.search.field}'`);
		rows = rows.filter((r) =>
			searched.some((f) =>
				String(r[f as string] ?? '')
					.toLowerCase()
					.includes(term),
			),
		);
	}
	let projected = rows.map((r) =>
		Object.fromEntries(ids.map((id, i) => [id, r[fields[i] as string] ?? null])),
	);
	// a sort key names a selected field (in either spelling) or a KPI
	const keys = q.sort.map(sortKey).map((k) => ({
		...k,
		field:
			ids.find((id) => id === k.field) ??
			ids.find((_, i) => fields[i] === fieldOf(rec, k.field)) ??
			k.field,
	}));
	const notSelected = keys.find((k) => !ids.includes(k.field) && !q.kpis.includes(k.field));
	if (notSelected)
		throw illegal(
			'Sort illegal field parameter.',
			`Sort illegal field parameter, it should contain recordId.fieldId: ${notSelected.field}`,
		);
	projected = sortRows(
		projected,
		keys.filter((k) => ids.includes(k.field)),
	);
	if (q.distinct) {
		const seen = new Set<string>();
		projected = projected.filter((r) => {
			const k = JSON.stringify(r);
			return !seen.has(k) && !!seen.add(k);
		});
	}
	return projected.slice(0, maxRecords);
}

function fieldHeader(rec: Rec, id: string): Record<string, unknown> {
	const def = rec.fields.find((f) => f.id === fieldOf(rec, id)) as Rec['fields'][number];
	return {
		id,
		name: def.name,
		type: def.type,
		format: def.format,
		unit: def.unit,
		aggregation: false,
		filterable: true,
		sortable: true,
	};
}

function checkFieldCount(q: DataQuery): void {
	if (q.fields.length + q.kpis.length > MAX_FIELDS)
		throw illegal(
			'Too many fields.',
			`At most ${MAX_FIELDS} fields and KPIs per request, got ${q.fields.length + q.kpis.length}`,
		);
}

function page(q: DataQuery, headers: unknown[], rows: Row[]): Record<string, unknown> {
	const data = rows.slice(q.page * q.pageSize, (q.page + 1) * q.pageSize);
	return {
		page: q.page,
		pageSize: q.pageSize,
		total: data.length,
		sort: q.sort,
		content: { headers, data },
	};
}

/** `recordResultPageDTO` of one record. */
export function recordData(
	km: KM,
	rec: Rec,
	q: DataQuery,
	maxRecords: number,
): Record<string, unknown> {
	if (q.fields.length === 0) throw missingFields();
	checkFieldCount(q);
	const ids = [...new Set(q.fields)];
	const rows = selectRows(km, rec, q, ids, maxRecords);
	return page(
		q,
		ids.map((id) => fieldHeader(rec, id)),
		rows,
	);
}

/**
 * `recordResultPageDTO` of the knowledge model: KPI values, optionally per distinct combination of `record.field`
 * values of one record. The emulator does not compute KPIs: each carries its seeded value.
 */
export function knowledgeModelData(
	km: KM,
	q: DataQuery,
	maxRecords: number,
): Record<string, unknown> {
	if (q.fields.length === 0 && q.kpis.length === 0) throw missingFields();
	checkFieldCount(q);
	const kpis = q.kpis.map((id) => {
		const kpi = km.kpis.find((k) => k.id === id);
		if (!kpi) throw illegal('KPI not found.', `Unknown KPI(s): ${id}`);
		return kpi;
	});
	const kpiHeaders = kpis.map((k) => ({
		id: k.id,
		name: k.name,
		type: 'float',
		format: k.format,
		unit: k.unit,
		aggregation: true,
		filterable: false,
		sortable: true,
	}));
	const kpiValues = Object.fromEntries(kpis.map((k) => [k.id, k.value ?? null]));
	if (q.fields.length === 0) return page(q, kpiHeaders, [kpiValues]);
	const recordIds = new Set(q.fields.map((id) => id.slice(0, Math.max(0, id.lastIndexOf('.')))));
	const rec = km.records.find((r) => recordIds.size === 1 && recordIds.has(r.id));
	if (!rec)
		throw illegal(
			'Field not found.',
			'Knowledge model data fields must be recordId.fieldId of one record of the knowledge model',
		);
	const ids = [...new Set(q.fields)];
	const rows = selectRows(km, rec, { ...q, distinct: true }, ids, maxRecords);
	return page(
		q,
		[...ids.map((id) => fieldHeader(rec, id)), ...kpiHeaders],
		rows.map((r) => ({ ...r, ...kpiValues })),
	);
}
