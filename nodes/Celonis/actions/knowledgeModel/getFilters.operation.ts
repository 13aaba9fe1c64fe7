import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { toOutputItems } from '../../helpers/output';
import { locatorIdOf, returnLimitOf } from '../../helpers/parameters';
import { intelligencePaths, listAll } from '../../transport/api/intelligence';
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
	return await runPerItem(this, items.length, 1, async (i) => {
		const km = locatorIdOf(this, 'knowledgeModel', i, 'Knowledge Model', 'knowledge model');
		return toOutputItems(
			await listAll(this, intelligencePaths.filters(km), {
				limit: returnLimitOf(this, i),
				itemIndex: i,
			}),
		);
	});
}
