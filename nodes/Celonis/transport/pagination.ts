import type { IDataObject } from 'n8n-workflow';

import type { CelonisContext } from './authentication';
import { celonisRequest, type CelonisRequestOptions, type CelonisResponse } from './request';

/**
 * Celonis' pagination families (celonis-api.md §4.3):
 * - page:             `page` / `pageSize` (0-based), `{page, pageSize, total, content}` — Intelligence API
 * - pageNumber:       `pageNumber` / `pageSize` (≤ 200), `{content, pageNumber, pageSize, totalCount}` — Audit v1, Team
 * - cursor:           `pageToken` → `nextPageToken`, stop when absent or empty — Audit v2, Platform Adoption v2
 * - integrationPaged: `limit` / `page`, `{content, pageNumber, pageSize, totalCount}` — /integration/api/pools/paged
 */
export type PaginationStyle = 'none' | 'auto' | 'page' | 'pageNumber' | 'cursor' | 'integrationPaged';

export interface PaginationOptions {
	style: PaginationStyle;
	/** Dotted path of the array in a page, e.g. `content` or `content.data`; empty = the body itself. */
	itemsField: string;
	pageSize?: number;
	/** Stop once this many items were collected. */
	limit?: number;
	maxPages: number;
}

export interface Page {
	response: CelonisResponse;
	items: unknown[];
	pageIndex: number;
}

export class PaginationError extends Error {}

export function getPath(value: unknown, dotted: string): unknown {
	if (dotted.trim() === '') return value;
	return dotted.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as IDataObject)[key] : undefined), value);
}

export function detectStyle(body: unknown, qs: IDataObject): Exclude<PaginationStyle, 'auto'> {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'none';
	const b = body as IDataObject;
	if ('nextPageToken' in b) return 'cursor';
	if ('totalCount' in b && 'pageNumber' in b) return 'limit' in qs ? 'integrationPaged' : 'pageNumber';
	if ('page' in b && 'pageSize' in b && 'content' in b) return 'page';
	return 'none';
}

function pageParams(style: PaginationStyle, index: number, pageSize: number | undefined, cursor: string | undefined): IDataObject {
	switch (style) {
		case 'page':
			return { page: index, ...(pageSize ? { pageSize } : {}) };
		case 'pageNumber':
			return { pageNumber: index, ...(pageSize ? { pageSize } : {}) };
		case 'integrationPaged':
			return { page: index, ...(pageSize ? { limit: pageSize } : {}) };
		case 'cursor':
			return { ...(cursor ? { pageToken: cursor } : {}), ...(pageSize ? { pageSize } : {}) };
		default:
			return {};
	}
}

function isLastPage(style: PaginationStyle, body: IDataObject, items: unknown[], index: number, pageSize: number | undefined): boolean {
	if (items.length === 0) return true;
	switch (style) {
		case 'cursor':
			return typeof body.nextPageToken !== 'string' || body.nextPageToken === '';
		case 'pageNumber':
		case 'integrationPaged': {
			const size = pageSize ?? Number(body.pageSize ?? items.length);
			const total = Number(body.totalCount);
			if (Number.isFinite(total) && (index + 1) * size >= total) return true;
			return items.length < size;
		}
		case 'page': {
			const size = pageSize ?? Number(body.pageSize ?? items.length);
			return items.length < size;
		}
		default:
			return true;
	}
}

/** Yields page after page of a Celonis list call, each with the array found at `itemsField`. */
export async function* paginate(ctx: CelonisContext, request: CelonisRequestOptions, options: PaginationOptions): AsyncGenerator<Page> {
	const baseQs = { ...(request.qs ?? {}) };
	let style = options.style;
	let index = Number(baseQs.page ?? baseQs.pageNumber ?? 0) || 0;
	let cursor = typeof baseQs.pageToken === 'string' ? baseQs.pageToken : undefined;
	let collected = 0;
	for (let pageIndex = 0; ; pageIndex++) {
		const qs = style === 'auto' || style === 'none' ? baseQs : { ...baseQs, ...pageParams(style, index, options.pageSize, cursor) };
		const response = await celonisRequest.call(ctx, { ...request, qs });
		if (style === 'auto') style = detectStyle(response.body, baseQs);
		const found = getPath(response.body, options.itemsField);
		const items = Array.isArray(found) ? found : found === undefined ? [] : [found];
		if (style !== 'none' && found !== undefined && !Array.isArray(found)) {
			throw new PaginationError(`The field "${options.itemsField}" of the response is not a list, so it cannot be paged. Set "Items Field" to the field that holds the list.`);
		}
		collected += items.length;
		yield { response, items, pageIndex };
		const body = (response.body ?? {}) as IDataObject;
		if (style === 'none' || isLastPage(style, body, items, index, options.pageSize)) return;
		if (options.limit !== undefined && collected >= options.limit) return;
		if (pageIndex + 1 >= options.maxPages) {
			throw new PaginationError(`Stopped after ${options.maxPages} pages ("Max Pages"), before the last page. Raise "Max Pages" or narrow the request.`);
		}
		if (style === 'cursor') cursor = String(body.nextPageToken);
		else index++;
	}
}
