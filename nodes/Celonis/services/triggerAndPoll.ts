import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { pollUntilDone } from '../helpers/waiting';

/** Something Celonis runs in the background (a data model load, a data job execution). */
export interface BackgroundRun<S> {
	/** e.g. "Data job X", for messages */
	what: string;
	/** the run's status as Celonis reports it (read before the trigger and while polling) */
	readState: () => Promise<S>;
	trigger: () => Promise<void>;
	/**
	 * The run's outcome from its status: still running (with a state to report), or done with the fields of
	 * the result; throws when it ended badly. `before` is the status read before the trigger, to tell the
	 * run this node started from an older one.
	 */
	settle: (
		state: S,
		before: S,
	) => { done: false; state: string } | { done: true; value: IDataObject };
}

/**
 * Triggers a background run and, when "Wait for Completion" is on, follows it until it finished, for at
 * most "Wait Timeout"; returns the item with `summary` and what the run reported.
 */
export async function triggerAndPoll<S>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	summary: IDataObject,
	run: BackgroundRun<S>,
): Promise<INodeExecutionData[]> {
	const started = Date.now();
	const before = await run.readState();
	await run.trigger();
	if (!ctx.getNodeParameter('waitForCompletion', itemIndex, true))
		return [{ json: { ...summary, status: 'TRIGGERED', durationMs: Date.now() - started } }];
	const result = await pollUntilDone(
		ctx,
		{
			what: run.what,
			timeoutMs: (ctx.getNodeParameter('waitTimeout', itemIndex, 3600) as number) * 1000,
			itemIndex,
			onTimeout: 'Raise "Wait Timeout", or turn off "Wait for Completion".',
		},
		async () => {
			const outcome = run.settle(await run.readState(), before);
			return outcome.done ? { done: true, value: outcome.value } : outcome;
		},
	);
	return [{ json: { ...summary, ...result, durationMs: Date.now() - started } }];
}
