/** Data Push API under both prefixes /data-ingestion/api/v1/data-push and /integration/api/v1/data-push (docs/celonis-api.md#data-push-api). */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { z } from 'zod';
import { isParquetMagic } from '../chunkReader';
import { deleteJobFiles, startExecution } from '../dataPushEngine';
import { sendFrontendError, sendJsonString } from '../errors';
import { celonisDate, HttpError, readJson, sendEmpty, sendJson, type Ctx } from '../http';
import { isMultipart, parseMultipart } from '../multipart';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import type { PushChunk, PushJob } from '../store';

const COLUMN_TYPES = ['INTEGER', 'DATE', 'TIME', 'DATETIME', 'FLOAT', 'BOOLEAN', 'STRING'] as const;

const createSchema = z
	.object({
		targetName: z.string().min(1),
		type: z.enum(['REPLACE', 'DELTA']),
		dataPoolId: z.string().optional(),
		connectionId: z.string().nullable().optional(),
		fileType: z.enum(['CSV', 'PARQUET']).nullable().optional(),
		keys: z.array(z.string().min(1)).nullable().optional(),
		tableSchema: z
			.object({
				tableName: z.string().optional(),
				columns: z.array(
					z.object({
						columnName: z.string().min(1),
						columnType: z.enum(COLUMN_TYPES),
						fieldLength: z.number().int().positive().nullable().optional(),
						decimals: z.number().int().nullable().optional(),
						pkField: z.boolean().nullable().optional(),
					}),
				),
			})
			.nullable()
			.optional(),
		csvParsingOptions: z
			.object({
				escapeSequence: z.string().nullable().optional(),
				quoteSequence: z.string().nullable().optional(),
				separatorSequence: z.string().nullable().optional(),
				lineEnding: z.string().nullable().optional(),
				charSet: z.string().nullable().optional(),
				decimalSeparator: z.string().nullable().optional(),
				thousandSeparator: z.string().nullable().optional(),
				dateFormat: z.string().nullable().optional(),
				additionalColumnOptions: z.array(z.record(z.unknown())).nullable().optional(),
			})
			.nullable()
			.optional(),
		upsertStrategy: z
			.enum(['UPSERT_WITH_UNCHANGED_METADATA', 'UPSERT_WITH_NULLIFICATION'])
			.nullable()
			.optional(),
		fallbackVarcharLength: z.number().int().min(1).max(65000).nullable().optional(),
	})
	.passthrough();

export function presentJob(j: PushJob): Record<string, unknown> {
	return {
		...j.extra,
		id: j.id,
		targetName: j.targetName,
		dataPoolId: j.dataPoolId,
		connectionId: j.connectionId,
		type: j.type,
		fileType: j.fileType,
		keys: j.keys,
		status: j.status,
		logs: j.logs,
		tableSchema: j.tableSchema,
		csvParsingOptions: j.csvParsingOptions,
		upsertStrategy: j.upsertStrategy,
		fallbackVarcharLength: j.fallbackVarcharLength,
		lastModified: celonisDate(j.lastModified),
		lastPing: celonisDate(j.lastModified),
		changeDate: celonisDate(j.lastModified),
	};
}

function presentChunk(j: PushJob, c: PushChunk): Record<string, unknown> {
	return {
		id: c.id,
		creationDate: c.creationDate,
		type: c.type,
		pushJobId: j.id,
		checksum: c.checksum,
	};
}

function poolOr404(ctx: Ctx): string {
	const poolId = ctx.params.poolId as string;
	if (!ctx.store.pool(poolId))
		throw new HttpError(404, `Data pool with id ${poolId} not found`, (res) =>
			sendJsonString(res, 404, `Data pool with id ${poolId} not found`),
		);
	return poolId;
}

function jobOr404(ctx: Ctx): PushJob {
	const poolId = poolOr404(ctx);
	const job = ctx.store.pushJobs.get(ctx.params.jobId as string);
	if (!job || job.dataPoolId !== poolId) {
		const msg = `Data push job with id ${ctx.params.jobId} not found`;
		throw new HttpError(404, msg, (res) => sendJsonString(res, 404, msg));
	}
	return job;
}

async function createJob(ctx: Ctx): Promise<void> {
	const poolId = poolOr404(ctx);
	const body = await readJson(ctx, createSchema);
	if (body.dataPoolId && body.dataPoolId !== poolId)
		throw new HttpError(
			400,
			`dataPoolId ${body.dataPoolId} does not match the pool in the path (${poolId})`,
		);
	const pool = ctx.store.pool(poolId)!;
	if (body.connectionId && !pool.dataConnections.some((c) => c.id === body.connectionId))
		throw new HttpError(400, `Data connection ${body.connectionId} not found in pool ${poolId}`);
	const {
		targetName,
		type,
		dataPoolId: _d,
		connectionId,
		fileType,
		keys,
		tableSchema,
		csvParsingOptions,
		upsertStrategy,
		fallbackVarcharLength,
		...extra
	} = body;
	const now = Date.now();
	const job: PushJob = {
		id: randomUUID(),
		dataPoolId: poolId,
		targetName,
		connectionId: connectionId ?? null,
		type,
		fileType: fileType ?? null,
		keys: keys ?? [],
		status: 'NEW',
		logs: [],
		tableSchema: tableSchema
			? { tableName: tableSchema.tableName, columns: tableSchema.columns }
			: null,
		csvParsingOptions: csvParsingOptions
			? Object.fromEntries(
					Object.entries(csvParsingOptions).filter(([, v]) => v !== null && v !== undefined),
				)
			: null,
		upsertStrategy: upsertStrategy ?? null,
		fallbackVarcharLength: fallbackVarcharLength ?? null,
		extra: extra as Record<string, unknown>,
		chunks: [],
		createdAt: now,
		lastModified: now,
		prefix: ctx.path.split('/')[1] ?? '',
	};
	ctx.store.pushJobs.set(job.id, job);
	sendJson(ctx, 200, presentJob(job));
}

function listJobs(ctx: Ctx): void {
	const poolId = poolOr404(ctx);
	sendJson(
		ctx,
		200,
		[...ctx.store.pushJobs.values()].filter((j) => j.dataPoolId === poolId).map(presentJob),
	);
}

function getJob(ctx: Ctx): void {
	sendJson(ctx, 200, presentJob(jobOr404(ctx)));
}

function deleteJob(ctx: Ctx): void {
	const job = jobOr404(ctx);
	ctx.store.pushJobs.delete(job.id);
	deleteJobFiles(job);
	sendEmpty(ctx, 200);
}

function notNew(job: PushJob, action: string): HttpError {
	const msg = `Job ${job.id} is in status ${job.status}; ${action} is only possible while it is NEW`;
	return new HttpError(409, msg, (res) =>
		sendFrontendError(res, 409, 'DATA_PUSH_JOB_NOT_NEW', msg),
	);
}

async function addChunk(ctx: Ctx, type: 'UPSERT' | 'DELETE'): Promise<void> {
	const job = jobOr404(ctx);
	if (job.status !== 'NEW') throw notNew(job, 'adding chunks');
	if (!isMultipart(ctx.req))
		throw new HttpError(
			400,
			"Chunks must be uploaded as multipart/form-data with a part named 'file'",
		);
	const max = ctx.store.config.maxChunkBytes;
	const { files } = await parseMultipart(ctx.req, {
		fileDir: ctx.store.chunkDir,
		maxFileBytes: max,
		tooLargeMessage: `Chunk exceeds the maximum size of ${max} bytes`,
	});
	const file = files.find((f) => f.field === 'file');
	for (const f of files) if (f !== file) rmSync(f.path, { force: true });
	if (!file) throw new HttpError(400, "Missing multipart part 'file'");
	if (job.status !== 'NEW') {
		rmSync(file.path, { force: true });
		throw notNew(job, 'adding chunks');
	}
	const fileType: 'CSV' | 'PARQUET' =
		job.fileType ?? (isParquetMagic(file.head) ? 'PARQUET' : 'CSV');
	const chunk: PushChunk = {
		id: randomUUID(),
		type,
		file: file.path,
		size: file.size,
		checksum: file.md5,
		creationDate: celonisDate(Date.now()) as string,
		fileType,
	};
	job.chunks.push(chunk);
	job.lastModified = Date.now();
	sendJson(ctx, 200, presentChunk(job, chunk));
}

function listChunks(ctx: Ctx): void {
	const job = jobOr404(ctx);
	sendJson(
		ctx,
		200,
		job.chunks.map((c) => presentChunk(job, c)),
	);
}

function execute(ctx: Ctx): void {
	const job = jobOr404(ctx);
	if (job.status !== 'NEW') throw notNew(job, 'execution');
	const cfg = ctx.store.config.dataPush;
	if (!cfg.unlimited) {
		const r = ctx.store.pushLimiter.check(cfg.perSecond, cfg.perHour);
		const headers = {
			'x-ratelimit-limit': String(r.limit),
			'x-ratelimit-remaining': String(r.remaining),
			'x-ratelimit-reset': String(r.resetSeconds),
		};
		if (!r.ok) {
			const msg = `Data push job submission limit of ${r.limit} per ${r.limit === cfg.perHour ? 'hour' : 'second'} exceeded. Retry in ${r.resetSeconds} seconds.`;
			throw new HttpError(429, msg, (res) => sendJsonString(res, 429, msg, headers));
		}
		ctx.res.setHeader('x-ratelimit-limit', headers['x-ratelimit-limit']);
		ctx.res.setHeader('x-ratelimit-remaining', headers['x-ratelimit-remaining']);
	}
	const dup = ctx.query.get('duplicateRemovalColumn');
	if (dup) job.duplicateRemovalColumn = dup;
	startExecution(ctx.store, job);
	sendEmpty(ctx, 200);
}

const access = {
	scopes: ROUTE_SCOPES.dataPush,
	permission: PERMISSIONS.dataPush,
	poolParam: 'poolId',
};

function routesFor(prefix: string): RouteDef[] {
	const base = `${prefix}/api/v1/data-push/:poolId/jobs`;
	return [
		{ method: 'POST', path: base, family: 'dataPush', access, handler: createJob },
		{ method: 'GET', path: base, family: 'dataPush', access, handler: listJobs },
		{ method: 'GET', path: `${base}/:jobId`, family: 'dataPush', access, handler: getJob },
		{ method: 'POST', path: `${base}/:jobId`, family: 'dataPush', access, handler: execute },
		{ method: 'DELETE', path: `${base}/:jobId`, family: 'dataPush', access, handler: deleteJob },
		{
			method: 'POST',
			path: `${base}/:jobId/chunks/upserted`,
			family: 'dataPush',
			access,
			handler: (ctx) => addChunk(ctx, 'UPSERT'),
		},
		{
			method: 'POST',
			path: `${base}/:jobId/chunks/deleted`,
			family: 'dataPush',
			access,
			handler: (ctx) => addChunk(ctx, 'DELETE'),
		},
		{
			method: 'GET',
			path: `${base}/:jobId/chunks`,
			family: 'dataPush',
			access,
			handler: listChunks,
		},
	];
}

export const dataPushRoutes: RouteDef[] = [
	...routesFor('/data-ingestion'),
	...routesFor('/integration'),
];
