import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { toOutputItems } from '../../helpers/output';
import { returnLimitOf } from '../../helpers/parameters';
import { intelligencePaths, listAll } from '../../transport/api/intelligence';
import { limitFields } from '../common.descriptions';

const properties: INodeProperties[] = [...limitFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['knowledgeModel'], operation: ['getAll'] } },
	properties,
);

/** The knowledge models the credential may use (GET /intelligence/api/knowledge-models, paged). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) =>
		toOutputItems(
			await listAll(this, intelligencePaths.knowledgeModels, {
				limit: returnLimitOf(this, i),
				itemIndex: i,
			}),
		),
	);
}
