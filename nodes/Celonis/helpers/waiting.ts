import {
	NodeOperationError,
	sleep,
	type IExecuteFunctions,
	type IHookFunctions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

/** Waits `ms` in short slices, so a cancelled execution stops waiting at once (n8n offers no abortable sleep). */
export async function waitUnlessCancelled(
	ctx: IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions,
	ms: number,
	what: string,
): Promise<void> {
	const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
	const until = Date.now() + ms;
	while (Date.now() < until) {
		if (signal?.aborted)
			throw new NodeOperationError(
				ctx.getNode(),
				`The execution was cancelled while waiting for ${what}`,
			);
		await sleep(Math.min(250, until - Date.now()));
	}
}

/** Backoff between status polls: 0.25 s, doubling up to `maxMs`. */
export function pollDelays(maxMs = 10_000): () => number {
	let next = 250;
	return () => {
		const d = next;
		next = Math.min(maxMs, next * 2);
		return d;
	};
}

export type PollState<T> = { done: true; value: T } | { done: false; state: string };

/**
 * Polls `check` with backoff until it reports done, for at most `timeoutMs`; then fails saying what is
 * still running and in which state. `check` throws itself when the thing ended badly.
 */
export async function pollUntilDone<T>(
	ctx: IExecuteFunctions,
	options: { what: string; timeoutMs: number; itemIndex?: number; onTimeout: string },
	check: () => Promise<PollState<T>>,
): Promise<T> {
	const started = Date.now();
	const delay = pollDelays();
	for (;;) {
		const result = await check();
		if (result.done) return result.value;
		const elapsed = Date.now() - started;
		if (elapsed >= options.timeoutMs) {
			throw new NodeOperationError(
				ctx.getNode(),
				`${options.what} is still ${result.state || 'not started'} after ${Math.round(elapsed / 1000)} s`,
				{
					itemIndex: options.itemIndex,
					description: options.onTimeout,
				},
			);
		}
		await waitUnlessCancelled(ctx, Math.min(delay(), options.timeoutMs - elapsed), options.what);
	}
}
