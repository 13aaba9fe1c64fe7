/** Continuous Data Push: POST /continuous-batch-processing/api/v1/{pool}/items (docs/celonis-api.md#continuous-data-push-api). Items are flushed after a delay. */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { isParquetMagic } from '../chunkReader';
import { readChunk } from '../dataPushEngine';
import { sendJsonString, sendPlainText } from '../errors';
import { HttpError, sendJson, type Ctx } from '../http';
import { isMultipart, parseMultipart } from '../multipart';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import type { ContinuousItem, Store } from '../store';
import {
	coerce,
	DEFAULT_VARCHAR_LENGTH,
	inferTypeFromStrings,
	inferTypeFromValue,
	type Column,
	type Row,
} from '../tables';

function poolOr404(ctx: Ctx): string {
	const poolId = ctx.params.poolId as string;
	if (!ctx.store.pool(poolId))
		throw new HttpError(404, `Data pool ${poolId} not found`, (res) =>
			sendJsonString(res, 404, `Data pool with id ${poolId} not found`),
		);
	return poolId;
}

async function upload(ctx: Ctx): Promise<void> {
	const poolId = poolOr404(ctx);
	const targetName = ctx.query.get('targetName');
	if (!targetName)
		throw new HttpError(
			400,
			"Required request parameter 'targetName' for method parameter type String is not present",
			(res) =>
				sendPlainText(
					res,
					400,
					"Required request parameter 'targetName' for method parameter type String is not present",
				),
		);
	const fvl = ctx.query.get('fallbackVarcharLength');
	if (fvl !== null && (!/^\d+$/.test(fvl) || Number(fvl) < 1 || Number(fvl) > 65000))
		throw new HttpError(400, 'fallbackVarcharLength must be between 1 and 65000', (res) =>
			sendPlainText(res, 400, 'fallbackVarcharLength must be between 1 and 65000'),
		);
	if (!isMultipart(ctx.req))
		throw new HttpError(400, "multipart part 'file' required", (res) =>
			sendPlainText(res, 400, "Required request part 'file' is not present"),
		);
	const { files } = await parseMultipart(ctx.req, {
		fileDir: ctx.store.chunkDir,
		maxFileBytes: ctx.store.config.maxChunkBytes,
	});
	const file = files.find((f) => f.field === 'file');
	for (const f of files) if (f !== file) rmSync(f.path, { force: true });
	if (!file)
		throw new HttpError(400, 'missing file', (res) =>
			sendPlainText(res, 400, "Required request part 'file' is not present"),
		);
	const item: ContinuousItem = {
		id: randomUUID(),
		poolId,
		targetName,
		connectionId: ctx.query.get('connectionId'),
		clientId: ctx.query.get('clientId'),
		fileName: file.filename,
		bucketId: `bucket-${poolId.slice(-4)}-${targetName}`,
		flushStatus: 'new',
		fallbackVarcharLength: fvl === null ? null : Number(fvl),
		upsertStrategy: ctx.query.get('upsertStrategy'),
		primaryKeys: (ctx.query.get('primaryKeys') ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean),
		file: file.path,
		size: file.size,
		createdAt: new Date().toISOString(),
		logs: [],
	};
	ctx.store.continuousItems.push(item);
	const fileType = isParquetMagic(file.head) ? 'PARQUET' : 'CSV';
	ctx.store.schedule(
		() => void flush(ctx.store, item, fileType),
		ctx.store.config.continuousFlushMs,
	);
	sendJson(ctx, 200, {
		id: item.id,
		fileName: item.fileName,
		bucketId: item.bucketId,
		flushStatus: item.flushStatus,
		clientId: item.clientId,
		fallbackVarcharLength: item.fallbackVarcharLength,
		upsertStrategy: item.upsertStrategy,
	});
}

async function flush(
	store: Store,
	item: ContinuousItem,
	fileType: 'CSV' | 'PARQUET',
): Promise<void> {
	try {
		const data = await readChunk(item.file, fileType, null);
		for (const k of item.primaryKeys)
			if (!data.columns.includes(k)) throw new Error(`primary key column '${k}' not found`);
		const table = store.tables.ensure(item.poolId, item.targetName, item.connectionId);
		const cols: Column[] = data.columns.map((name) => {
			const existing = table.column(name);
			if (existing) return existing;
			const type =
				data.source === 'CSV'
					? inferTypeFromStrings(data.rows.map((r) => r[name] as string | null))
					: (data.rows.map((r) => inferTypeFromValue(r[name])).find((t) => t) ?? 'STRING');
			return {
				name,
				type,
				fieldLength:
					type === 'STRING' ? (item.fallbackVarcharLength ?? DEFAULT_VARCHAR_LENGTH) : null,
			};
		});
		table.mergeColumns(cols);
		const key = (r: Row) => JSON.stringify(item.primaryKeys.map((k) => r[k] ?? null));
		const index = new Map<string, number>();
		if (item.primaryKeys.length) table.rows.forEach((r, i) => index.set(key(r), i));
		for (const raw of data.rows) {
			const row: Row = {};
			for (const c of table.columns) {
				const v = coerce(raw[c.name], c);
				if ('error' in v) throw new Error(v.error);
				row[c.name] = v.value;
			}
			const at = item.primaryKeys.length ? index.get(key(row)) : undefined;
			if (at !== undefined)
				table.rows[at] =
					item.upsertStrategy === 'UPSERT_WITH_NULLIFICATION'
						? row
						: {
								...table.rows[at],
								...Object.fromEntries(Object.entries(row).filter(([k]) => k in raw)),
							};
			else {
				if (item.primaryKeys.length) index.set(key(row), table.rows.length);
				table.rows.push(row);
			}
		}
		item.flushStatus = 'flushed';
	} catch (e) {
		item.flushStatus = 'error';
		item.logs.push((e as Error).message);
	} finally {
		rmSync(item.file, { force: true });
	}
}

function flushes(ctx: Ctx): void {
	const poolId = poolOr404(ctx);
	const target = ctx.query.get('targetName');
	const conn = ctx.query.get('connectionId');
	sendJson(
		ctx,
		200,
		ctx.store.continuousItems
			.filter(
				(i) =>
					i.poolId === poolId &&
					(!target || i.targetName === target) &&
					(!conn || i.connectionId === conn),
			)
			.map(({ file: _f, poolId: _p, ...rest }) => rest),
	);
}

const access = {
	scopes: ROUTE_SCOPES.continuousPush,
	permission: PERMISSIONS.continuousPush,
	poolParam: 'poolId',
};

export const continuousPushRoutes: RouteDef[] = [
	{
		method: 'POST',
		path: '/continuous-batch-processing/api/v1/:poolId/items',
		family: 'integration',
		access,
		handler: upload,
	},
	{
		method: 'GET',
		path: '/continuous-batch-processing/api/v1/:poolId/flushes',
		family: 'integration',
		access,
		handler: flushes,
	},
];
