/**
 * Event Subscription API (docs/celonis-api.md#event-subscription-api): create (after probing the callback), list,
 * update, delete, pause / resume / resume from latest / replay, and extraction of failed events.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HttpError, readJson, sendEmpty, sendJson, type Ctx } from '../http';
import { errorDto, pageOf } from '../intelligenceApi';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import { presentSubscription, probeCallback, type Subscription } from '../subscriptionEngine';
import { triggerOr404 } from './knowledgeModels';

const ALLOWED_HEADERS = ['authorization', 'content-type', 'user-agent', 'host', 'accept'];
const MAX_HEADER_BYTES = 8192;
/** Failed events one extraction call returns (documented: at most 50). */
const EXTRACT_PAGE = 50;

const requestSchema = z.object({
	name: z.string().min(1).max(1024),
	callbackInfo: z.object({
		uri: z.string().min(1).max(1024),
		protocol: z.string().default('HTTPS'),
		headers: z.record(z.string()).optional(),
	}),
	configurations: z.array(z.enum(['SKIP_ERRORS'])).optional(),
});
type SubscriptionRequest = z.infer<typeof requestSchema>;

function checkCallbackUri(ctx: Ctx, body: SubscriptionRequest): void {
	const allowHttp = ctx.store.config.subscriptions.allowHttpCallbacks;
	let scheme: string;
	try {
		scheme = new URL(body.callbackInfo.uri).protocol.replace(':', '').toUpperCase();
	} catch {
		throw errorDto(
			400,
			'Illegal URI.',
			`The callback uri ${body.callbackInfo.uri} is not a valid URI`,
			'SUBSCRIPTION_URI_ILLEGAL',
		);
	}
	const protocol = body.callbackInfo.protocol.toUpperCase();
	const matches = scheme === 'HTTPS' ? protocol === 'HTTPS' : scheme === 'HTTP' && allowHttp;
	if (!['HTTPS', 'HTTP'].includes(protocol) || !matches)
		throw errorDto(
			400,
			'Illegal URI.',
			`The callback uri does not match the protocol ${body.callbackInfo.protocol}`,
			'SUBSCRIPTION_URI_ILLEGAL',
		);
}

function checkHeaders(headers: Record<string, string>): void {
	let size = 0;
	for (const [k, v] of Object.entries(headers)) {
		if (!k.trim() || !v.trim())
			throw errorDto(
				400,
				'Empty header.',
				'Header names and values must not be empty',
				'SUBSCRIPTION_EMPTY_HEADER',
			);
		if (!ALLOWED_HEADERS.includes(k.toLowerCase()))
			throw errorDto(
				400,
				'Illegal header.',
				`Header ${k} is not allowed; allowed: Authorization, Content-Type, User-Agent, Host, Accept`,
				'SUBSCRIPTION_HEADER_ILLEGAL',
			);
		size += Buffer.byteLength(k) + Buffer.byteLength(v);
	}
	if (size > MAX_HEADER_BYTES)
		throw errorDto(
			400,
			'Illegal header.',
			`Total header size exceeds ${MAX_HEADER_BYTES} bytes`,
			'SUBSCRIPTION_HEADER_ILLEGAL',
		);
}

async function readRequest(ctx: Ctx): Promise<SubscriptionRequest> {
	const body = await readJson(ctx, requestSchema).catch((e: HttpError) => {
		throw errorDto(400, 'Cannot create subscription.', e.message, 'SUBSCRIPTION_TRIGGER_FAILED');
	});
	checkCallbackUri(ctx, body);
	checkHeaders(body.callbackInfo.headers ?? {});
	return body;
}

/** Celonis checks that the callback answers before it stores a subscription. */
async function probe(ctx: Ctx, body: SubscriptionRequest): Promise<void> {
	const p = await probeCallback(
		ctx.store.config.subscriptions,
		body.callbackInfo.uri,
		body.callbackInfo.headers ?? {},
	);
	if (!p.ok)
		throw errorDto(
			400,
			'Callback failed.',
			`We checked the callback uri but it failed (${p.detail})`,
			'SUBSCRIPTION_CALLBACK_FAILED',
		);
}

function callbackInfo(body: SubscriptionRequest): Subscription['callbackInfo'] {
	return {
		uri: body.callbackInfo.uri,
		protocol: body.callbackInfo.protocol,
		headers: body.callbackInfo.headers ?? {},
	};
}

/** The team limit: the detail names the existing subscriptions so that a client can show them. */
function checkLimit(ctx: Ctx): void {
	const max = ctx.store.config.subscriptions.maxSubscriptions;
	const existing = ctx.store.subscriptions.list();
	if (existing.length < max) return;
	const names = existing.map((s) => `"${s.name}" (id ${s.id}, trigger ${s.triggerId})`);
	throw errorDto(
		400,
		'Cannot create subscription.',
		`The team already has ${existing.length} subscriptions, the limit is ${max}: ${names.join(', ')}. Delete one to create another.`,
		'SUBSCRIPTION_TRIGGER_FAILED',
	);
}

async function create(ctx: Ctx): Promise<void> {
	const kmId = ctx.params.kmId as string;
	const trigger = triggerOr404(ctx, kmId, ctx.params.triggerId as string);
	const body = await readRequest(ctx);
	checkLimit(ctx);
	await probe(ctx, body);
	const s: Subscription = {
		id: randomUUID(),
		name: body.name,
		status: 'active',
		configurations: body.configurations ?? [],
		knowledgeModelId: kmId,
		triggerId: trigger.id,
		callbackInfo: callbackInfo(body),
		creationDate: new Date().toISOString(),
		ownerName: ctx.identity?.id ?? 'unknown',
		nextOffset: 0,
		latestSucceedEvent: null,
		lastSuccessEventOffset: null,
		queue: [],
		history: [],
		skipped: 0,
		failedSince: null,
		pump: null,
	};
	ctx.store.subscriptions.add(s);
	sendJson(ctx, 201, { id: s.id });
}

function subOr404(ctx: Ctx): Subscription {
	const s = ctx.store.subscriptions.get(ctx.params.subscriptionId as string);
	if (!s)
		throw errorDto(
			404,
			'Subscription not found.',
			`The subscription Id: ${ctx.params.subscriptionId} wasn't found.`,
			'SUBSCRIPTION_SUBSCRIPTION_NOTFOUND',
		);
	return s;
}

/** A subscription whose trigger still exists (update, resume and replay need it). */
function liveSubOr404(ctx: Ctx): Subscription {
	const s = subOr404(ctx);
	triggerOr404(ctx, s.knowledgeModelId, s.triggerId);
	return s;
}

async function update(ctx: Ctx): Promise<void> {
	const s = liveSubOr404(ctx);
	const body = await readRequest(ctx);
	await probe(ctx, body);
	s.name = body.name;
	s.callbackInfo = callbackInfo(body);
	s.configurations = body.configurations ?? [];
	ctx.store.subscriptions.activate(s);
	sendEmpty(ctx, 200);
}

function pause(ctx: Ctx): void {
	subOr404(ctx).status = 'paused';
	sendEmpty(ctx, 204);
}

/** resume: emit what is queued; resume-from-latest: discard it first; replay: queue history from `fromOffset`. */
function restart(action: 'resume' | 'resume-from-latest' | 'replay') {
	return (ctx: Ctx): void => {
		const s = liveSubOr404(ctx);
		if (action === 'resume-from-latest') s.queue = [];
		if (action === 'replay') {
			const raw = ctx.query.get('fromOffset') ?? '0';
			if (!/^\d+$/.test(raw))
				throw errorDto(
					400,
					'Query parameter type mismatch.',
					"Query parameter 'fromOffset' must be a non-negative integer.",
					'GENERAL_PARAMETER_MISSMATCH',
				);
			s.queue = s.history.filter((e) => e.offset >= Number(raw));
		}
		ctx.store.subscriptions.activate(s);
		sendEmpty(ctx, 204);
	};
}

function extractEvents(ctx: Ctx): void {
	const s = subOr404(ctx);
	if (s.status === 'active' || s.status === 'paused')
		throw errorDto(
			400,
			"Can't extract from subscription.",
			`The subscription ${s.id} has an illegal status (is Active or Paused)`,
			'SUBSCRIPTION_ILLEGAL_STATUS',
		);
	sendJson(ctx, 200, { pageSize: EXTRACT_PAGE, content: s.queue.splice(0, EXTRACT_PAGE) });
}

const access = { scopes: ROUTE_SCOPES.subscriptions, permission: PERMISSIONS.subscriptions };
const base = '/intelligence/api/subscriptions/:subscriptionId';
const F = 'intelligence' as const;

export const subscriptionRoutes: RouteDef[] = [
	{
		method: 'POST',
		path: '/intelligence/api/knowledge-models/:kmId/triggers/:triggerId/subscriptions',
		family: F,
		access,
		handler: create,
	},
	{
		method: 'GET',
		path: '/intelligence/api/subscriptions',
		family: F,
		access,
		handler: (ctx) =>
			sendJson(
				ctx,
				200,
				pageOf(ctx, ctx.store.subscriptions.list().map(presentSubscription), [
					'id',
					'name',
					'status',
					'creationDate',
				]),
			),
	},
	{ method: 'PUT', path: base, family: F, access, handler: update },
	{
		method: 'DELETE',
		path: base,
		family: F,
		access,
		handler: (ctx) => {
			ctx.store.subscriptions.delete(subOr404(ctx).id);
			sendEmpty(ctx, 204);
		},
	},
	{ method: 'PATCH', path: `${base}/pause`, family: F, access, handler: pause },
	{ method: 'PATCH', path: `${base}/resume`, family: F, access, handler: restart('resume') },
	{
		method: 'PATCH',
		path: `${base}/resume-from-latest`,
		family: F,
		access,
		handler: restart('resume-from-latest'),
	},
	{ method: 'PATCH', path: `${base}/replay`, family: F, access, handler: restart('replay') },
	{ method: 'PATCH', path: `${base}/events`, family: F, access, handler: extractEvents },
];
