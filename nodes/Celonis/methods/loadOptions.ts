import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { intelligencePaths, knowledgeModels, listAll } from '../transport/api/intelligence';
import { chosenId } from './listSearch';

/** The fields of the chosen record of the chosen knowledge model, for Fields, Sort and Search Field. */
export async function getRecordFields(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const km = chosenId(this, 'knowledgeModel');
	const record = chosenId(this, 'record');
	if (!km || !record) return [];
	const fields = (await knowledgeModels.record(this, km, record)).fields;
	return (Array.isArray(fields) ? fields : [])
		.filter((f): f is { id: string; name?: unknown; type?: unknown } => typeof f?.id === 'string')
		.map((f) => ({
			name: f.name && f.name !== f.id ? `${String(f.name)} (${f.id})` : f.id,
			value: f.id,
			...(f.type ? { description: String(f.type) } : {}),
		}));
}

/** The filters defined in the chosen knowledge model. */
export async function getKnowledgeModelFilters(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const km = chosenId(this, 'knowledgeModel');
	if (!km) return [];
	return (await listAll(this, intelligencePaths.filters(km)))
		.filter((f) => typeof f.id === 'string')
		.map((f) => ({
			name: f.name && f.name !== f.id ? `${String(f.name)} (${String(f.id)})` : String(f.id),
			value: String(f.id),
			...(f.description ? { description: String(f.description) } : {}),
		}));
}
