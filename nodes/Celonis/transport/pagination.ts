import type { IDataObject } from 'n8n-workflow';

import type { CelonisContext } from './authentication';
import { celonisRequest, type CelonisRequestOptions } from './request';
import type { CelonisResponse } from './responses';

/**
 * Celonis' pagination families (docs/celonis-api.md, "Paging"):
 * - page:             `page` / `pageSize` (0-based), `{page, pageSize, total, content}` — Intelligence API
 * - pageNumber:       `pageNumber` / `pageSize` (≤ 200), `{content, pageNumber, pageSize, totalCount}` — Audit v1, Team
 * - cursor:           `pageToken` → `nextPageToken`, stop when absent or empty — Audit v2, Platform Adoption v2
 * - integrationPaged: `limit` / `page`, `{content, pageNumber, pageSize, totalCount}` — /integration/api/pools/paged
 */
export type PaginationStyle =
	| 'none'
	| 'auto'
	| 'page'
	| 'pageNumber'
	| 'cursor'
	| 'integrationPaged';

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
	return dotted
		.split('.')
		.reduce<unknown>(
			(v, key) => (v !== null && typeof v === 'object' ? (v as IDataObject)[key] : undefined),
			value,
		);
}

export function detectStyle(
	body: unknown,
	qs: IDataObject,
	path = '',
): Exclude<PaginationStyle, 'auto'> {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'none';
	const b = body as IDataObject;
	if ('nextPageToken' in b) return 'cursor';
	// /integration/api/pools/paged answers like the pageNumber family but pages with `limit` and `page`.
	if ('totalCount' in b && 'pageNumber' in b)
		return 'limit' in qs || /\/paged\/?$/.test(path.split('?')[0])
			? 'integrationPaged'
			: 'pageNumber';
	if ('page' in b && 'pageSize' in b && 'content' in b) return 'page';
	return 'none';
}

function pageParams(
	style: PaginationStyle,
	index: number,
	pageSize: number | undefined,
	cursor: string | undefined,
): IDataObject {
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

/** The page size the server used: what it reports (it may cap what was asked), else what was asked for. */
function servedPageSize(
	body: IDataObject,
	requested: number | undefined,
	items: unknown[],
): number {
	const reported = Number(body.pageSize);
	if (Number.isFinite(reported) && reported > 0) return reported;
	return requested ?? items.length;
}

/** `collected`: items received since the first page of this pagination, this page included. */
function isLastPage(
	style: PaginationStyle,
	body: IDataObject,
	items: unknown[],
	collected: number,
	requested: number | undefined,
): boolean {
	if (items.length === 0) return true;
	switch (style) {
		case 'cursor':
			return typeof body.nextPageToken !== 'string' || body.nextPageToken === '';
		case 'pageNumber':
		case 'integrationPaged': {
			const total = Number(body.totalCount);
			if (body.totalCount !== undefined && body.totalCount !== null && Number.isFinite(total))
				return collected >= total;
			return items.length < servedPageSize(body, requested, items);
		}
		case 'page':
			return items.length < servedPageSize(body, requested, items);
		default:
			return true;
	}
}

/** A numbered page must come back as the page that was asked for, or paging would repeat the same page. */
function assertPageEcho(style: PaginationStyle, body: IDataObject, index: number): void {
	const echoed =
		style === 'page'
			? body.page
			: style === 'pageNumber' || style === 'integrationPaged'
				? body.pageNumber
				: undefined;
	if (echoed === undefined || echoed === null || Number(echoed) === index) return;
	throw new PaginationError(
		`Asked for page ${index}, the API answered page ${String(echoed)}: it does not page with the parameters of this pagination family. Choose the family that matches the API under "Pagination".`,
	);
}

/** Yields page after page of a Celonis list call, each with the array found at `itemsField`. */
export async function* paginate(
	ctx: CelonisContext,
	request: CelonisRequestOptions,
	options: PaginationOptions,
): AsyncGenerator<Page> {
	const baseQs = { ...(request.qs ?? {}) };
	let style = options.style;
	let index = Number(baseQs.page ?? baseQs.pageNumber ?? 0) || 0;
	let cursor = typeof baseQs.pageToken === 'string' ? baseQs.pageToken : undefined;
	let collected = 0;
	for (let pageIndex = 0; ; pageIndex++) {
		const qs =
			style === 'auto' || style === 'none'
				? baseQs
				: { ...baseQs, ...pageParams(style, index, options.pageSize, cursor) };
		const response = await celonisRequest.call(ctx, { ...request, qs });
		if (style === 'auto') style = detectStyle(response.body, baseQs, request.path);
		const found = getPath(response.body, options.itemsField);
		const items = Array.isArray(found) ? found : found === undefined ? [] : [found];
		if (style !== 'none' && found !== undefined && !Array.isArray(found)) {
			throw new PaginationError(
				`The field "${options.itemsField}" of the response is not a list, so it cannot be paged. Set "Items Field" to the field that holds the list.`,
			);
		}
		collected += items.length;
		const body = (response.body ?? {}) as IDataObject;
		if (style !== 'none' && style !== 'cursor') assertPageEcho(style, body, index);
		yield { response, items, pageIndex };
		if (style === 'none' || isLastPage(style, body, items, collected, options.pageSize)) return;
		if (options.limit !== undefined && collected >= options.limit) return;
		if (pageIndex + 1 >= options.maxPages) {
			throw new PaginationError(
				`Stopped after ${options.maxPages} pages ("Max Pages"), before the last page. Raise "Max Pages" or narrow the request.`,
			);
		}
		if (style === 'cursor') cursor = String(body.nextPageToken);
		else index++;
	}
}
