/** PKCE: the challenge of an authorization request and its verification at the token endpoint (docs/celonis-api.md#authorization-code). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Pkce } from './tokens';

/** 43-128 unreserved characters: the syntax of both code_challenge (S256 output, or plain) and code_verifier. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The request's challenge (no method = plain), or the description of an invalid_request. */
export function readChallenge(
	challenge: string | null,
	method: string | null,
): { pkce?: Pkce } | { error: string } {
	if (challenge === null) {
		if (method !== null) return { error: 'code_challenge_method without code_challenge' };
		return {};
	}
	const m = method ?? 'plain';
	if (m !== 'S256' && m !== 'plain')
		return { error: `code_challenge_method ${m} is not supported (use S256 or plain)` };
	if (!PKCE_VALUE.test(challenge))
		return { error: 'code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~' };
	return { pkce: { challenge, method: m } };
}

export function verifierWellFormed(verifier: string): boolean {
	return PKCE_VALUE.test(verifier);
}

/** S256 compares BASE64URL(SHA256(verifier)) with the challenge, plain compares them as they are. */
export function verifierMatches(pkce: Pkce, verifier: string): boolean {
	const derived =
		pkce.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
	const a = Buffer.from(derived);
	const b = Buffer.from(pkce.challenge);
	return a.length === b.length && timingSafeEqual(a, b);
}
