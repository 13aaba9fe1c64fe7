import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

/**
 * A parameter value the user must fix, found before anything was sent. It carries the item it belongs to
 * as data (`toNodeError` gives it to n8n's NodeOperationError), and its message names it as `[item N]`,
 * as an operation that reads all items at once must say which one is wrong.
 */
export class ParameterError extends Error {
	constructor(
		message: string,
		readonly itemIndex?: number,
	) {
		super(itemIndex !== undefined ? `[item ${itemIndex}] ${message}` : message);
		this.name = 'ParameterError';
	}
}

/** The item an error belongs to, as its data says (n8n's `context.itemIndex`, or a ParameterError's). */
export function itemIndexOf(error: unknown): number | undefined {
	if (error instanceof ParameterError) return error.itemIndex;
	const index = (error as { context?: { itemIndex?: unknown } })?.context?.itemIndex;
	return typeof index === 'number' ? index : undefined;
}

/**
 * Any error as an n8n node error, the one way errors leave an operation: NodeApiError and
 * NodeOperationError pass through (given the item when they have none), anything else becomes a
 * NodeOperationError with its message and the item it belongs to.
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
	const index = itemIndexOf(error) ?? itemIndex;
	return new NodeOperationError(node, message, index !== undefined ? { itemIndex: index } : {});
}

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

/** The `errorCode` Celonis gave a failed request (Knowledge Model and Event Subscription APIs), if any. */
export function errorCodeOf(error: unknown): string | undefined {
	const code = (error as { context?: { celonisErrorCode?: unknown } })?.context?.celonisErrorCode;
	return typeof code === 'string' ? code : undefined;
}
