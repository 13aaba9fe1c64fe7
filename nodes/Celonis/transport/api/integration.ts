import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { celonisRequest } from '../request';

/**
 * The Data Integration API (docs/celonis-api.md, "Data Integration API"): data pools, their data models
 * (tables, loads) and data jobs (execution, status).
 */
const pool = (poolId: string) => encodeURIComponent(poolId);
export const integrationPaths = {
	pools: '/integration/api/pools',
	dataModels: (poolId: string) => `/integration/api/pools/${pool(poolId)}/data-models`,
	dataJobs: (poolId: string) => `/integration/api/pools/${pool(poolId)}/jobs`,
	dataJob: (poolId: string, jobId: string) =>
		`/integration/api/pools/${pool(poolId)}/jobs/${encodeURIComponent(jobId)}`,
	executeDataJob: (poolId: string, jobId: string) =>
		`/integration/api/v2/data-pools/${pool(poolId)}/data-jobs/${encodeURIComponent(jobId)}/execute`,
	dataModel: (poolId: string, modelId: string) =>
		`/integration/api/v1/data-pools/${pool(poolId)}/data-models/${encodeURIComponent(modelId)}`,
};

/** GET of a list; anything but a list counts as empty. */
export async function getList(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	path: string,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const response = await celonisRequest.call(ctx, {
		method: 'GET',
		path,
		responseFormat: 'json',
		itemIndex,
	});
	return Array.isArray(response.body) ? (response.body as IDataObject[]) : [];
}

async function getObject(ctx: IExecuteFunctions, path: string, itemIndex: number) {
	return (
		await celonisRequest.call(ctx, { method: 'GET', path, responseFormat: 'json', itemIndex })
	).body as IDataObject;
}

async function post(
	ctx: IExecuteFunctions,
	path: string,
	itemIndex: number,
	extra: { qs?: IDataObject; body?: string } = {},
) {
	await celonisRequest.call(ctx, {
		method: 'POST',
		path,
		qs: extra.qs,
		body: extra.body,
		...(extra.body !== undefined ? { headers: { 'Content-Type': 'application/json' } } : {}),
		responseFormat: 'text',
		itemIndex,
	});
}

export const dataModels = {
	lastLoad: async (ctx: IExecuteFunctions, poolId: string, modelId: string, itemIndex: number) =>
		await getObject(ctx, `${integrationPaths.dataModel(poolId, modelId)}/last-load`, itemIndex),
	tables: async (ctx: IExecuteFunctions, poolId: string, modelId: string, itemIndex: number) =>
		await getList(ctx, `${integrationPaths.dataModel(poolId, modelId)}/tables`, itemIndex),
	load: async (
		ctx: IExecuteFunctions,
		poolId: string,
		modelId: string,
		fullReload: boolean,
		itemIndex: number,
	) =>
		await post(ctx, `${integrationPaths.dataModel(poolId, modelId)}/load`, itemIndex, {
			qs: { fullReload },
		}),
	loadTables: async (
		ctx: IExecuteFunctions,
		poolId: string,
		modelId: string,
		tableIds: string[],
		itemIndex: number,
	) =>
		await post(ctx, `${integrationPaths.dataModel(poolId, modelId)}/load/partial-sync`, itemIndex, {
			body: JSON.stringify(tableIds),
		}),
};

export const dataJobs = {
	status: async (ctx: IExecuteFunctions, poolId: string, jobId: string, itemIndex: number) =>
		await getObject(ctx, integrationPaths.dataJob(poolId, jobId), itemIndex),
	execute: async (
		ctx: IExecuteFunctions,
		poolId: string,
		jobId: string,
		mode: string,
		itemIndex: number,
	) => await post(ctx, integrationPaths.executeDataJob(poolId, jobId), itemIndex, { qs: { mode } }),
};
