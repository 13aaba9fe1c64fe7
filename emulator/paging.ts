/** pageNumber/pageSize pages (scheme B) and opaque cursor pages (scheme C) over a GeneratedLog. */
import type { GeneratedLog, LogKey } from './generatedLog';
import { HttpError, intParam, timeParam, type Ctx } from './http';

export const MAX_PAGE_SIZE = 200;

export function pageNumberPage<T>(
	ctx: Ctx,
	log: GeneratedLog<T>,
): { content: T[]; pageNumber: number; pageSize: number; totalCount: number } {
	const pageNumber = intParam(ctx, 'pageNumber', 0, 0);
	const pageSize = intParam(ctx, 'pageSize', MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE);
	const [start, end] = log.range(timeParam(ctx, 'from'), timeParam(ctx, 'to'));
	const s = Math.min(end, start + pageNumber * pageSize);
	const content = log.slice(s, Math.min(end, s + pageSize)).map((x) => x.event);
	return { content, pageNumber, pageSize, totalCount: end - start };
}

interface Cursor {
	k: [number, 0 | 1, number];
	f?: number;
	t?: number;
}

function decodeToken(token: string): Cursor {
	try {
		const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
		if (!Array.isArray(c.k) || c.k.length !== 3) throw new Error('bad');
		return c;
	} catch {
		throw new HttpError(400, "Query parameter 'pageToken' is not a valid page token.");
	}
}

export function cursorPage<T>(
	ctx: Ctx,
	log: GeneratedLog<T>,
): { content: T[]; pageSize: number; nextPageToken?: string } {
	const pageSize = intParam(ctx, 'pageSize', MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE);
	const token = ctx.query.get('pageToken');
	let from: number | undefined;
	let to: number | undefined;
	let start: number;
	if (token) {
		const c = decodeToken(token);
		from = c.f;
		to = c.t;
		const key: LogKey = { ts: c.k[0], src: c.k[1], n: c.k[2] };
		start = Math.max(log.range(from, to)[0], log.positionAfterKey(key));
	} else {
		from = timeParam(ctx, 'from');
		to = timeParam(ctx, 'to');
		start = log.range(from, to)[0];
	}
	const end = log.range(from, to)[1];
	const items = log.slice(start, Math.min(end, start + pageSize));
	const out: { content: T[]; pageSize: number; nextPageToken?: string } = {
		content: items.map((x) => x.event),
		pageSize,
	};
	const last = items[items.length - 1];
	if (last && start + items.length < end) {
		const c: Cursor = { k: [last.key.ts, last.key.src, last.key.n] };
		if (from !== undefined) c.f = from;
		if (to !== undefined) c.t = to;
		out.nextPageToken = Buffer.from(JSON.stringify(c)).toString('base64url');
	}
	return out;
}
