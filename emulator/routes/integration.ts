/** Integration API: pools, data models, data-model loads, data jobs (docs/celonis-api.md#data-integration-api). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sendFrontendError, sendJsonString } from '../errors';
import { celonisDate, HttpError, intParam, readJson, sendEmpty, sendJson, type Ctx } from '../http';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import type { DataJobExecution, ModelLoad, Store } from '../store';
import type { SeedDataPool } from '../seed';

type Pool = SeedDataPool;
type Model = Pool['dataModels'][number];

function notFound(msg: string): HttpError {
	return new HttpError(404, msg, (res) => sendJsonString(res, 404, msg));
}

function poolOr404(ctx: Ctx): Pool {
	const p = ctx.store.pool(ctx.params.poolId as string);
	if (!p) throw notFound(`Data pool with id ${ctx.params.poolId} not found`);
	return p;
}

function modelOr404(ctx: Ctx): { pool: Pool; model: Model } {
	const pool = poolOr404(ctx);
	const model = pool.dataModels.find((m) => m.id === ctx.params.modelId);
	if (!model) throw notFound(`Data model with id ${ctx.params.modelId} not found`);
	return { pool, model };
}

function jobOr404(ctx: Ctx): { pool: Pool; job: Pool['dataJobs'][number] } {
	const pool = poolOr404(ctx);
	const job = pool.dataJobs.find((j) => j.id === ctx.params.jobId);
	if (!job) throw notFound(`Data job with id ${ctx.params.jobId} not found`);
	return { pool, job };
}

type Connection = Pool['dataConnections'][number];

function connectionOr404(ctx: Ctx): { pool: Pool; connection: Connection } {
	const pool = poolOr404(ctx);
	const connection = pool.dataConnections.find((c) => c.id === ctx.params.connectionId);
	if (!connection) throw notFound(`Data connection with id ${ctx.params.connectionId} not found`);
	return { pool, connection };
}

/** A data connection ("data source") as the connection overview lists it; the shape is assumed (content-cli reads id, name, type). */
function connectionTransport(p: Pool, c: Connection): Record<string, unknown> {
	return {
		id: c.id,
		name: c.name,
		type: c.type,
		poolId: p.id,
		imported: false,
		importedPoolId: null,
	};
}

/** content-cli's `data-pool export`: the pool with what it holds (shape assumed). */
function exportPool(ctx: Ctx): void {
	const pool = poolOr404(ctx);
	sendJson(ctx, 200, {
		dataPool: poolTransport(ctx.store, pool),
		dataSources: pool.dataConnections.map((c) => connectionTransport(pool, c)),
		dataModels: pool.dataModels.map((m) => modelTransport(pool, m)),
		dataJobs: pool.dataJobs.map((j) => jobTransport(ctx, pool, j)),
	});
}

function lastExecution(store: Store, poolId: string, jobId?: string): DataJobExecution | undefined {
	for (let i = store.dataJobExecutions.length - 1; i >= 0; i--) {
		const e = store.dataJobExecutions[i] as DataJobExecution;
		if (e.poolId === poolId && (!jobId || e.jobId === jobId)) return e;
	}
	return undefined;
}

function poolTransport(store: Store, p: Pool): Record<string, unknown> {
	return {
		permissions: ['EDIT_ALL_DATA_POOLS'],
		id: p.id,
		name: p.name,
		description: p.description,
		timeStamp: celonisDate(Date.parse('2024-04-01T08:00:00Z')),
		configurationStatus: 'CONFIGURED',
		locked: false,
		contentId: null,
		contentVersion: 0,
		tags: [],
		originalId: null,
		monitoringTarget: false,
		customMonitoringTarget: false,
		customMonitoringTargetActive: false,
		exported: false,
		monitoringMessageColumnsMigrated: true,
		creatorUserId: store.seed.users[0]?.id ?? null,
		objectId: p.id,
	};
}

function modelTransport(p: Pool, m: Model): Record<string, unknown> {
	return {
		permissions: ['EDIT_ALL_DATA_POOLS'],
		id: m.id,
		name: m.name,
		description: null,
		createDate: celonisDate(Date.parse('2024-04-01T08:00:00Z')),
		changedDate: celonisDate(Date.parse('2024-04-02T08:00:00Z')),
		configurationSkipped: false,
		poolId: p.id,
		unavailable: false,
		editable: true,
		creatorUserId: null,
		tables: m.tables.map((t) => tableTransport(m, t)),
		foreignKeys: [],
		processConfigurations: [],
		dataModelCalendarType: 'NONE',
		factoryCalendar: null,
		customCalendar: null,
		originalId: null,
		eventlogAutomergeEnabled: false,
		autoMergeExecutionMode: 'DISTINCT',
		eventLogCount: 0,
		objectId: m.id,
	};
}

function tableTransport(m: Model, t: Model['tables'][number]): Record<string, unknown> {
	return {
		id: t.id,
		dataModelId: m.id,
		dataSourceId: t.dataSourceId,
		name: t.name,
		alias: t.alias,
		aliasOrName: t.alias ?? t.name,
	};
}

function listPools(ctx: Ctx): void {
	const ids = ctx.query.get('poolIds')?.split(',').filter(Boolean);
	sendJson(
		ctx,
		200,
		ctx.store.seed.dataPools
			.filter((p) => !ids || ids.includes(p.id))
			.map((p) => poolTransport(ctx.store, p)),
	);
}

function listModelTables(ctx: Ctx): void {
	const { model } = modelOr404(ctx);
	sendJson(
		ctx,
		200,
		model.tables.map((t) => tableTransport(model, t)),
	);
}

function listConnections(ctx: Ctx): void {
	const pool = poolOr404(ctx);
	sendJson(
		ctx,
		200,
		pool.dataConnections.map((c) => connectionTransport(pool, c)),
	);
}

function pagedPools(ctx: Ctx): void {
	const limit = intParam(ctx, 'limit', 50, 1, 1000);
	const page = intParam(ctx, 'page', 0, 0);
	const pools = ctx.store.seed.dataPools;
	sendJson(ctx, 200, {
		content: pools.slice(page * limit, (page + 1) * limit).map((p) => ({
			id: p.id,
			name: p.name,
			status: lastExecution(ctx.store, p.id)?.status ?? 'UNCONFIGURED',
			lastExecutionStartDate: celonisDate(lastExecution(ctx.store, p.id)?.startDate),
			createdBy: ctx.store.seed.users[0]?.name ?? null,
			tags: [],
			rawDataSize: ctx.store.tables
				.list()
				.filter((t) => t.poolId === p.id)
				.reduce((s, t) => s + t.rowCount * 64, 0),
			dataSources: p.dataConnections.map((c) => ({
				id: c.id,
				name: c.name,
				imported: false,
				importedPoolId: null,
			})),
		})),
		pageSize: limit,
		pageNumber: page,
		totalCount: pools.length,
	});
}

function loadTransport(l: ModelLoad | undefined): Record<string, unknown> | null {
	if (!l) return null;
	return {
		dataLoadId: l.dataLoadId,
		dataModelId: l.dataModelId,
		startDate: celonisDate(l.startDate),
		endDate: celonisDate(l.endDate),
		loadStatus: l.loadStatus,
		message: l.message,
		loadType: l.loadType,
		dataPoolVersion: 1,
	};
}

function loadsOf(store: Store, modelId: string): ModelLoad[] {
	return store.modelLoads.filter((l) => l.dataModelId === modelId);
}

function startLoad(ctx: Ctx, loadType: ModelLoad['loadType'], tableIds?: string[]): void {
	const { pool, model } = modelOr404(ctx);
	const running = loadsOf(ctx.store, model.id).find((l) => l.loadStatus === 'RUNNING');
	if (running) {
		const msg = `A load of data model ${model.id} is already running`;
		throw new HttpError(409, msg, (res) =>
			sendFrontendError(res, 409, 'DATA_MODEL_LOAD_RUNNING', msg),
		);
	}
	const load: ModelLoad = {
		dataLoadId: randomUUID(),
		poolId: pool.id,
		dataModelId: model.id,
		loadType,
		loadStatus: 'RUNNING',
		startDate: Date.now(),
		endDate: null,
		message: null,
		tableIds,
	};
	ctx.store.modelLoads.push(load);
	ctx.store.schedule(() => {
		load.loadStatus = 'SUCCESS';
		load.endDate = Date.now();
	}, ctx.store.config.modelLoadMs);
	sendEmpty(ctx, 200);
}

function boolParam(ctx: Ctx, name: string, def: boolean): boolean {
	const v = ctx.query.get(name);
	if (v === null || v === '') return def;
	if (v !== 'true' && v !== 'false')
		throw new HttpError(400, `Query parameter '${name}' must be true or false`);
	return v === 'true';
}

async function partialSync(ctx: Ctx): Promise<void> {
	const { model } = modelOr404(ctx);
	const ids = await readJson(ctx, z.array(z.string()).min(1));
	const unknown = ids.filter((id) => !model.tables.some((t) => t.id === id));
	if (unknown.length)
		throw new HttpError(400, `Unknown data model table id(s): ${unknown.join(', ')}`);
	startLoad(ctx, 'PARTIAL', ids);
}

function lastLoad(ctx: Ctx): void {
	const { model } = modelOr404(ctx);
	const loads = loadsOf(ctx.store, model.id);
	const l = loads[loads.length - 1];
	if (!l)
		return sendJson(ctx, 200, {
			dataModelId: model.id,
			loadStatus: null,
			loadType: null,
			startDate: null,
			endDate: null,
			message: null,
		});
	sendJson(ctx, 200, loadTransport(l));
}

function loadInfoSync(ctx: Ctx): void {
	const { model } = modelOr404(ctx);
	const loads = loadsOf(ctx.store, model.id);
	const last = loads[loads.length - 1];
	const lastOk = [...loads].reverse().find((l) => l.loadStatus === 'SUCCESS');
	sendJson(ctx, 200, {
		loadInfo: { liveDataModel: loadTransport(lastOk), currentComputeLoad: loadTransport(last) },
		loadHistory: {
			lastSuccessfulDataModel: loadTransport(lastOk),
			dataLoadHistory: loads.map(loadTransport),
			averageLoadTime: [],
		},
	});
}

function executeJob(ctx: Ctx, mode: string): void {
	const { pool, job } = jobOr404(ctx);
	const exec: DataJobExecution = {
		executionId: randomUUID(),
		poolId: pool.id,
		jobId: job.id,
		mode,
		status: 'QUEUED',
		startDate: Date.now(),
		endDate: null,
	};
	ctx.store.dataJobExecutions.push(exec);
	const { queuedMs, runningMs } = ctx.store.config.dataJobDelays;
	ctx.store.schedule(() => {
		if (exec.status === 'QUEUED') exec.status = 'RUNNING';
		ctx.store.schedule(() => {
			if (exec.status === 'RUNNING') {
				exec.status = 'SUCCESS';
				exec.endDate = Date.now();
			}
		}, runningMs);
	}, queuedMs);
	sendEmpty(ctx, 200);
}

function executePublic(ctx: Ctx): void {
	const mode = ctx.query.get('mode') ?? 'DELTA';
	if (mode !== 'FULL' && mode !== 'DELTA')
		throw new HttpError(400, `Query parameter 'mode' must be FULL or DELTA, got '${mode}'`);
	executeJob(ctx, mode);
}

function jobTransport(
	ctx: Ctx,
	pool: Pool,
	job: Pool['dataJobs'][number],
): Record<string, unknown> {
	const e = lastExecution(ctx.store, pool.id, job.id);
	return {
		id: job.id,
		name: job.name,
		dataPoolId: pool.id,
		dataSourceId: job.dataSourceId,
		timeStamp: celonisDate(e?.startDate ?? Date.parse('2024-04-01T08:00:00Z')),
		status: e?.status ?? null,
		currentExecutionId: e?.executionId ?? null,
		dagBasedExecutionEnabled: false,
		latestExecutionItemId: e?.executionId ?? null,
	};
}

function cancelJob(ctx: Ctx): void {
	const { pool, job } = jobOr404(ctx);
	const e = lastExecution(ctx.store, pool.id, job.id);
	if (e && (e.status === 'QUEUED' || e.status === 'RUNNING')) {
		e.status = 'CANCEL';
		e.endDate = Date.now();
	}
	sendEmpty(ctx, 200);
}

const read = {
	scopes: ROUTE_SCOPES.poolsRead,
	permission: PERMISSIONS.poolsView,
	poolParam: 'poolId',
};
const readModels = {
	scopes: ROUTE_SCOPES.dataModelsRead,
	permission: PERMISSIONS.poolsView,
	poolParam: 'poolId',
};
const manage = {
	scopes: ROUTE_SCOPES.poolsManage,
	permission: PERMISSIONS.poolsManage,
	poolParam: 'poolId',
};
const I = 'integration' as const;

export const integrationRoutes: RouteDef[] = [
	{ method: 'GET', path: '/integration/api/pools', family: I, access: read, handler: listPools },
	{
		method: 'GET',
		path: '/integration/api/pools/paged',
		family: I,
		access: read,
		handler: pagedPools,
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId',
		family: I,
		access: read,
		handler: (ctx) => sendJson(ctx, 200, poolTransport(ctx.store, poolOr404(ctx))),
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/data-sources',
		family: I,
		access: read,
		handler: listConnections,
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/overviews/data-sources',
		family: I,
		access: read,
		handler: listConnections,
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/data-sources/:connectionId',
		family: I,
		access: read,
		handler: (ctx) => {
			const { pool, connection } = connectionOr404(ctx);
			sendJson(ctx, 200, connectionTransport(pool, connection));
		},
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/v2/export',
		family: I,
		access: read,
		handler: exportPool,
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/data-models',
		family: I,
		access: readModels,
		handler: (ctx) => {
			const p = poolOr404(ctx);
			sendJson(
				ctx,
				200,
				p.dataModels.map((m) => modelTransport(p, m)),
			);
		},
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/data-models/:modelId',
		family: I,
		access: readModels,
		handler: (ctx) => {
			const { pool, model } = modelOr404(ctx);
			sendJson(ctx, 200, modelTransport(pool, model));
		},
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/data-model/:modelId/tables',
		family: I,
		access: readModels,
		handler: listModelTables,
	},
	{
		method: 'POST',
		path: '/integration/api/pools/:poolId/data-models/:modelId/reload',
		family: I,
		access: manage,
		handler: (ctx) =>
			startLoad(ctx, boolParam(ctx, 'forceComplete', true) ? 'COMPLETE' : 'FROM_CACHE'),
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/data-models/:modelId/load-history/load-info-sync',
		family: I,
		access: readModels,
		handler: loadInfoSync,
	},
	{
		method: 'GET',
		path: '/integration/api/v1/data-pools/:poolId/data-models/:modelId/tables',
		family: I,
		access: readModels,
		handler: listModelTables,
	},
	{
		method: 'POST',
		path: '/integration/api/v1/data-pools/:poolId/data-models/:modelId/load',
		family: I,
		access: manage,
		handler: (ctx) =>
			startLoad(ctx, boolParam(ctx, 'fullReload', true) ? 'COMPLETE' : 'FROM_CACHE'),
	},
	{
		method: 'POST',
		path: '/integration/api/v1/data-pools/:poolId/data-models/:modelId/load/partial-sync',
		family: I,
		access: manage,
		handler: partialSync,
	},
	{
		method: 'GET',
		path: '/integration/api/v1/data-pools/:poolId/data-models/:modelId/last-load',
		family: I,
		access: readModels,
		handler: lastLoad,
	},
	{
		method: 'POST',
		path: '/integration/api/v2/data-pools/:poolId/data-jobs/:jobId/execute',
		family: I,
		access: manage,
		handler: executePublic,
	},
	{
		method: 'POST',
		path: '/integration/api/v1/data-pools/:poolId/data-jobs/:jobId/execute',
		family: I,
		access: manage,
		handler: executePublic,
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/jobs',
		family: I,
		access: read,
		handler: (ctx) => {
			const p = poolOr404(ctx);
			sendJson(
				ctx,
				200,
				p.dataJobs.map((j) => jobTransport(ctx, p, j)),
			);
		},
	},
	{
		method: 'GET',
		path: '/integration/api/pools/:poolId/jobs/:jobId',
		family: I,
		access: read,
		handler: (ctx) => {
			const { pool, job } = jobOr404(ctx);
			sendJson(ctx, 200, jobTransport(ctx, pool, job));
		},
	},
	{
		method: 'POST',
		path: '/integration/api/pools/:poolId/jobs/:jobId/execute',
		family: I,
		access: manage,
		handler: (ctx) => executeJob(ctx, 'FULL'),
	},
	{
		method: 'POST',
		path: '/integration/api/pools/:poolId/jobs/:jobId/cancel',
		family: I,
		access: manage,
		handler: cancelJob,
	},
];
