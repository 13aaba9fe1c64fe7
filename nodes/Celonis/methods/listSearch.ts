import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { getList, integrationPaths } from '../transport/api/integration';
import { intelligencePaths, listAll, subscriptions } from '../transport/api/intelligence';

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

/** The ID chosen in another resource locator of the node, if it is one (an ID never reshapes a path). */
export function chosenId(ctx: ILoadOptionsFunctions, parameter: string): string | undefined {
	const id = String(ctx.getCurrentNodeParameter(parameter, { extractValue: true }) ?? '').trim();
	return /^[A-Za-z0-9_-]+$/.test(id) ? id : undefined;
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

const nameOf = (e: IDataObject) => String(e.name ?? e.id);

/** Knowledge models the credential can use (GET /intelligence/api/knowledge-models, every page). */
export async function searchKnowledgeModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return filtered(await listAll(this, intelligencePaths.knowledgeModels), filter, nameOf);
}

/** Records of the chosen knowledge model. */
export async function searchRecords(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const km = chosenId(this, 'knowledgeModel');
	if (!km) return { results: [] };
	return filtered(await listAll(this, intelligencePaths.records(km)), filter, nameOf);
}

/** Triggers of the chosen knowledge model (the subscription scope is enough to list them). */
export async function searchTriggers(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const km = chosenId(this, 'knowledgeModel');
	if (!km) return { results: [] };
	return filtered(await listAll(this, intelligencePaths.triggers(km)), filter, (t) =>
		t.record ? `${nameOf(t)} (${String(t.record)})` : nameOf(t),
	);
}

/** The team's event subscriptions, with their status and trigger. */
export async function searchSubscriptions(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return filtered(
		await subscriptions.list(this),
		filter,
		(s) => `${nameOf(s)} (${String(s.status)}, trigger ${String(s.triggerId)})`,
	);
}
