import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

/**
 * What an item becomes when "Continue On Fail" is on: the message, never a stack or a credential, and
 * what the operation had done before it failed (see withOutcome).
 */
export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const e = error as {
		message?: string;
		description?: string | null;
		httpCode?: string | null;
		context?: { outcome?: IDataObject };
	};
	const json: IDataObject = { error: e?.message ?? String(error) };
	if (e?.description) json.description = e.description;
	if (e?.httpCode) json.httpCode = e.httpCode;
	if (e?.context?.outcome) Object.assign(json, e.context.outcome);
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * Adds to a failure what the operation had already done in Celonis (e.g. the batches that landed): a
 * sentence in the error's description, and fields in the error item under "Continue On Fail".
 */
export function withOutcome(
	node: INode,
	error: unknown,
	sentence: string,
	outcome: IDataObject,
): NodeApiError | NodeOperationError {
	const nodeError = toNodeError(node, error);
	nodeError.description = [nodeError.description, sentence].filter(Boolean).join(' ');
	nodeError.context.outcome = outcome;
	return nodeError;
}

/** Whether a failed request may still have taken effect in Celonis (sent, then its answer was lost). */
export function errorMayHaveActed(error: unknown): boolean {
	return (error as { context?: { mayHaveActed?: unknown } })?.context?.mayHaveActed === true;
}

/**
 * Any error as an n8n node error: NodeApiError/NodeOperationError pass through (with `[item N]` added
 * when missing), anything else becomes a NodeOperationError with its message.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined)
			error.context.itemIndex = itemIndex;
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message, itemIndex !== undefined ? { itemIndex } : {});
}

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
