/** OAuth access tokens, refresh tokens and authorization codes (opaque random strings). */
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
}

export interface RefreshToken {
	token: string;
	clientId: string;
	scopes: string[];
	userEmail?: string;
	expiresAt: number;
}
export interface AuthCode {
	code: string;
	clientId: string;
	scopes: string[];
	redirectUri: string;
	userEmail: string;
	expiresAt: number;
}

function opaque(prefix: string): string {
	return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export class TokenStore {
	readonly access = new Map<string, AccessToken>();
	readonly refresh = new Map<string, RefreshToken>();
	readonly codes = new Map<string, AuthCode>();
	issued = 0;
	readonly byClient: Record<string, number> = {};

	issueAccess(
		clientId: string,
		scopes: string[],
		lifetimeSeconds: number,
		grantType: string,
		userEmail?: string,
	): AccessToken {
		const now = Date.now();
		const t: AccessToken = {
			token: opaque('emu_at_'),
			clientId,
			scopes,
			grantType,
			userEmail,
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
		userEmail?: string,
	): RefreshToken {
		const r: RefreshToken = {
			token: opaque('emu_rt_'),
			clientId,
			scopes,
			userEmail,
			expiresAt: Date.now() + lifetimeSeconds * 1000,
		};
		this.refresh.set(r.token, r);
		return r;
	}

	issueCode(clientId: string, scopes: string[], redirectUri: string, userEmail: string): AuthCode {
		const c: AuthCode = {
			code: opaque('emu_code_'),
			clientId,
			scopes,
			redirectUri,
			userEmail,
			expiresAt: Date.now() + 60_000,
		};
		this.codes.set(c.code, c);
		return c;
	}

	/** Valid (known, unexpired) access token or undefined. */
	lookup(token: string): AccessToken | undefined {
		const t = this.access.get(token);
		if (!t) return undefined;
		if (t.expiresAt <= Date.now()) {
			this.access.delete(token);
			return undefined;
		}
		return t;
	}

	/** Revoke all tokens, or only one client's. Returns the number of access tokens revoked. */
	revoke(clientId?: string): number {
		let n = 0;
		for (const [k, t] of this.access)
			if (!clientId || t.clientId === clientId) {
				this.access.delete(k);
				n++;
			}
		for (const [k, t] of this.refresh)
			if (!clientId || t.clientId === clientId) this.refresh.delete(k);
		return n;
	}

	stats(): { issued: number; byClient: Record<string, number>; active: number } {
		return { issued: this.issued, byClient: { ...this.byClient }, active: this.access.size };
	}
}
