import type { IHttpRequestMethods } from 'n8n-workflow';

import { describeNetworkCode } from '../../../shared/network';
import { rateLimitWaitMs } from '../../../shared/rateLimit';
import type { HttpFailure } from './responses';

export { rateLimitWaitMs };

/** How the transport retries; every field is a node option the user can change. */
export interface RetryPolicy {
	maxRetries: number;
	/** Total time all waits of one request may add up to. */
	maxWaitMs: number;
	/** Whether POST/PATCH (not idempotent) may be sent again after a 5xx or a broken connection. */
	retryNonIdempotent: boolean;
	baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
	maxRetries: 5,
	maxWaitMs: 300_000,
	retryNonIdempotent: false,
	baseDelayMs: 1_000,
};

/** The values of the "Max Retries" and "Max Total Wait" options (see retryOptionProperties). */
export interface RetryOptionValues {
	maxRetries?: number;
	maxWaitSeconds?: number;
	/** Max Total Wait's name in the data push job operations (kept from 0.1.0; see retryOptionProperties). */
	maxRateLimitWait?: number;
}

/** The retry policy from those options; unset ones keep the defaults. */
export function retryPolicyOf(options: RetryOptionValues): Partial<RetryPolicy> {
	const waitSeconds = options.maxWaitSeconds ?? options.maxRateLimitWait;
	return {
		...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
		...(waitSeconds !== undefined ? { maxWaitMs: Math.max(0, waitSeconds) * 1000 } : {}),
	};
}

const IDEMPOTENT: readonly IHttpRequestMethods[] = ['GET', 'HEAD', 'PUT', 'DELETE'];
const RETRYABLE_STATUS = new Set([502, 503, 504]);
const RETRYABLE_NETWORK = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
]);

export type RetryDecision =
	| { retry: true; waitMs: number; reason: string }
	| { retry: false; reason?: string };

export function backoffMs(
	attempt: number,
	baseMs: number,
	random: () => number = Math.random,
): number {
	const exponential = baseMs * 2 ** attempt;
	return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Decides whether attempt number `attempt` (0-based) that failed with `failure` is retried, and after how long. */
export function decideRetry(
	method: IHttpRequestMethods,
	failure: Pick<HttpFailure, 'status' | 'networkCode' | 'headers'>,
	attempt: number,
	waitedMs: number,
	policy: RetryPolicy,
	random?: () => number,
): RetryDecision {
	if (attempt >= policy.maxRetries)
		return { retry: false, reason: `gave up after ${policy.maxRetries} retries` };
	let waitMs: number;
	let reason: string;
	if (failure.status === 429) {
		// A rate-limited request was not processed, so even a POST is safe to send again.
		waitMs = rateLimitWaitMs(failure.headers) ?? backoffMs(attempt, policy.baseDelayMs, random);
		reason = 'rate limited (HTTP 429)';
	} else if (
		(failure.status !== undefined && RETRYABLE_STATUS.has(failure.status)) ||
		(failure.networkCode && RETRYABLE_NETWORK.has(failure.networkCode))
	) {
		if (!IDEMPOTENT.includes(method) && !policy.retryNonIdempotent) {
			return {
				retry: false,
				reason: `${method} is not retried automatically, so it cannot run twice (enable "Retry Non-Idempotent Requests" to allow it)`,
			};
		}
		waitMs = backoffMs(attempt, policy.baseDelayMs, random);
		reason = failure.status ? `HTTP ${failure.status}` : describeNetworkCode(failure.networkCode);
	} else {
		return { retry: false };
	}
	if (waitedMs + waitMs > policy.maxWaitMs) {
		return {
			retry: false,
			reason: `waiting another ${Math.ceil(waitMs / 1000)} s would exceed the maximum total wait of ${Math.round(policy.maxWaitMs / 1000)} s`,
		};
	}
	return { retry: true, waitMs, reason };
}
