/**
 * Celonis' rate-limit headers: `x-ratelimit-reset` is documented both as seconds to wait and as a UTC
 * date-time, `Retry-After` as seconds or an HTTP date; a bare number above 1e9 can only be an epoch
 * timestamp (seconds), as no limit resets 31 years from now. The one reading of them for the whole package.
 */
const EPOCH_SECONDS_FROM = 1_000_000_000;

/** The moment (epoch ms) the limit resets, or undefined when no header says. */
export function rateLimitResetAt(
	headers: Record<string, string | undefined>,
	now: number = Date.now(),
): number | undefined {
	for (const name of ['x-ratelimit-reset', 'retry-after']) {
		const raw = headers[name]?.trim();
		if (!raw) continue;
		if (/^\d+(\.\d+)?$/.test(raw)) {
			const n = Number(raw);
			return n > EPOCH_SECONDS_FROM ? n * 1000 : now + n * 1000;
		}
		const date = Date.parse(raw);
		if (Number.isFinite(date)) return date;
	}
	return undefined;
}

/** How long to wait (ms, never negative) before the limit resets, or undefined when no header says. */
export function rateLimitWaitMs(
	headers: Record<string, string | undefined>,
	now: number = Date.now(),
): number | undefined {
	const at = rateLimitResetAt(headers, now);
	return at === undefined ? undefined : Math.max(0, at - now);
}

/** When the limit resets, as a readable moment: `at` (UTC time of day) and `inText` (e.g. "42 s", "12 min"). */
export function describeRateLimitReset(
	headers: Record<string, string | undefined>,
	now: number = Date.now(),
): { at: string; inText: string; seconds: number } | undefined {
	const at = rateLimitResetAt(headers, now);
	if (at === undefined) return undefined;
	const seconds = Math.max(0, Math.round((at - now) / 1000));
	const inText = seconds > 300 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
	return { at: `${new Date(at).toISOString().slice(11, 19)} UTC`, inText, seconds };
}
