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
	{ show: { resource: ['knowledgeModel'], operation: ['getRecords'] } },
	properties,
);

/** The records of a knowledge model (its tables: id, name, description). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await listPerKnowledgeModel(this, items, intelligencePaths.records);
}
