/**
 * Per credential: until when Celonis asked (x-ratelimit-reset) that no request be sent. When one request
 * of a credential is rate limited, the team is over its limit for all of them: every request of the
 * credential pauses, not only the one that got the 429.
 */
const gates = new Map<string, number>();

export function closeRateLimitGate(credentialKey: string, waitMs: number): void {
	const until = Date.now() + waitMs;
	if ((gates.get(credentialKey) ?? 0) < until) gates.set(credentialKey, until);
}

/** How long the credential's gate stays closed (0 when open). */
export function rateLimitGateMs(credentialKey: string): number {
	const until = gates.get(credentialKey);
	if (until === undefined) return 0;
	const waitMs = until - Date.now();
	if (waitMs <= 0) gates.delete(credentialKey);
	return Math.max(0, waitMs);
}
