/** Inspection API under /__emulator/ (no auth; a loopback tool for tests and the demo). */
import { z } from 'zod';
import { configPatchSchema } from '../config';
import { faultRuleSchema } from '../faultSchema';
import { HttpError, intParam, readJson, sendJson, type Ctx } from '../http';
import type { RouteDef } from '../router';
import { presentSubscription, type Subscription } from '../subscriptionEngine';
import { fireSchema, fireTrigger } from '../triggerFiring';
import { presentJob } from './dataPush';

function reset(ctx: Ctx): void {
	ctx.store.reset();
	sendJson(ctx, 200, { ok: true });
}

function getConfig(ctx: Ctx): void {
	sendJson(ctx, 200, ctx.store.config);
}

async function putConfig(ctx: Ctx): Promise<void> {
	const patch = await readJson(ctx, configPatchSchema);
	sendJson(ctx, 200, ctx.store.configure(patch));
}

function listTables(ctx: Ctx): void {
	sendJson(ctx, 200, ctx.store.tables.list());
}

function getTable(ctx: Ctx): void {
	const t = ctx.store.tables.find(ctx.params.poolId as string, ctx.params.tableName as string);
	if (!t) throw new HttpError(404, `No table ${ctx.params.tableName} in pool ${ctx.params.poolId}`);
	sendJson(ctx, 200, { columns: t.columns, rows: t.rows });
}

function jobs(ctx: Ctx): void {
	sendJson(
		ctx,
		200,
		[...ctx.store.pushJobs.values()].map((j) => ({
			...presentJob(j),
			chunks: j.chunks.map((c) => ({
				id: c.id,
				type: c.type,
				size: c.size,
				checksum: c.checksum,
				fileType: c.fileType,
			})),
		})),
	);
}

function requests(ctx: Ctx): void {
	const limit = intParam(ctx, 'limit', 0, 0);
	sendJson(ctx, 200, ctx.store.requestLog.list(limit || undefined));
}

function listConsents(ctx: Ctx): void {
	sendJson(
		ctx,
		200,
		[...ctx.store.tokens.consents.values()].map((c) => ({
			...c,
			expiresAt: new Date(c.expiresAt).toISOString(),
		})),
	);
}

/** The user withdraws consent (Celonis: Edit Profile → OAuth Client Management). */
async function revokeConsents(ctx: Ctx): Promise<void> {
	const body = await readJson(
		ctx,
		z
			.object({ clientId: z.string().optional(), userEmail: z.string().optional() })
			.strict()
			.optional(),
	);
	sendJson(ctx, 200, { revoked: ctx.store.tokens.revokeConsents(body ?? {}).length });
}

function tokenStats(ctx: Ctx): void {
	sendJson(ctx, 200, ctx.store.tokens.stats());
}

async function revoke(ctx: Ctx): Promise<void> {
	const body = await readJson(
		ctx,
		z.object({ clientId: z.string().optional() }).strict().optional(),
	);
	sendJson(ctx, 200, { revoked: ctx.store.tokens.revoke(body?.clientId) });
}

async function addFaults(ctx: Ctx): Promise<void> {
	const body = await readJson(
		ctx,
		z.union([
			faultRuleSchema,
			z.array(faultRuleSchema),
			z.object({ rules: z.array(faultRuleSchema) }),
		]),
	);
	const rules = Array.isArray(body) ? body : 'rules' in body ? body.rules : [body];
	sendJson(ctx, 200, { ids: ctx.store.faults.add(rules) });
}

function listFaults(ctx: Ctx): void {
	sendJson(ctx, 200, ctx.store.faults.list());
}

function clearFaults(ctx: Ctx): void {
	ctx.store.faults.clear();
	sendJson(ctx, 200, { ok: true });
}

async function fire(ctx: Ctx): Promise<void> {
	const body = await readJson(ctx, fireSchema);
	const result = await fireTrigger(
		ctx.store,
		ctx.params.kmId,
		ctx.params.triggerId as string,
		body ?? {},
		ctx.query.get('wait') === 'true',
	);
	sendJson(ctx, result.error ? 404 : 200, result);
}

function inspectSubscription(ctx: Ctx, s: Subscription): Record<string, unknown> {
	return {
		...presentSubscription(s),
		queued: s.queue.length,
		queuedOffsets: s.queue.map((e) => e.offset),
		skipped: s.skipped,
		deliveries: ctx.store.subscriptions.deliveries({ subscriptionId: s.id }),
	};
}

function listSubscriptions(ctx: Ctx): void {
	sendJson(
		ctx,
		200,
		ctx.store.subscriptions.list().map((s) => inspectSubscription(ctx, s)),
	);
}

function getSubscription(ctx: Ctx): void {
	const s = ctx.store.subscriptions.get(ctx.params.subscriptionId as string);
	if (!s) throw new HttpError(404, `No subscription ${ctx.params.subscriptionId}`);
	sendJson(ctx, 200, inspectSubscription(ctx, s));
}

function deliveries(ctx: Ctx): void {
	const after = intParam(ctx, 'after', 0, 0);
	const limit = intParam(ctx, 'limit', 0, 0);
	const list = ctx.store.subscriptions.deliveries({
		subscriptionId: ctx.query.get('subscriptionId') ?? undefined,
		triggerId: ctx.query.get('triggerId') ?? undefined,
		after,
	});
	sendJson(ctx, 200, limit ? list.slice(0, limit) : list);
}

/** Simulates a knowledge model (or one trigger of it) deleted in Celonis; reset brings it back. */
function deleteKnowledgeModel(ctx: Ctx): void {
	const kms = ctx.store.knowledgeModels;
	const i = kms.findIndex((k) => k.id === ctx.params.kmId);
	if (i < 0) throw new HttpError(404, `No knowledge model ${ctx.params.kmId}`);
	kms.splice(i, 1);
	sendJson(ctx, 200, { deleted: ctx.params.kmId });
}

function deleteTrigger(ctx: Ctx): void {
	const triggers = ctx.store.knowledgeModels.find((k) => k.id === ctx.params.kmId)?.triggers;
	const i = triggers?.findIndex((t) => t.id === ctx.params.triggerId) ?? -1;
	if (!triggers || i < 0)
		throw new HttpError(
			404,
			`No trigger ${ctx.params.triggerId} in knowledge model ${ctx.params.kmId}`,
		);
	triggers.splice(i, 1);
	sendJson(ctx, 200, { deleted: ctx.params.triggerId, knowledgeModelId: ctx.params.kmId });
}

function continuousPushes(ctx: Ctx): void {
	sendJson(
		ctx,
		200,
		ctx.store.continuousItems.map(({ file: _file, ...rest }) => rest),
	);
}

const auditEventSchema = z.object({
	userId: z.string(),
	userRole: z.string().default('MEMBER'),
	event: z.string(),
	timestamp: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'ISO date-time'),
	message: z.record(z.unknown()).default({}),
	ipAddress: z.string().nullable().default(null),
	port: z.string().nullable().default(null),
	diffPayload: z.object({ newValue: z.string(), oldValue: z.string() }).nullable().default(null),
});
const loginEventSchema = z.object({
	authenticationEventType: z.string(),
	email: z.string(),
	success: z.boolean(),
	timestamp: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'ISO date-time'),
});

/** Appends events (one or an array) to a generated log; timestamps normalised to ISO UTC. */
function appender<T extends { timestamp: string }>(
	schema: z.ZodType<T, z.ZodTypeDef, unknown>,
	log: (ctx: Ctx) => { append(events: T[]): void; total: number },
) {
	return async (ctx: Ctx): Promise<void> => {
		const body: T | T[] = await readJson(ctx, z.union([schema, z.array(schema)]));
		const events = (Array.isArray(body) ? body : [body]).map((e) => ({
			...e,
			timestamp: new Date(e.timestamp).toISOString(),
		}));
		log(ctx).append(events);
		sendJson(ctx, 200, { appended: events.length, total: log(ctx).total });
	};
}

function listAudit(ctx: Ctx): void {
	sendJson(ctx, 200, ctx.store.audit.all());
}

const route = (
	method: RouteDef['method'],
	path: string,
	handler: RouteDef['handler'],
): RouteDef => ({
	method,
	path: `/__emulator${path}`,
	family: 'inspect',
	handler,
});

export const inspectRoutes: RouteDef[] = [
	route('POST', '/reset', reset),
	route('GET', '/config', getConfig),
	route('PUT', '/config', putConfig),
	route('GET', '/tables', listTables),
	route('GET', '/tables/:poolId/:tableName', getTable),
	route('GET', '/jobs', jobs),
	route('GET', '/requests', requests),
	route('GET', '/token-stats', tokenStats),
	route('POST', '/tokens/revoke', revoke),
	route('GET', '/consents', listConsents),
	route('POST', '/consents/revoke', revokeConsents),
	route('POST', '/faults', addFaults),
	route('GET', '/faults', listFaults),
	route('DELETE', '/faults', clearFaults),
	route('POST', '/triggers/:triggerId/fire', fire),
	route('POST', '/knowledge-models/:kmId/triggers/:triggerId/fire', fire),
	route('DELETE', '/knowledge-models/:kmId', deleteKnowledgeModel),
	route('DELETE', '/knowledge-models/:kmId/triggers/:triggerId', deleteTrigger),
	route('GET', '/subscriptions', listSubscriptions),
	route('GET', '/subscriptions/:subscriptionId', getSubscription),
	route('GET', '/deliveries', deliveries),
	route('GET', '/continuous-pushes', continuousPushes),
	route(
		'POST',
		'/audit/events',
		appender(auditEventSchema, (ctx) => ctx.store.audit),
	),
	route('GET', '/audit/events', listAudit),
	route(
		'POST',
		'/login-events',
		appender(loginEventSchema, (ctx) => ctx.store.logins),
	),
];
