import type { IDataObject } from 'n8n-workflow';

import type { CelonisContext } from '../authentication';
import { paginate } from '../pagination';
import { celonisRequest, type Reconciled } from '../request';
import type { RetryPolicy } from '../retry';

/**
 * The Knowledge Model API and the Event Subscription API (docs/celonis-api.md, "Knowledge Model API" and
 * "Event Subscription API"): knowledge models, their records, record data, KPIs, filters and triggers; the
 * team's subscriptions to triggers. Lists page with `page` / `pageSize` (the transport's "page" family).
 */
const KM = '/intelligence/api/knowledge-models';
const SUBSCRIPTIONS = '/intelligence/api/subscriptions';
const seg = (id: string) => encodeURIComponent(id);

export const intelligencePaths = {
	knowledgeModels: KM,
	records: (km: string) => `${KM}/${seg(km)}/records`,
	record: (km: string, record: string) => `${KM}/${seg(km)}/records/${seg(record)}`,
	recordData: (km: string, record: string) => `${KM}/${seg(km)}/records/${seg(record)}/data`,
	kpis: (km: string) => `${KM}/${seg(km)}/kpis`,
	filters: (km: string) => `${KM}/${seg(km)}/filters`,
	knowledgeModelData: (km: string) => `${KM}/${seg(km)}/data`,
	triggers: (km: string) => `${KM}/${seg(km)}/triggers`,
	createSubscription: (km: string, trigger: string) =>
		`${KM}/${seg(km)}/triggers/${seg(trigger)}/subscriptions`,
	subscriptions: SUBSCRIPTIONS,
	subscription: (id: string) => `${SUBSCRIPTIONS}/${seg(id)}`,
	subscriptionAction: (id: string, action: SubscriptionAction | 'events') =>
		`${SUBSCRIPTIONS}/${seg(id)}/${action}`,
};

export type SubscriptionAction = 'pause' | 'resume' | 'resume-from-latest' | 'replay';

/** Fields (and KPIs) one data request may name (docs/celonis-api.md, "Knowledge Model API"). */
export const MAX_FIELDS = 200;
/** Rows of a filtered, sorted record that Celonis lets a client read at all. */
export const MAX_READABLE_ROWS = 5000;

/** Elements per list request; Celonis' default is 50, and a server that allows fewer says so in `pageSize`. */
const LIST_PAGE_SIZE = 100;
const MAX_PAGES = 100_000;

export interface ListOptions {
	qs?: IDataObject;
	/** Stop once this many elements were read (undefined = all). */
	limit?: number;
	pageSize?: number;
	/** Dotted path of the list in a page: `content` (lists) or `content.data` (data rows). */
	itemsField?: string;
	itemIndex?: number;
	retry?: Partial<RetryPolicy>;
	/** Called with each page's body (e.g. to keep the headers of record data). */
	onPage?: (body: IDataObject) => void;
}

/** Every element of a paged Intelligence list, page by page, up to `limit`. */
export async function listAll(
	ctx: CelonisContext,
	path: string,
	options: ListOptions = {},
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	const pages = paginate(
		ctx,
		{
			method: 'GET',
			path,
			qs: options.qs,
			responseFormat: 'json',
			itemIndex: options.itemIndex,
			retry: options.retry,
		},
		{
			style: 'page',
			itemsField: options.itemsField ?? 'content',
			pageSize: options.pageSize ?? LIST_PAGE_SIZE,
			limit: options.limit,
			maxPages: MAX_PAGES,
		},
	);
	for await (const page of pages) {
		options.onPage?.((page.response.body ?? {}) as IDataObject);
		for (const element of page.items) {
			if (options.limit !== undefined && out.length >= options.limit) break;
			out.push(
				element !== null && typeof element === 'object' && !Array.isArray(element)
					? (element as IDataObject)
					: { value: element as IDataObject[string] },
			);
		}
	}
	return out;
}

async function getJson(
	ctx: CelonisContext,
	path: string,
	itemIndex?: number,
	qs?: IDataObject,
): Promise<IDataObject> {
	const response = await celonisRequest.call(ctx, {
		method: 'GET',
		path,
		qs,
		responseFormat: 'json',
		itemIndex,
	});
	return (response.body ?? {}) as IDataObject;
}

export const knowledgeModels = {
	/** One record with its field definitions (`fields[{id, name, type, format, unit}]`). */
	record: async (ctx: CelonisContext, km: string, record: string, itemIndex?: number) =>
		await getJson(ctx, intelligencePaths.record(km, record), itemIndex),
	/** The values of the given KPIs, by KPI id (one row of KM data per at most 200 KPIs, Celonis' limit). */
	kpiValues: async (ctx: CelonisContext, km: string, kpis: string[], itemIndex?: number) => {
		const values: IDataObject = {};
		for (let start = 0; start < kpis.length; start += MAX_FIELDS) {
			const body = await getJson(ctx, intelligencePaths.knowledgeModelData(km), itemIndex, {
				kpis: kpis.slice(start, start + MAX_FIELDS).join(','),
				page: 0,
				pageSize: 1,
			});
			const rows = (body.content as IDataObject | undefined)?.data;
			Object.assign(values, Array.isArray(rows) ? (rows[0] ?? {}) : {});
		}
		return values;
	},
};

/** The body of a subscription: its name, the callback (URI and headers) and its configurations. */
export interface SubscriptionRequest {
	name: string;
	callbackInfo: { uri: string; protocol: 'HTTPS' | 'HTTP'; headers: Record<string, string> };
	configurations: string[];
}

/** A PATCH that changes nothing when repeated may be resent after a 5xx (the transport holds back a POST/PATCH otherwise). */
const REPEATABLE: Partial<RetryPolicy> = { retryNonIdempotent: true };

export const subscriptions = {
	list: async (ctx: CelonisContext, options: ListOptions = {}) =>
		await listAll(ctx, intelligencePaths.subscriptions, options),

	/**
	 * Creates a subscription (201 `{id}`). Celonis probes the callback before it answers. When the answer is
	 * lost after the request was sent, the team's subscriptions are looked up: one with this callback URI and
	 * name was made by this request (the caller removed older ones with that URI first), so it is adopted
	 * instead of creating a second one.
	 */
	create: async (
		ctx: CelonisContext,
		km: string,
		trigger: string,
		request: SubscriptionRequest,
	): Promise<string> => {
		const reconcile = async (): Promise<Reconciled> => {
			const found = (await subscriptions.list(ctx)).find(
				(s) =>
					(s.callbackInfo as IDataObject | undefined)?.uri === request.callbackInfo.uri &&
					s.name === request.name &&
					s.triggerId === trigger,
			);
			return found ? { status: 201, headers: {}, body: { id: found.id } } : 'resend';
		};
		const response = await celonisRequest.call(ctx, {
			method: 'POST',
			path: intelligencePaths.createSubscription(km, trigger),
			body: request as unknown as IDataObject,
			responseFormat: 'json',
			reconcile,
		});
		const id = (response.body as IDataObject | undefined)?.id;
		if (typeof id !== 'string' || id === '')
			throw new Error(
				`Celonis created the subscription but did not say its ID (it answered HTTP ${response.status})`,
			);
		return id;
	},

	/** Replaces name, callback and configurations (Celonis probes the callback again); reactivates it. */
	update: async (ctx: CelonisContext, id: string, request: SubscriptionRequest) => {
		await celonisRequest.call(ctx, {
			method: 'PUT',
			path: intelligencePaths.subscription(id),
			body: request as unknown as IDataObject,
			responseFormat: 'text',
		});
	},

	remove: async (ctx: CelonisContext, id: string, itemIndex?: number) => {
		await celonisRequest.call(ctx, {
			method: 'DELETE',
			path: intelligencePaths.subscription(id),
			responseFormat: 'text',
			itemIndex,
		});
	},

	/** pause, resume, resume-from-latest, replay (from `fromOffset`): 204, no body. */
	act: async (
		ctx: CelonisContext,
		id: string,
		action: SubscriptionAction,
		itemIndex?: number,
		fromOffset?: number,
	) => {
		await celonisRequest.call(ctx, {
			method: 'PATCH',
			path: intelligencePaths.subscriptionAction(id, action),
			qs: fromOffset !== undefined ? { fromOffset } : undefined,
			responseFormat: 'text',
			itemIndex,
			retry: REPEATABLE,
		});
	},

	/**
	 * Hands over the next (at most 50) failed events of a failed or suspended subscription and removes them
	 * from it: not repeatable, so never resent after a 5xx.
	 */
	takeFailedEvents: async (ctx: CelonisContext, id: string, itemIndex?: number) => {
		const response = await celonisRequest.call(ctx, {
			method: 'PATCH',
			path: intelligencePaths.subscriptionAction(id, 'events'),
			responseFormat: 'json',
			itemIndex,
		});
		const content = (response.body as IDataObject | undefined)?.content;
		return Array.isArray(content) ? (content as unknown[]) : [];
	},
};
