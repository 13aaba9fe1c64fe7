/** Event Subscription API (§10.4): create (with callback probe), list, update, delete, pause/resume/replay, events. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sendErrorDto } from '../errors';
import { HttpError, readJson, sendEmpty, sendJson, type Ctx } from '../http';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import {
	activate,
	presentSubscription,
	probeCallback,
	subscriptions,
	type Subscription,
} from '../subscriptionEngine';
import { pageOf } from './intelligence';

function dto(status: number, title: string, detail: string, code: string): HttpError {
	return new HttpError(status, detail, (res) => sendErrorDto(res, status, title, detail, code));
}

const ALLOWED_HEADERS = ['authorization', 'content-type', 'user-agent', 'host', 'accept'];

const requestSchema = z.object({
	name: z.string().min(1).max(1024),
	callbackInfo: z.object({
		uri: z.string().min(1).max(1024),
		protocol: z.string().default('HTTPS'),
		headers: z.record(z.string()).optional(),
	}),
	configurations: z.array(z.enum(['SKIP_ERRORS'])).optional(),
});

async function readRequest(ctx: Ctx): Promise<z.infer<typeof requestSchema>> {
	const body = await readJson(ctx, requestSchema).catch((e: HttpError) => {
		throw dto(400, 'Cannot create subscription.', e.message, 'SUBSCRIPTION_TRIGGER_FAILED');
	});
	const cfg = ctx.store.config.subscriptions;
	let url: URL;
	try {
		url = new URL(body.callbackInfo.uri);
	} catch {
		throw dto(
			400,
			'Illegal URI.',
			`The callback uri ${body.callbackInfo.uri} is not a valid URI`,
			'SUBSCRIPTION_URI_ILLEGAL',
		);
	}
	const protocol = body.callbackInfo.protocol.toUpperCase();
	const scheme = url.protocol.replace(':', '').toUpperCase();
	const httpAllowed = cfg.allowHttpCallbacks && scheme === 'HTTP';
	if (
		!['HTTPS', 'HTTP'].includes(protocol) ||
		(scheme !== protocol && !httpAllowed) ||
		(scheme === 'HTTP' && !cfg.allowHttpCallbacks)
	) {
		throw dto(
			400,
			'Illegal URI.',
			`The callback uri does not match the protocol ${body.callbackInfo.protocol}`,
			'SUBSCRIPTION_URI_ILLEGAL',
		);
	}
	const headers = body.callbackInfo.headers ?? {};
	let size = 0;
	for (const [k, v] of Object.entries(headers)) {
		if (!k.trim() || !v.trim())
			throw dto(
				400,
				'Empty header.',
				'Header names and values must not be empty',
				'SUBSCRIPTION_EMPTY_HEADER',
			);
		if (!ALLOWED_HEADERS.includes(k.toLowerCase()))
			throw dto(
				400,
				'Illegal header.',
				`Header ${k} is not allowed; allowed: Authorization, Content-Type, User-Agent, Host, Accept`,
				'SUBSCRIPTION_HEADER_ILLEGAL',
			);
		size += k.length + v.length;
	}
	if (size > 8192)
		throw dto(
			400,
			'Illegal header.',
			'Total header size exceeds 8192 bytes',
			'SUBSCRIPTION_HEADER_ILLEGAL',
		);
	return body;
}

async function probeOrFail(ctx: Ctx, uri: string, headers: Record<string, string>): Promise<void> {
	const p = await probeCallback(ctx.store, uri, headers);
	if (!p.ok)
		throw dto(
			400,
			'Callback failed.',
			`We checked the callback uri but it failed (${p.detail})`,
			'SUBSCRIPTION_CALLBACK_FAILED',
		);
}

async function create(ctx: Ctx): Promise<void> {
	const km = ctx.store.seed.knowledgeModels.find((k) => k.id === ctx.params.kmId);
	const trigger = km?.triggers.find((t) => t.id === ctx.params.triggerId);
	if (!km || !trigger)
		throw dto(
			404,
			'Trigger not found.',
			`Trigger with id ${ctx.params.triggerId} not found`,
			'SUBSCRIPTION_TRIGGER_NOTFOUND',
		);
	const body = await readRequest(ctx);
	const subs = subscriptions(ctx.store);
	if (subs.size >= ctx.store.config.subscriptions.maxSubscriptions)
		throw dto(
			400,
			'Cannot create subscription.',
			`Subscription limit of ${ctx.store.config.subscriptions.maxSubscriptions} reached`,
			'SUBSCRIPTION_TRIGGER_FAILED',
		);
	await probeOrFail(ctx, body.callbackInfo.uri, body.callbackInfo.headers ?? {});
	const s: Subscription = {
		id: randomUUID(),
		name: body.name,
		status: 'active',
		configurations: body.configurations ?? [],
		knowledgeModelId: km.id,
		triggerId: trigger.id,
		callbackInfo: {
			uri: body.callbackInfo.uri,
			protocol: body.callbackInfo.protocol,
			headers: body.callbackInfo.headers ?? {},
		},
		creationDate: new Date().toISOString(),
		ownerName: ctx.identity?.id ?? 'unknown',
		nextOffset: 0,
		latestSucceedEvent: null,
		lastSuccessEventOffset: null,
		queue: [],
		history: [],
		skipped: 0,
		failedSince: null,
		delivering: false,
		deliveries: [],
	};
	subs.set(s.id, s);
	sendJson(ctx, 201, { id: s.id });
}

function subOr404(ctx: Ctx): Subscription {
	const s = subscriptions(ctx.store).get(ctx.params.subscriptionId as string);
	if (!s)
		throw dto(
			404,
			'Subscription not found.',
			`The subscription Id: ${ctx.params.subscriptionId} wasn't found.`,
			'SUBSCRIPTION_SUBSCRIPTION_NOTFOUND',
		);
	return s;
}

async function update(ctx: Ctx): Promise<void> {
	const s = subOr404(ctx);
	const body = await readRequest(ctx);
	await probeOrFail(ctx, body.callbackInfo.uri, body.callbackInfo.headers ?? {});
	s.name = body.name;
	s.callbackInfo = {
		uri: body.callbackInfo.uri,
		protocol: body.callbackInfo.protocol,
		headers: body.callbackInfo.headers ?? {},
	};
	s.configurations = body.configurations ?? [];
	activate(ctx.store, s);
	sendEmpty(ctx, 200);
}

function patch(action: 'pause' | 'resume' | 'resume-from-latest' | 'replay') {
	return (ctx: Ctx): void => {
		const s = subOr404(ctx);
		if (action === 'pause') s.status = 'paused';
		else if (action === 'resume') activate(ctx.store, s);
		else if (action === 'resume-from-latest') {
			s.queue = [];
			activate(ctx.store, s);
		} else {
			const raw = ctx.query.get('fromOffset') ?? '0';
			if (!/^\d+$/.test(raw))
				throw dto(
					400,
					'Query parameter type mismatch.',
					"Query parameter 'fromOffset' must be a non-negative integer.",
					'GENERAL_PARAMETER_MISSMATCH',
				);
			s.queue = s.history.filter((e) => e.offset >= Number(raw));
			activate(ctx.store, s);
		}
		sendEmpty(ctx, 204);
	};
}

function extractEvents(ctx: Ctx): void {
	const s = subOr404(ctx);
	if (s.status === 'active' || s.status === 'paused')
		throw dto(
			400,
			"Can't extract from subscription.",
			`The subscription ${s.id} has an illegal status (is Active or Paused)`,
			'SUBSCRIPTION_ILLEGAL_STATUS',
		);
	const pageSize = 50;
	const content = s.queue.splice(0, pageSize);
	sendJson(ctx, 200, { pageSize, content });
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
				pageOf(ctx, [...subscriptions(ctx.store).values()].map(presentSubscription), [
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
			subscriptions(ctx.store).delete(subOr404(ctx).id);
			sendEmpty(ctx, 204);
		},
	},
	{ method: 'PATCH', path: `${base}/pause`, family: F, access, handler: patch('pause') },
	{ method: 'PATCH', path: `${base}/resume`, family: F, access, handler: patch('resume') },
	{
		method: 'PATCH',
		path: `${base}/resume-from-latest`,
		family: F,
		access,
		handler: patch('resume-from-latest'),
	},
	{ method: 'PATCH', path: `${base}/replay`, family: F, access, handler: patch('replay') },
	{ method: 'PATCH', path: `${base}/events`, family: F, access, handler: extractEvents },
];
