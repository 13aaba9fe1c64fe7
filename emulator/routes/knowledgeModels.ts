/** Knowledge Model API: models, records, record data, KPIs, filters, KM data and triggers (docs/celonis-api.md#knowledge-model-api). */
import { z } from 'zod';
import { HttpError, readJson, sendJson, type Ctx } from '../http';
import { errorDto, illegal, intQuery, pageOf } from '../intelligenceApi';
import { knowledgeModelData, recordData, type DataQuery } from '../kmQuery';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import type { SeedKnowledgeModel } from '../seed';

type KM = SeedKnowledgeModel;
type Rec = KM['records'][number];

function kmOr404(ctx: Ctx, kmId = ctx.params.kmId as string): KM {
	const km = ctx.store.knowledgeModels.find((k) => k.id === kmId);
	if (!km)
		throw errorDto(
			404,
			'Knowledge model not found.',
			`Knowledge Model with id ${kmId} not found`,
			'KNOWLEDGE_MODEL_NOTFOUND',
		);
	return km;
}

function recordOr404(ctx: Ctx): { km: KM; rec: Rec } {
	const km = kmOr404(ctx);
	const rec = km.records.find((r) => r.id === ctx.params.recordId);
	if (!rec)
		throw errorDto(
			404,
			'Record not found.',
			`Record with id ${ctx.params.recordId} not found in Knowledge Model ${km.id}`,
			'KNOWLEDGE_MODEL_RECORD_NOTFOUND',
		);
	return { km, rec };
}

/** The trigger of a knowledge model, or the documented 404 SUBSCRIPTION_TRIGGER_NOTFOUND. */
export function triggerOr404(ctx: Ctx, kmId: string, triggerId: string): KM['triggers'][number] {
	const t = ctx.store.knowledgeModels
		.find((k) => k.id === kmId)
		?.triggers.find((x) => x.id === triggerId);
	if (!t)
		throw errorDto(
			404,
			'Trigger not found.',
			`Trigger with id ${triggerId} not found in Knowledge Model ${kmId}`,
			'SUBSCRIPTION_TRIGGER_NOTFOUND',
		);
	return t;
}

function csv(v: string | null | undefined): string[] {
	return (v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function searchOf(
	term: string | null | undefined,
	field: string | null | undefined,
	precision: unknown,
) {
	if (precision !== null && precision !== undefined) {
		const p = Number(precision);
		if (!Number.isInteger(p) || p < 1 || p > 100)
			throw illegal(
				'Query parameter illegal.',
				"Parameter 'searchPrecision' must be between 1 and 100.",
			);
	}
	return term ? { term, field: field || undefined } : null;
}

/** The data query of a GET: documented query parameters. */
function queryFromParams(ctx: Ctx): DataQuery {
	const q = ctx.query;
	return {
		fields: csv(q.get('fields')),
		kpis: csv(q.get('kpis')),
		filters: csv(q.get('filters')),
		filterExpr: q.getAll('filterExpr'),
		page: intQuery(ctx, 'page', 0, 0),
		pageSize: intQuery(ctx, 'pageSize', 50, 1, 5000),
		sort: csv(q.get('sort')),
		distinct: csv(q.get('options')).includes('distinct'),
		search: searchOf(q.get('searchTerm'), q.get('searchField'), q.get('searchPrecision')),
	};
}

const projectionSchema = z.object({
	projection: z.object({
		fields: z.union([z.string(), z.array(z.string())]).optional(),
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
		search: z
			.object({ term: z.string(), field: z.string().optional(), precision: z.number().optional() })
			.optional(),
	}),
});

/** The data query of a POST: the documented `projection` body (`pagination.pageNumber` instead of `page`). */
async function queryFromBody(ctx: Ctx): Promise<DataQuery> {
	const { projection: p } = await readJson(ctx, projectionSchema).catch((e: HttpError) => {
		throw illegal('Bad request.', e.message);
	});
	return {
		fields: Array.isArray(p.fields) ? p.fields : csv(p.fields),
		kpis: p.kpis ?? [],
		filters: p.filters?.kmFilterNames ?? [],
		filterExpr: p.filters?.filterExpr ?? [],
		page: p.pagination?.pageNumber ?? 0,
		pageSize: p.pagination?.pageSize ?? 50,
		sort: csv(p.sort),
		distinct: p.options?.includes('distinct') ?? false,
		search: searchOf(p.search?.term, p.search?.field, p.search?.precision),
	};
}

function sendRecordData(ctx: Ctx, q: DataQuery): void {
	const { km, rec } = recordOr404(ctx);
	sendJson(ctx, 200, recordData(km, rec, q, ctx.store.config.intelligence.maxDataRecords));
}

function sendKmData(ctx: Ctx, q: DataQuery): void {
	sendJson(
		ctx,
		200,
		knowledgeModelData(kmOr404(ctx), q, ctx.store.config.intelligence.maxDataRecords),
	);
}

/** A page of a list the knowledge model holds. */
function listOf(project: (km: KM) => Record<string, unknown>[], sortable?: string[]) {
	return (ctx: Ctx) => sendJson(ctx, 200, pageOf(ctx, project(kmOr404(ctx)), sortable));
}

const km = { scopes: ROUTE_SCOPES.knowledgeModels, permission: PERMISSIONS.knowledgeModels };
const triggers = { scopes: ROUTE_SCOPES.triggers, permission: PERMISSIONS.knowledgeModels };
const base = '/intelligence/api/knowledge-models';
const F = 'intelligence' as const;

export const knowledgeModelRoutes: RouteDef[] = [
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
					ctx.store.knowledgeModels.map((k) => ({
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
		handler: listOf((k) =>
			k.records.map((r) => ({
				id: r.id,
				name: r.name,
				description: r.description,
				shortDisplayName: r.name,
				internalNote: '',
			})),
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
		handler: (ctx) => sendRecordData(ctx, queryFromParams(ctx)),
	},
	{
		method: 'POST',
		path: `${base}/:kmId/records/:recordId/data`,
		family: F,
		access: km,
		handler: async (ctx) => sendRecordData(ctx, await queryFromBody(ctx)),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/kpis`,
		family: F,
		access: km,
		handler: listOf((k) =>
			k.kpis.map(({ value: _v, ...kpi }) => ({
				...kpi,
				direction: null,
				target: null,
				parameters: [],
			})),
		),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/filters`,
		family: F,
		access: km,
		handler: listOf((k) =>
			k.filters.map((f) => ({ id: f.id, name: f.name, description: f.description })),
		),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/data`,
		family: F,
		access: km,
		handler: (ctx) => sendKmData(ctx, queryFromParams(ctx)),
	},
	{
		method: 'POST',
		path: `${base}/:kmId/data`,
		family: F,
		access: km,
		handler: async (ctx) => sendKmData(ctx, await queryFromBody(ctx)),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/triggers`,
		family: F,
		access: triggers,
		handler: listOf((k) => k.triggers.map((t) => ({ id: t.id, record: t.record, name: t.name }))),
	},
	{
		method: 'GET',
		path: `${base}/:kmId/triggers/:triggerId`,
		family: F,
		access: triggers,
		handler: (ctx) => {
			const t = triggerOr404(ctx, kmOr404(ctx).id, ctx.params.triggerId as string);
			sendJson(ctx, 200, { id: t.id, name: t.name, fields: t.fields });
		},
	},
];
