/**
 * Conventions the Knowledge Model and Event Subscription APIs share (docs/celonis-api.md#knowledge-model-api): errorDTO
 * errors and the `{page, pageSize, total, sort, content}` page with a single `+`/`-` sort field.
 */
import { sendErrorDto } from './errors';
import { HttpError, type Ctx } from './http';

/** An error the handler throws, rendered as the errorDTO `{title, status, detail, errorCode}`. */
export function errorDto(status: number, title: string, detail: string, code: string): HttpError {
	return new HttpError(status, detail, (res) => sendErrorDto(res, status, title, detail, code));
}

export function illegal(title: string, detail: string): HttpError {
	return errorDto(400, title, detail, 'GENERAL_PARAMETER_ILLEGAL');
}

/** Integer query parameter with the documented mismatch error. */
export function intQuery(
	ctx: Ctx,
	name: string,
	def: number,
	min: number,
	max = 1_000_000,
): number {
	const raw = ctx.query.get(name);
	if (raw === null || raw === '') return def;
	if (!/^-?\d+$/.test(raw))
		throw errorDto(
			400,
			'Query parameter type mismatch.',
			`Query parameter '${name}' must be of type 'Integer'.`,
			'GENERAL_PARAMETER_MISSMATCH',
		);
	const n = Number(raw);
	if (n < min || n > max)
		throw illegal(
			'Query parameter illegal.',
			`Query parameter '${name}' must be between ${min} and ${max}.`,
		);
	return n;
}

/** Order of two values: null first, strings case-insensitively (as documented for `sort`), then by code point. */
export function compareValues(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1;
	if (b === null || b === undefined) return 1;
	if (typeof a === 'string' && typeof b === 'string') {
		const [x, y] = [a.toLowerCase(), b.toLowerCase()];
		if (x !== y) return x < y ? -1 : 1;
	}
	return (a as number) < (b as number) ? -1 : 1;
}

/** Sort rows by `+field`/`-field` keys, the first key most significant. */
export function sortRows<T extends Record<string, unknown>>(
	rows: T[],
	keys: { field: string; desc: boolean }[],
): T[] {
	return [...rows].sort((a, b) => {
		for (const k of keys) {
			const c = compareValues(a[k.field], b[k.field]);
			if (c !== 0) return k.desc ? -c : c;
		}
		return 0;
	});
}

export function sortKey(raw: string): { field: string; desc: boolean } {
	return { field: raw.replace(/^[+-]/, ''), desc: raw.startsWith('-') };
}

/** Envelope `{page, pageSize, total, sort, content}`; `total` counts the elements of this page, as documented. */
export function pageOf<T extends Record<string, unknown>>(
	ctx: Ctx,
	items: T[],
	sortable: string[] = ['id', 'name'],
): Record<string, unknown> {
	const page = intQuery(ctx, 'page', 0, 0);
	const pageSize = intQuery(ctx, 'pageSize', 50, 1, 1000);
	const sort = ctx.query.get('sort');
	let list = items;
	if (sort) {
		const key = sortKey(sort);
		if (!sortable.includes(key.field))
			throw illegal(
				'Sort illegal field parameter.',
				`Sort illegal field parameter, it should be one of: ${sortable.join(', ')}`,
			);
		list = sortRows(items, [key]);
	}
	const content = list.slice(page * pageSize, (page + 1) * pageSize);
	return { page, pageSize, total: content.length, sort: sort ?? null, content };
}
