/**
 * OAuth state: access and refresh tokens (opaque random strings), authorization codes, pending consent requests and the
 * consents users gave (docs/celonis-api.md#oauth). Tokens of the authorization-code grant belong to a consent and
 * to the code they came from, so revoking either (or the consent expiring) ends them.
 */
import { randomBytes } from 'node:crypto';

export interface AccessToken {
	token: string;
	clientId: string;
	scopes: string[];
	/** set for authorization_code tokens: the consenting user's email */
	userEmail?: string;
	grantType: string;
	issuedAt: number;
	expiresAt: number;
	consentId?: string;
	code?: string;
}

export interface RefreshToken {
	token: string;
	clientId: string;
	scopes: string[];
	userEmail?: string;
	expiresAt: number;
	consentId?: string;
	code?: string;
}

export interface Pkce {
	challenge: string;
	method: 'S256' | 'plain';
}

export interface AuthCode {
	code: string;
	clientId: string;
	scopes: string[];
	/** the redirect URI the code is sent to */
	redirectUri: string;
	/** whether the authorization request named it (then the token request must repeat it) */
	redirectUriGiven: boolean;
	userEmail: string;
	consentId: string;
	pkce?: Pkce;
	expiresAt: number;
	used: boolean;
}

/** A validated authorization request waiting for the user's decision on the consent page. */
export interface PendingAuthorization {
	id: string;
	clientId: string;
	redirectUri: string;
	redirectUriGiven: boolean;
	state: string | null;
	scopes: string[];
	pkce?: Pkce;
	userEmail: string;
	expiresAt: number;
}

export interface Consent {
	id: string;
	clientId: string;
	userEmail: string;
	scopes: string[];
	grantedAt: string;
	expiresAt: number;
	revoked: boolean;
}

function opaque(prefix: string): string {
	return `${prefix}${randomBytes(24).toString('base64url')}`;
}

/** Consent pages stay answerable this long; used or expired codes are remembered as long (to detect reuse). */
const PENDING_LIFETIME_MS = 10 * 60_000;

export class TokenStore {
	readonly access = new Map<string, AccessToken>();
	readonly refresh = new Map<string, RefreshToken>();
	readonly codes = new Map<string, AuthCode>();
	readonly pending = new Map<string, PendingAuthorization>();
	readonly consents = new Map<string, Consent>();
	issued = 0;
	readonly byClient: Record<string, number> = {};

	issueAccess(
		clientId: string,
		scopes: string[],
		lifetimeSeconds: number,
		grantType: string,
		grant: { userEmail?: string; consentId?: string; code?: string } = {},
	): AccessToken {
		const now = Date.now();
		const t: AccessToken = {
			token: opaque('emu_at_'),
			clientId,
			scopes,
			grantType,
			...grant,
			issuedAt: now,
			expiresAt: now + lifetimeSeconds * 1000,
		};
		this.access.set(t.token, t);
		this.issued++;
		this.byClient[clientId] = (this.byClient[clientId] ?? 0) + 1;
		return t;
	}

	issueRefresh(
		clientId: string,
		scopes: string[],
		lifetimeSeconds: number,
		grant: { userEmail?: string; consentId?: string; code?: string },
	): RefreshToken {
		const r: RefreshToken = {
			token: opaque('emu_rt_'),
			clientId,
			scopes,
			...grant,
			expiresAt: Date.now() + lifetimeSeconds * 1000,
		};
		this.refresh.set(r.token, r);
		return r;
	}

	/** Forget unanswered consent requests and codes that ended a while ago (a page reload must not grow memory). */
	private sweep(): void {
		const now = Date.now();
		for (const [k, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(k);
		for (const [k, c] of this.codes)
			if (c.expiresAt + PENDING_LIFETIME_MS <= now) this.codes.delete(k);
	}

	issueCode(c: Omit<AuthCode, 'code' | 'used' | 'expiresAt'>, lifetimeSeconds: number): AuthCode {
		this.sweep();
		const code: AuthCode = {
			...c,
			code: opaque('emu_code_'),
			used: false,
			expiresAt: Date.now() + lifetimeSeconds * 1000,
		};
		this.codes.set(code.code, code);
		return code;
	}

	addPending(p: Omit<PendingAuthorization, 'id' | 'expiresAt'>): PendingAuthorization {
		this.sweep();
		const entry = { ...p, id: opaque('emu_req_'), expiresAt: Date.now() + PENDING_LIFETIME_MS };
		this.pending.set(entry.id, entry);
		return entry;
	}

	/** The pending request, once: answering removes it. */
	takePending(id: string): PendingAuthorization | undefined {
		const p = this.pending.get(id);
		this.pending.delete(id);
		return p && p.expiresAt > Date.now() ? p : undefined;
	}

	grantConsent(
		clientId: string,
		userEmail: string,
		scopes: string[],
		lifetimeSeconds: number,
	): Consent {
		const c: Consent = {
			id: opaque('emu_consent_'),
			clientId,
			userEmail,
			scopes,
			grantedAt: new Date().toISOString(),
			expiresAt: Date.now() + lifetimeSeconds * 1000,
			revoked: false,
		};
		this.consents.set(c.id, c);
		return c;
	}

	/** Why a consent no longer covers tokens, or undefined while it does. */
	consentProblem(id: string | undefined): 'expired' | 'revoked' | undefined {
		if (id === undefined) return undefined;
		const c = this.consents.get(id);
		if (!c || c.revoked) return 'revoked';
		return c.expiresAt <= Date.now() ? 'expired' : undefined;
	}

	/** Valid (known, unexpired, consent still given) access token or undefined. */
	lookup(token: string): AccessToken | undefined {
		const t = this.access.get(token);
		if (!t) return undefined;
		if (t.expiresAt <= Date.now() || this.consentProblem(t.consentId)) {
			this.access.delete(token);
			return undefined;
		}
		return t;
	}

	/** Revoke all tokens, or only one client's. Returns the number of access tokens revoked. */
	revoke(clientId?: string): number {
		return this.drop((t) => !clientId || t.clientId === clientId);
	}

	/** Revoke every token issued from an authorization code (the code was used twice). */
	revokeCode(code: string): number {
		return this.drop((t) => t.code === code);
	}

	/** The user withdraws consent: its tokens stop working and refreshing them fails. */
	revokeConsents(filter: { clientId?: string; userEmail?: string }): Consent[] {
		const hit = [...this.consents.values()].filter(
			(c) =>
				!c.revoked &&
				(!filter.clientId || c.clientId === filter.clientId) &&
				(!filter.userEmail || c.userEmail.toLowerCase() === filter.userEmail.toLowerCase()),
		);
		// refresh tokens stay, so that refreshing one says why it fails (lookup refuses the access tokens)
		for (const c of hit) c.revoked = true;
		return hit;
	}

	private drop(
		match: (t: { clientId: string; consentId?: string; code?: string }) => boolean,
	): number {
		let n = 0;
		for (const [k, t] of this.access)
			if (match(t)) {
				this.access.delete(k);
				n++;
			}
		for (const [k, t] of this.refresh) if (match(t)) this.refresh.delete(k);
		return n;
	}

	clear(): void {
		this.access.clear();
		this.refresh.clear();
		this.codes.clear();
		this.pending.clear();
		this.consents.clear();
		this.issued = 0;
		for (const k of Object.keys(this.byClient)) delete this.byClient[k];
	}

	stats(): { issued: number; byClient: Record<string, number>; active: number } {
		return { issued: this.issued, byClient: { ...this.byClient }, active: this.access.size };
	}
}
