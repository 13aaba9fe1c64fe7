import { createHash } from 'crypto';

import { assembleScopes } from './scopes';
import { normalizeTeamUrl } from './teamUrl';

/** What an OAuth token is issued for: a token is reused only while the credential still asks for this. */
export interface TokenSettings {
	origin: string;
	clientId: string;
	/** Only its hash enters the fingerprint: a changed secret must not keep a token alive. */
	clientSecret: string;
	authMethod: string;
	scopes: string[];
}

/**
 * A short, stable name for the settings a token was issued for (stored with the token as `issuedFor`). The
 * secret enters as a hash of its own, so the fingerprint says nothing about it. Tokens stored with the
 * earlier fingerprint (without the secret) no longer match and are replaced once.
 */
export function settingsFingerprint(s: TokenSettings): string {
	const secret = createHash('sha256').update(s.clientSecret).digest('hex');
	return createHash('sha256')
		.update([s.origin, s.clientId, s.authMethod, s.scopes.join(' '), secret].join('\n'))
		.digest('hex')
		.slice(0, 16);
}

/** The token settings of a stored OAuth credential, or undefined when its team URL or scopes are invalid. */
export function tokenSettingsOf(credentials: Record<string, unknown>): TokenSettings | undefined {
	try {
		return {
			origin: normalizeTeamUrl(credentials.teamUrl),
			clientId: String(credentials.clientId ?? '').trim(),
			clientSecret: String(credentials.clientSecret ?? ''),
			authMethod:
				credentials.authMethod === 'clientSecretPost' ? 'clientSecretPost' : 'clientSecretBasic',
			scopes: assembleScopes(credentials.scopes, credentials.customScopes),
		};
	} catch {
		return undefined;
	}
}

/**
 * Whether the stored token can be sent: present, issued for the current settings and not about to expire.
 * The margin is 30 s, or a tenth of the lifetime for short-lived tokens.
 */
export function hasUsableToken(
	credentials: Record<string, unknown>,
	now: number = Date.now(),
): boolean {
	const token = credentials.accessToken;
	if (typeof token !== 'string' || token === '') return false;
	const settings = tokenSettingsOf(credentials);
	if (
		!settings ||
		settings.clientId === '' ||
		credentials.issuedFor !== settingsFingerprint(settings)
	)
		return false;
	return now < usableUntilOf(credentials);
}

/** Epoch ms until which the stored token is sent: its expiry minus 30 s, or a tenth of its lifetime. */
export function usableUntilOf(credentials: Record<string, unknown>): number {
	const issuedAt = Date.parse(String(credentials.issuedAt ?? ''));
	const expiresAt = Date.parse(String(credentials.expiresAt ?? ''));
	if (!Number.isFinite(issuedAt) || !Number.isFinite(expiresAt)) return 0;
	return expiresAt - Math.min(30_000, (expiresAt - issuedAt) / 10);
}
