import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runPerItem } from '../helpers/itemRunner';
import { toOutputItems } from '../helpers/output';
import { locatorIdOf, returnLimitOf } from '../helpers/parameters';
import { listAll } from '../transport/api/intelligence';

/**
 * The loop of the Knowledge Model list operations: for each input item, the list at `pathOf(the knowledge
 * model the item names)` (Return All / Limit), optionally completed by `complete`, one output item per element.
 */
export async function listPerKnowledgeModel(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	pathOf: (knowledgeModelId: string) => string,
	complete?: (
		list: IDataObject[],
		knowledgeModelId: string,
		itemIndex: number,
	) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[]> {
	return await runPerItem(ctx, items.length, 1, async (i) => {
		const km = locatorIdOf(ctx, 'knowledgeModel', i, 'Knowledge Model', 'knowledge model');
		const list = await listAll(ctx, pathOf(km), { limit: returnLimitOf(ctx, i), itemIndex: i });
		return toOutputItems(complete ? await complete(list, km, i) : list);
	});
}
