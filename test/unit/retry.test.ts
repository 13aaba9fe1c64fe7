import {
	backoffMs,
	decideRetry,
	DEFAULT_RETRY,
	rateLimitWaitMs,
} from '../../nodes/Celonis/transport/retry';

describe('rateLimitWaitMs', () => {
	const now = Date.parse('2026-11-29T06:10:00Z');
	it('reads x-ratelimit-reset as seconds to wait (documented prose)', () => {
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': '7' }, now)).toBe(7000);
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': '0.5' }, now)).toBe(500);
	});
	it('reads x-ratelimit-reset as a UTC date-time (OpenAPI) or HTTP date', () => {
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': '2026-11-29T06:10:41Z' }, now)).toBe(41_000);
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': 'Sun, 29 Nov 2026 06:10:05 GMT' }, now)).toBe(
			5_000,
		);
	});
	it('reads an epoch timestamp and Retry-After', () => {
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': String(now / 1000 + 3) }, now)).toBe(3000);
		expect(rateLimitWaitMs({ 'retry-after': '2' }, now)).toBe(2000);
	});
	it('never waits a negative time and knows when nothing is said', () => {
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': '2026-11-29T06:00:00Z' }, now)).toBe(0);
		expect(rateLimitWaitMs({}, now)).toBeUndefined();
		expect(rateLimitWaitMs({ 'x-ratelimit-reset': 'soon' }, now)).toBeUndefined();
	});
});

describe('decideRetry', () => {
	const policy = { ...DEFAULT_RETRY, baseDelayMs: 100 };
	const half = () => 0.5;
	it('waits as long as a 429 says, for every method (the request was not processed)', () => {
		expect(
			decideRetry('POST', { status: 429, headers: { 'x-ratelimit-reset': '3' } }, 0, 0, policy),
		).toEqual({ retry: true, waitMs: 3000, reason: 'rate limited (HTTP 429)' });
	});
	it('backs off exponentially with jitter on 502/503/504 and connection resets for idempotent methods', () => {
		expect(decideRetry('GET', { status: 503, headers: {} }, 2, 0, policy, half)).toMatchObject({
			retry: true,
			waitMs: 300,
		});
		expect(
			decideRetry('DELETE', { networkCode: 'ECONNRESET', headers: {} }, 0, 0, policy, half),
		).toMatchObject({ retry: true });
		expect(backoffMs(3, 100, () => 0)).toBe(400);
		expect(backoffMs(3, 100, () => 1)).toBe(800);
	});
	it('never repeats a POST after a 5xx or a reset unless allowed', () => {
		expect(decideRetry('POST', { status: 503, headers: {} }, 0, 0, policy)).toMatchObject({
			retry: false,
			reason: expect.stringMatching(/not retried automatically/),
		});
		expect(
			decideRetry('POST', { networkCode: 'ECONNRESET', headers: {} }, 0, 0, {
				...policy,
				retryNonIdempotent: true,
			}),
		).toMatchObject({ retry: true });
	});
	it('gives up after maxRetries or when the wait would exceed the total budget', () => {
		expect(decideRetry('GET', { status: 503, headers: {} }, 5, 0, policy)).toMatchObject({
			retry: false,
			reason: 'gave up after 5 retries',
		});
		expect(
			decideRetry('GET', { status: 429, headers: { 'x-ratelimit-reset': '400' } }, 0, 0, policy),
		).toMatchObject({
			retry: false,
			reason: expect.stringMatching(/exceed the maximum total wait of 300 s/),
		});
	});
	it('does not retry other errors', () => {
		for (const status of [400, 401, 403, 404, 409, 500])
			expect(decideRetry('GET', { status, headers: {} }, 0, 0, policy).retry).toBe(false);
	});
});
