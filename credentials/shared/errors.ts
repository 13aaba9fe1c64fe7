import { describeNetworkCode, readNetworkFailure } from '../../shared/network';

/**
 * The message a user sees when a credential cannot authenticate. Plain `Error` subclass on purpose: n8n's
 * credential test shows `error.message` only when the error carries no HTTP response of its own, and the
 * messages here never contain a key, secret or token.
 */
export class CelonisAuthError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CelonisAuthError';
	}
}

/** The team a credential talks to: its origin, and whether https:// was assumed (no scheme typed). */
export interface TeamTarget {
	origin: string;
	schemeAssumed: boolean;
}

/** Why `what` (e.g. "the token request") got no HTTP answer from the team, and what to do about it. */
export function unreachableTeamError(
	team: TeamTarget,
	what: string,
	timeoutMs: number,
	error: unknown,
): CelonisAuthError {
	const failure = readNetworkFailure(error);
	const host = new URL(team.origin).host;
	if (failure.plainHttp) {
		return new CelonisAuthError(
			team.schemeAssumed
				? `https:// was assumed because the Team URL has no scheme, but the server at ${host} answered in plain http. If this is a local emulator, enter http://${host} as the Team URL.`
				: `The server at ${team.origin} answered in plain http, not https. Check the Team URL (https://<team>.<realm>.celonis.cloud); only a local emulator speaks plain http (http://${host}).`,
		);
	}
	if (failure.timedOut) {
		return new CelonisAuthError(
			`${capitalize(what)} to ${team.origin} timed out: no answer within ${Math.round(timeoutMs / 1000)} s. The team may be overloaded or a proxy may be holding the request; try again later, and check the network and proxy settings if it persists.`,
		);
	}
	const code = failure.code ?? '';
	const hint =
		code === 'ENOTFOUND' || code === 'EAI_AGAIN'
			? 'The host name does not exist: check the spelling of the team and realm (e.g. https://acme.eu-1.celonis.cloud).'
			: code === 'ECONNREFUSED'
				? 'Nothing accepts connections there: check the address and port.'
				: /CERT|SSL|TLS/i.test(code)
					? 'The TLS certificate was rejected: check the address, or your proxy settings.'
					: 'Check the Team URL, your network and proxy settings.';
	return new CelonisAuthError(
		`Could not reach the Celonis team at ${team.origin}: ${describeNetworkCode(failure.code)}. ${hint}`,
	);
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Removes every occurrence of the given secrets from a text that came from a server. */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}
