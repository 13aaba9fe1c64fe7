import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { listPerKnowledgeModel } from '../../services/knowledgeModelLists';
import { intelligencePaths } from '../../transport/api/intelligence';
import { knowledgeModelLocator, limitFields } from '../common.descriptions';

const properties: INodeProperties[] = [knowledgeModelLocator, ...limitFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['knowledgeModel'], operation: ['getFilters'] } },
	properties,
);

/** The filters a knowledge model defines (usable in Get Record Data → Knowledge Model Filters). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await listPerKnowledgeModel(this, items, intelligencePaths.filters);
}
