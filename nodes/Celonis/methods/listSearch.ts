import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { getList, integrationPaths } from '../transport/api/integration';

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

function poolOf(ctx: ILoadOptionsFunctions): string {
	return String(ctx.getCurrentNodeParameter('dataPool', { extractValue: true }) ?? '').trim();
}

/** Data pools of the team (GET /integration/api/pools). */
export async function searchDataPools(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return filtered(await getList(this, integrationPaths.pools), filter, (p) =>
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
	return filtered(await getList(this, integrationPaths.dataModels(pool)), filter, (m) =>
		String(m.name ?? m.id),
	);
}

/** Data jobs of the chosen pool. */
export async function searchDataJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const pool = poolOf(this);
	if (!pool) return { results: [] };
	return filtered(await getList(this, integrationPaths.dataJobs(pool)), filter, (j) =>
		String(j.name ?? j.id),
	);
}
