import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { celonisRequest } from '../transport';

function filtered(
	entries: IDataObject[],
	filter: string | undefined,
	label: (e: IDataObject) => string,
): INodeListSearchResult {
	const f = (filter ?? '').trim().toLowerCase();
	const results = entries
		.filter((e) => typeof e.id === 'string')
		.map((e) => ({ name: label(e), value: String(e.id) }))
		.filter(
			(r) => f === '' || r.name.toLowerCase().includes(f) || r.value.toLowerCase().includes(f),
		)
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}

async function getList(ctx: ILoadOptionsFunctions, path: string): Promise<IDataObject[]> {
	const response = await celonisRequest.call(ctx, { method: 'GET', path, responseFormat: 'json' });
	return Array.isArray(response.body) ? (response.body as IDataObject[]) : [];
}

function poolOf(ctx: ILoadOptionsFunctions): string {
	return String(ctx.getCurrentNodeParameter('dataPool', { extractValue: true }) ?? '').trim();
}

/** Data pools of the team (GET /integration/api/pools). */
export async function searchDataPools(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return filtered(await getList(this, '/integration/api/pools'), filter, (p) =>
		String(p.name ?? p.id),
	);
}

/** Data models of the chosen pool. */
export async function searchDataModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const pool = poolOf(this);
	if (!pool) return { results: [] };
	return filtered(
		await getList(this, `/integration/api/pools/${encodeURIComponent(pool)}/data-models`),
		filter,
		(m) => String(m.name ?? m.id),
	);
}

/** Data jobs of the chosen pool. */
export async function searchDataJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const pool = poolOf(this);
	if (!pool) return { results: [] };
	return filtered(
		await getList(this, `/integration/api/pools/${encodeURIComponent(pool)}/jobs`),
		filter,
		(j) => String(j.name ?? j.id),
	);
}
