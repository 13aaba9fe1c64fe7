import { describeNetworkCode } from '../../nodes/Celonis/shared/network';

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

/** Low-level failure codes (ECONNREFUSED, ENOTFOUND, certificate errors, ...) from a thrown request error. */
export function networkErrorCode(error: unknown): string | undefined {
	const e = error as { code?: unknown; cause?: { code?: unknown } };
	const code =
		typeof e?.code === 'string'
			? e.code
			: typeof e?.cause?.code === 'string'
				? e.cause.code
				: undefined;
	return code;
}

export function unreachableTeamError(origin: string, error: unknown): CelonisAuthError {
	const code = networkErrorCode(error) ?? '';
	const hint =
		code === 'ENOTFOUND' || code === 'EAI_AGAIN'
			? 'The host name does not exist: check the spelling of the team and realm (e.g. https://acme.eu-1.celonis.cloud).'
			: code === 'ECONNREFUSED'
				? 'Nothing accepts connections there: check the address and port.'
				: /CERT|SSL|TLS/i.test(code)
					? 'The TLS certificate was rejected: check the address, or your proxy settings.'
					: 'Check the Team URL, your network and proxy settings.';
	return new CelonisAuthError(
		`Could not reach the Celonis team at ${origin}: ${describeNetworkCode(code)}. ${hint}`,
	);
}

/** Removes every occurrence of the given secrets from a text that came from a server. */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}
