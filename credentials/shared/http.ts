import { sleep, type IHttpRequestHelper, type IHttpRequestOptions } from 'n8n-workflow';

import { readNetworkFailure } from '../../shared/network';
import { rateLimitWaitMs } from '../../shared/rateLimit';
import { unreachableTeamError, type TeamTarget } from './errors';

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
	/** How many times the request was sent (transient failures are retried). */
	attempts: number;
}

const TIMEOUT_MS = 30_000;
/** A key check or token request is retried like any idempotent request, but briefly: a user is waiting. */
const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 500;
/** Longest rate-limit reset worth waiting for inside a credential check. */
const MAX_RATE_LIMIT_WAIT_MS = 30_000;
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set([
	'ECONNRESET',
	'EPIPE',
	'UND_ERR_SOCKET',
	'EAI_AGAIN',
	'ECONNABORTED',
]);

/**
 * Sends one request from a credential's preAuthentication and returns the response whatever its status:
 * the caller turns statuses into precise messages. Transient failures (a 5xx, a broken connection, a short
 * rate limit) are retried a few times with backoff; a timeout is not (it already waited). Redirects are
 * never followed, so a key or secret can only ever reach the team's own origin.
 */
export async function sendRaw(
	helper: IHttpRequestHelper,
	team: TeamTarget,
	what: string,
	options: IHttpRequestOptions,
): Promise<RawResponse> {
	type Full = { statusCode: number; headers: RawResponse['headers']; body: unknown };
	const timeoutMs = options.timeout ?? TIMEOUT_MS;
	for (let attempt = 1; ; attempt++) {
		const outcome = await helper.helpers
			.httpRequest({
				...options,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: timeoutMs,
			})
			.then(
				(response: Full) => ({ response }),
				(networkError: unknown) => ({ networkError }),
			);
		const last = attempt >= MAX_ATTEMPTS;
		// With ignoreHttpStatusErrors every HTTP answer resolves: a rejection means no answer at all.
		if ('networkError' in outcome) {
			const failure = readNetworkFailure(outcome.networkError);
			if (last || failure.timedOut || !TRANSIENT_NETWORK.has(failure.code ?? '')) {
				throw unreachableTeamError(team, what, timeoutMs, outcome.networkError);
			}
			await sleep(backoffMs(attempt));
			continue;
		}
		const { response } = outcome;
		const raw: RawResponse = {
			status: response.statusCode,
			headers: response.headers ?? {},
			body: parseBody(response.body),
			attempts: attempt,
		};
		const waitMs = last ? undefined : retryWaitMs(raw, attempt);
		if (waitMs === undefined) return raw;
		await sleep(waitMs);
	}
}

function backoffMs(attempt: number): number {
	const exponential = BASE_DELAY_MS * 2 ** (attempt - 1);
	return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

function retryWaitMs(response: RawResponse, attempt: number): number | undefined {
	if (TRANSIENT_STATUS.has(response.status)) return backoffMs(attempt);
	if (response.status !== 429) return undefined;
	const headers: Record<string, string | undefined> = {};
	for (const name of ['x-ratelimit-reset', 'retry-after'])
		headers[name] = headerValue(response.headers, name);
	const waitMs = rateLimitWaitMs(headers) ?? backoffMs(attempt);
	return waitMs <= MAX_RATE_LIMIT_WAIT_MS ? waitMs : undefined;
}

/** " (tried 4 times)" after a failure that was retried, so the user knows it was not a one-off. */
export function triedNote(response: RawResponse): string {
	return response.attempts > 1 ? ` (tried ${response.attempts} times)` : '';
}

function parseBody(body: unknown): unknown {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** "HTTP 404", or "HTTP 302 to https://..." for redirects: how a non-Celonis answer is described. */
export function describeStatus(response: RawResponse): string {
	const location = headerValue(response.headers, 'location');
	return location && response.status >= 300 && response.status < 400
		? `HTTP ${response.status} (a redirect to ${safeOrigin(location)})`
		: `HTTP ${response.status}`;
}

function safeOrigin(location: string): string {
	try {
		return new URL(location).origin;
	} catch {
		return 'another address';
	}
}
