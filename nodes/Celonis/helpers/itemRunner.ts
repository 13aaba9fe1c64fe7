import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, itemIndexOf, toNodeError } from './nodeErrors';

/**
 * Runs `handle` for every input item with at most `concurrency` in flight, returns the outputs in input
 * order with `pairedItem` set, and honours "Continue On Fail" (a failed item becomes an error item; without
 * it the first failure stops the node and no further items are started).
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	itemCount: number,
	concurrency: number,
	handle: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = new Array(itemCount);
	let next = 0;
	let failure: { error: unknown; itemIndex: number } | undefined;
	const continueOnFail = ctx.continueOnFail();

	const worker = async () => {
		while (next < itemCount && failure === undefined) {
			const itemIndex = next++;
			try {
				const output = await handle(itemIndex);
				results[itemIndex] = output.map((item) => ({ ...item, pairedItem: { item: itemIndex } }));
			} catch (error) {
				if (continueOnFail) results[itemIndex] = [errorItem(error, itemIndex)];
				else failure ??= { error, itemIndex };
			}
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, itemCount));
	await Promise.all(Array.from({ length: workers }, worker));
	if (failure) throw toNodeError(ctx.getNode(), failure.error, failure.itemIndex);
	return results.flat();
}

/** One output item for an operation that turns all input items into one result, paired with all of them. */
export function summaryItem(json: IDataObject, itemCount: number): INodeExecutionData {
	return {
		json,
		pairedItem: Array.from({ length: Math.max(1, itemCount) }, (_, item) => ({ item })),
	};
}

/**
 * Runs an operation that consumes all input items at once (a push): its result or, with "Continue On
 * Fail", its error becomes one item paired with all inputs; otherwise it fails the node with the item the
 * error belongs to.
 */
export async function runAllItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	run: () => Promise<IDataObject>,
): Promise<INodeExecutionData[]> {
	try {
		return [summaryItem(await run(), items.length)];
	} catch (error) {
		const itemIndex = itemIndexOf(error);
		if (ctx.continueOnFail()) {
			const item = errorItem(toNodeError(ctx.getNode(), error), itemIndex ?? 0);
			return [{ ...item, pairedItem: summaryItem({}, items.length).pairedItem }];
		}
		throw toNodeError(ctx.getNode(), error, itemIndex);
	}
}
