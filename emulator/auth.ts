/** Authentication (Bearer / AppKey / bare AppKey header) and access checks (OAuth scope, Celonis permission). */
import type { ServerResponse } from 'node:http';
import { sendAccessDenied, sendAuthError, sendMalformedAuth } from './errors';
import type { Ctx, Identity } from './http';
import { hasPermission } from './permissions';
import type { Store } from './store';

export interface AccessRule {
	/** any-of; empty = any valid identity */
	scopes: readonly string[];
	permission?: string;
	/** route parameter holding the data pool id for pool-scoped permissions */
	poolParam?: string;
}

type AuthResult =
	| { identity: Identity }
	| { fail: (res: ServerResponse) => void; kind: 'none' | 'invalid' };

const PREFIX = /^(bearer|appkey)\s+(\S.*)$/i;

export function authenticate(
	store: Store,
	authorization: string | undefined,
	appKeyHeader: string | undefined,
): AuthResult {
	if (authorization === undefined || authorization.trim() === '') {
		if (appKeyHeader !== undefined && appKeyHeader.trim() !== '') {
			const app = store.appKeys.get(appKeyHeader.trim());
			if (app)
				return {
					identity: { kind: 'appKey', id: app.name, permissions: app.permissions, scopes: null },
				};
			return { fail: sendAuthError, kind: 'invalid' };
		}
		return { fail: sendAuthError, kind: 'none' };
	}
	const m = PREFIX.exec(authorization.trim());
	if (!m) return { fail: sendMalformedAuth, kind: 'invalid' };
	const scheme = (m[1] as string).toLowerCase();
	const value = (m[2] as string).trim();
	if (scheme === 'bearer') {
		const user = store.apiKeys.get(value);
		if (user)
			return {
				identity: {
					kind: 'apiKey',
					id: user.email,
					userEmail: user.email,
					permissions: user.permissions,
					scopes: null,
				},
			};
		const token = store.tokens.lookup(value);
		if (token) {
			const client = store.clients.get(token.clientId);
			const user = token.userEmail
				? store.usersByEmail.get(token.userEmail.toLowerCase())
				: undefined;
			const permissions = user ? user.permissions : (client?.permissions ?? []);
			return {
				identity: {
					kind: 'oauth',
					id: token.clientId,
					clientId: token.clientId,
					userEmail: token.userEmail,
					permissions,
					scopes: token.scopes,
				},
			};
		}
		// unknown, expired, revoked, or an application key sent as Bearer
		return { fail: sendAuthError, kind: 'invalid' };
	}
	const app = store.appKeys.get(value);
	if (app)
		return {
			identity: { kind: 'appKey', id: app.name, permissions: app.permissions, scopes: null },
		};
	// unknown, or a user API key / OAuth token sent as AppKey
	return { fail: sendAuthError, kind: 'invalid' };
}

/** Scope check first (403), then the Celonis permission (403 errorDTO). Returns false when a response was sent. */
export function checkAccess(ctx: Ctx, identity: Identity, rule: AccessRule): boolean {
	if (
		identity.scopes !== null &&
		rule.scopes.length > 0 &&
		!rule.scopes.some((s) => identity.scopes?.includes(s))
	) {
		sendAccessDenied(ctx.res);
		return false;
	}
	if (rule.permission) {
		const poolId = rule.poolParam ? ctx.params[rule.poolParam] : undefined;
		if (!hasPermission(identity.permissions, rule.permission, poolId)) {
			sendAccessDenied(ctx.res);
			return false;
		}
	}
	return true;
}
