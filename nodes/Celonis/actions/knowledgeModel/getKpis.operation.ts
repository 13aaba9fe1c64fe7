import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { listPerKnowledgeModel } from '../../services/knowledgeModelLists';
import { intelligencePaths, knowledgeModels } from '../../transport/api/intelligence';
import { knowledgeModelLocator, limitFields } from '../common.descriptions';

const properties: INodeProperties[] = [
	knowledgeModelLocator,
	...limitFields,
	{
		displayName: 'Include Values',
		name: 'includeValues',
		type: 'boolean',
		default: false,
		description:
			"Whether to add each KPI's current value (`value`), read from the knowledge model's data in one more request",
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['knowledgeModel'], operation: ['getKpis'] } },
	properties,
);

/** The KPIs of a knowledge model, optionally with their values (GET .../{km}/data?kpis=…). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await listPerKnowledgeModel(this, items, intelligencePaths.kpis, async (kpis, km, i) => {
		const ids = kpis.map((k) => k.id).filter((id): id is string => typeof id === 'string');
		if (this.getNodeParameter('includeValues', i, false) !== true || ids.length === 0) return kpis;
		const values = await knowledgeModels.kpiValues(this, km, ids, i);
		return kpis.map((k) => ({
			...k,
			value: (values[String(k.id)] ?? null) as IDataObject[string],
		}));
	});
}
