import type { INodeProperties } from 'n8n-workflow';

import type { RetryPolicy } from '../transport';

export interface RetryOptionValues {
	maxRetries?: number;
	maxWaitSeconds?: number;
}

/** "Max Retries" and "Max Total Wait" for an operation's Options collection; `what` is what gets retried. */
export function retryOptionProperties(what: string): INodeProperties[] {
	return [
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: 5,
			description: `How often a rate-limited (429), unavailable (502/503/504) or broken ${what} is retried`,
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 300,
			description: `How long the retries of one ${what} may wait in total, including waits Celonis asks for with x-ratelimit-reset`,
		},
	];
}

/** The transport's retry policy from those options (unset ones keep the transport's defaults). */
export function retryPolicyOf(options: RetryOptionValues): Partial<RetryPolicy> {
	return {
		...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
		...(options.maxWaitSeconds !== undefined ? { maxWaitMs: options.maxWaitSeconds * 1000 } : {}),
	};
}
