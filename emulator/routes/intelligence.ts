/** Intelligence API: knowledge models, records, data, KPIs, filters, triggers, chat (§10.1-10.3, 10.6). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sendErrorDto, sendProblem } from '../errors';
import { HttpError, readJson, sendJson, type Ctx } from '../http';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import type { SeedKnowledgeModel } from '../seed';

type KM = SeedKnowledgeModel;
type Rec = KM['records'][number];

function dto(status: number, title: string, detail: string, code: string): HttpError {
	return new HttpError(status, detail, (res) => sendErrorDto(res, status, title, detail, code));
}

function intQ(ctx: Ctx, name: string, def: number, min: number, max = 1_000_000): number {
	const raw = ctx.query.get(name);
	if (raw === null || raw === '') return def;
	if (!/^-?\d+$/.test(raw))
		throw dto(
			400,
			'Query parameter type mismatch.',
			`Query parameter '${name}' must be of type 'Integer'.`,
			'GENERAL_PARAMETER_MISSMATCH',
		);
	const n = Number(raw);
	if (n < min || n > max)
		throw dto(
			400,
			'Query parameter illegal.',
			`Query parameter '${name}' must be between ${min} and ${max}.`,
			'GENERAL_PARAMETER_ILLEGAL',
		);
	return n;
}

/** Envelope {page,pageSize,total,sort,content}; `sort` = one field with +/- prefix. */
export function pageOf<T extends Record<string, unknown>>(
	ctx: Ctx,
	items: T[],
	sortable: string[] = ['id', 'name'],
): Record<string, unknown> {
	const page = intQ(ctx, 'page', 0, 0);
	const pageSize = intQ(ctx, 'pageSize', 50, 1, 1000);
	const sort = ctx.query.get('sort');
	let list = items;
	if (sort) {
		const desc = sort.startsWith('-');
		const field = sort.replace(/^[+-]/, '');
		if (!sortable.includes(field))
			throw dto(
				400,
				'Sort illegal field parameter.',
				`Sort illegal field parameter, it should be one of: ${sortable.join(', ')}`,
				'GENERAL_PARAMETER_ILLEGAL',
			);
		list = [...items].sort((a, b) => compare(a[field], b[field]) * (desc ? -1 : 1));
	}
	const content = list.slice(page * pageSize, (page + 1) * pageSize);
	return { page, pageSize, total: content.length, sort: sort ?? null, content };
}

function compare(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1;
	if (b === null || b === undefined) return 1;
	return (a as number) < (b as number) ? -1 : 1;
}

function kmOr404(ctx: Ctx): KM {
	const km = ctx.store.seed.knowledgeModels.find((k) => k.id === ctx.params.kmId);
	if (!km)
		throw dto(
			404,
			'Knowledge model not found.',
			`Knowledge Model with id ${ctx.params.kmId} not found`,
			'KNOWLEDGE_MODEL_NOTFOUND',
		);
	return km;
}

function recordOr404(ctx: Ctx): { km: KM; rec: Rec } {
	const km = kmOr404(ctx);
	const rec = km.records.find((r) => r.id === ctx.params.recordId);
	if (!rec)
		throw dto(
			404,
			'Record not found.',
			`Record with id ${ctx.params.recordId} not found in Knowledge Model ${km.id}`,
			'KNOWLEDGE_MODEL_RECORD_NOTFOUND',
		);
	return { km, rec };
}

/** Minimal OData-like filter: `<field> eq|ne|gt|ge|lt|le <'string'|number|true|false|null>` joined by `and`. */
function compileFilter(expr: string, fields: string[]): (row: Record<string, unknown>) => boolean {
	const parts = expr.split(/\s+and\s+/i);
	const preds = parts.map((p) => {
		const m =
			/^\s*([\w.]+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null)\s*$/i.exec(
				p,
			);
		if (!m)
			throw dto(
				400,
				'Filter expression illegal.',
				`Cannot parse filterExpr '${p.trim()}'`,
				'GENERAL_PARAMETER_ILLEGAL',
			);
		const field = (m[1] as string).split('.').pop() as string;
		if (!fields.includes(field))
			throw dto(
				400,
				'Filter expression illegal.',
				`Unknown field '${m[1]}' in filterExpr`,
				'GENERAL_PARAMETER_ILLEGAL',
			);
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
		return (row: Record<string, unknown>) => {
			const v = row[field];
			switch (op) {
				case 'eq':
					return v === value;
				case 'ne':
					return v !== value;
				case 'gt':
					return compare(v, value) > 0;
				case 'ge':
					return compare(v, value) >= 0;
				case 'lt':
					return compare(v, value) < 0;
				default:
					return compare(v, value) <= 0;
			}
		};
	});
	return (row) => preds.every((p) => p(row));
}

interface DataQuery {
	fields: string[];
	filterExpr: string[];
	page: number;
	pageSize: number;
	sort: string[];
	distinct: boolean;
}

function recordData(ctx: Ctx, rec: Rec, q: DataQuery): void {
	const ids = rec.fields.map((f) => f.id);
	if (q.fields.length === 0)
		throw dto(
			400,
			'Missing mandatory parameters.',
			'Missing mandatory parameters: at least one of fields or kpis must be present',
			'GENERAL_PARAMETER_MISSING',
		);
	const fields = q.fields.map((f) => f.split('.').pop() as string);
	const unknown = fields.filter((f) => !ids.includes(f));
	if (unknown.length)
		throw dto(
			400,
			'Field not found.',
			`Unknown field(s): ${unknown.join(', ')}`,
			'GENERAL_PARAMETER_ILLEGAL',
		);
	let rows = rec.rows as Record<string, unknown>[];
	for (const f of q.filterExpr) rows = rows.filter(compileFilter(f, ids));
	for (const s of [...q.sort].reverse()) {
		const field = s.replace(/^[+-]/, '').split('.').pop() as string;
		if (!fields.includes(field))
			throw dto(
				400,
				'Sort illegal field parameter.',
				`Sort illegal field parameter, it should contain recordId.fieldId: ${field}`,
				'GENERAL_PARAMETER_ILLEGAL',
			);
		const desc = s.startsWith('-');
		rows = [...rows].sort((a, b) => compare(a[field], b[field]) * (desc ? -1 : 1));
	}
	let projected = rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])));
	if (q.distinct) {
		const seen = new Set<string>();
		projected = projected.filter(
			(r) => !seen.has(JSON.stringify(r)) && !!seen.add(JSON.stringify(r)),
		);
	}
	const data = projected.slice(q.page * q.pageSize, (q.page + 1) * q.pageSize);
	const headers = fields.map((f) => {
		const def = rec.fields.find((x) => x.id === f)!;
		return {
			id: f,
			name: def.name,
			type: def.type,
			format: def.format,
			unit: def.unit,
			aggregation: false,
			filterable: true,
			sortable: true,
		};
	});
	sendJson(ctx, 200, {
		page: q.page,
		pageSize: q.pageSize,
		total: data.length,
		sort: q.sort,
		content: { headers, data },
	});
}

function csv(v: string | null): string[] {
	return (v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function getRecordData(ctx: Ctx): void {
	const { rec } = recordOr404(ctx);
	recordData(ctx, rec, {
		fields: csv(ctx.query.get('fields')),
		filterExpr: ctx.query.getAll('filterExpr'),
		page: intQ(ctx, 'page', 0, 0),
		pageSize: intQ(ctx, 'pageSize', 50, 1, 5000),
		sort: csv(ctx.query.get('sort')),
		distinct: ctx.query.get('options') === 'distinct',
	});
}

const projectionSchema = z.object({
	projection: z.object({
		fields: z.string().optional(),
		kpis: z.array(z.string()).optional(),
		filters: z
			.object({
				kmFilterNames: z.array(z.string()).optional(),
				filterExpr: z.array(z.string()).optional(),
			})
			.optional(),
		pagination: z
			.object({
				pageNumber: z.number().int().min(0).default(0),
				pageSize: z.number().int().min(1).max(5000).default(50),
			})
			.optional(),
		sort: z.string().optional(),
		options: z.array(z.string()).optional(),
	}),
});

async function postRecordData(ctx: Ctx): Promise<void> {
	const { rec } = recordOr404(ctx);
	const body = await readJson(ctx, projectionSchema).catch((e: HttpError) => {
		throw dto(400, 'Bad request.', e.message, 'GENERAL_PARAMETER_ILLEGAL');
	});
	const p = body.projection;
	recordData(ctx, rec, {
		fields: csv(p.fields ?? null),
		filterExpr: p.filters?.filterExpr ?? [],
		page: p.pagination?.pageNumber ?? 0,
		pageSize: p.pagination?.pageSize ?? 50,
		sort: csv(p.sort ?? null),
		distinct: p.options?.includes('distinct') ?? false,
	});
}

function kmData(ctx: Ctx): void {
	const km = kmOr404(ctx);
	const kpis = csv(ctx.query.get('kpis'));
	const fields = csv(ctx.query.get('fields'));
	if (kpis.length === 0 && fields.length === 0)
		throw dto(
			400,
			'Missing mandatory parameters.',
			'Missing mandatory parameters: at least one of fields or kpis must be present',
			'GENERAL_PARAMETER_MISSING',
		);
	const unknownKpis = kpis.filter((k) => !km.kpis.some((x) => x.id === k));
	if (unknownKpis.length)
		throw dto(
			400,
			'KPI not found.',
			`Unknown KPI(s): ${unknownKpis.join(', ')}`,
			'GENERAL_PARAMETER_ILLEGAL',
		);
	const headers = kpis.map((k) => {
		const def = km.kpis.find((x) => x.id === k)!;
		return {
			id: k,
			name: def.name,
			type: 'float',
			format: def.format,
			unit: def.unit,
			aggregation: true,
			filterable: false,
			sortable: true,
		};
	});
	const row = Object.fromEntries(
		kpis.map((k) => [k, km.kpis.find((x) => x.id === k)!.value ?? null]),
	);
	sendJson(ctx, 200, {
		page: 0,
		pageSize: 50,
		total: 1,
		sort: [],
		content: { headers, data: [row] },
	});
}

const chatSchema = z
	.object({ message: z.string().min(1), conversationId: z.string().optional() })
	.strict();

async function chat(ctx: Ctx): Promise<void> {
	const agent = ctx.store.seed.agents.find((a) => a.id === ctx.params.agentId);
	if (!agent)
		return sendProblem(
			ctx.res,
			404,
			'Not Found',
			`Agent ${ctx.params.agentId} not found`,
			ctx.path,
		);
	const body = await readJson(ctx, chatSchema).catch((e: HttpError) => {
		throw new HttpError(400, e.message, (res) =>
			sendProblem(res, 400, 'Bad Request', e.message, ctx.path),
		);
	});
	sendJson(ctx, 200, {
		conversationId: body.conversationId ?? randomUUID(),
		text: `${agent.name} (emulated) received: ${body.message}`,
	});
}

const km = { scopes: ROUTE_SCOPES.knowledgeModels, permission: PERMISSIONS.knowledgeModels };
const triggers = { scopes: ROUTE_SCOPES.triggers, permission: PERMISSIONS.knowledgeModels };
const base = '/intelligence/api/knowledge-models';
const F = 'intelligence' as const;

function triggerOr404(ctx: Ctx): KM['triggers'][number] {
	const k = kmOr404(ctx);
	const t = k.triggers.find((x) => x.id === ctx.params.triggerId);
	if (!t)
		throw dto(
			404,
			'Trigger not found.',
			`Trigger with id ${ctx.params.triggerId} not found`,
			'SUBSCRIPTION_TRIGGER_NOTFOUND',
		);
	return t;
}

export const intelligenceRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: base,
		family: F,
		access: km,
		handler: (ctx) =>
			sendJson(
				ctx,
				200,
				pageOf(
					ctx,
					ctx.store.seed.knowledgeModels.map((k) => ({
						id: k.id,
						name: k.name,
						published: k.published,
					})),
				),
			),
	},
	{
		method: 'GET',
		path: `${base}/:kmId`,
		family: F,
		access: km,
		handler: (ctx) => {
			const k = kmOr404(ctx);
			sendJson(ctx, 200, { id: k.id, name: k.name, extendedKMId: null });
		},
	},
	{
		method: 'GET',
		path: `${base}/:kmId/records`,
		family: F,
		access: km,
		handler: (ctx) =>
			sendJson(
				ctx,
				200,
				pageOf(
					ctx,
					kmOr404(ctx).records.map((r) => ({
						id: r.id,
						name: r.name,
						description: r.description,
						shortDisplayName: r.name,
						internalNote: '',
					})),
				),
			),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/records/:recordId`,
		family: F,
		access: km,
		handler: (ctx) => {
			const { rec } = recordOr404(ctx);
			sendJson(ctx, 200, {
				id: rec.id,
				name: rec.name,
				description: rec.description,
				shortDisplayName: rec.name,
				internalNote: '',
				fields: rec.fields.map((f) => ({ ...f, shortDisplayName: f.name, internalNote: '' })),
			});
		},
	},
	{
		method: 'GET',
		path: `${base}/:kmId/records/:recordId/data`,
		family: F,
		access: km,
		handler: getRecordData,
	},
	{
		method: 'POST',
		path: `${base}/:kmId/records/:recordId/data`,
		family: F,
		access: km,
		handler: postRecordData,
	},
	{
		method: 'GET',
		path: `${base}/:kmId/kpis`,
		family: F,
		access: km,
		handler: (ctx) =>
			sendJson(
				ctx,
				200,
				pageOf(
					ctx,
					kmOr404(ctx).kpis.map(({ value: _v, ...k }) => ({
						...k,
						direction: null,
						target: null,
						parameters: [],
					})),
				),
			),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/filters`,
		family: F,
		access: km,
		handler: (ctx) => sendJson(ctx, 200, pageOf(ctx, kmOr404(ctx).filters)),
	},
	{ method: 'GET', path: `${base}/:kmId/data`, family: F, access: km, handler: kmData },
	{
		method: 'GET',
		path: `${base}/:kmId/triggers`,
		family: F,
		access: triggers,
		handler: (ctx) =>
			sendJson(
				ctx,
				200,
				pageOf(
					ctx,
					kmOr404(ctx).triggers.map((t) => ({ id: t.id, record: t.record, name: t.name })),
				),
			),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/triggers/:triggerId`,
		family: F,
		access: triggers,
		handler: (ctx) => {
			const t = triggerOr404(ctx);
			sendJson(ctx, 200, { id: t.id, name: t.name, fields: t.fields });
		},
	},
	{
		method: 'POST',
		path: '/intelligence/api/ai/agents/:agentId/conversations',
		family: 'ai',
		access: { scopes: ROUTE_SCOPES.conversations, permission: PERMISSIONS.agents },
		handler: chat,
	},
];
