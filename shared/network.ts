/**
 * Low-level network failures in words. n8n replaces any error message that contains a code such as
 * ECONNREFUSED with its own generic sentence, so our messages describe the code instead of quoting it.
 */
const WORDS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	ECONNABORTED: 'the connection was aborted',
	ETIMEDOUT: 'the connection timed out',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be resolved right now',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	EPIPE: 'the connection was closed while sending',
	EPROTO: 'the TLS handshake failed',
	UND_ERR_SOCKET: 'the connection was closed',
};

export function describeNetworkCode(code: string | undefined): string {
	if (!code) return 'no response';
	if (WORDS[code]) return WORDS[code];
	if (/CERT|SSL|TLS/i.test(code)) return 'the TLS certificate was rejected';
	return 'the connection failed';
}

/** What a request that got no HTTP answer ran into. */
export interface NetworkFailure {
	/** ECONNREFUSED, ECONNRESET, ... when the client said */
	code?: string;
	/** no answer within the request's timeout */
	timedOut: boolean;
	/** an https request answered in plain http (a TLS handshake with a server that does not speak TLS) */
	plainHttp: boolean;
}

const CODE = /^E[A-Z_]+$|^UND_ERR/;

/**
 * Reads a thrown request error (n8n wraps the client's error, sometimes twice) without keeping its message,
 * which may quote the request.
 */
export function readNetworkFailure(error: unknown): NetworkFailure {
	const chain: Array<{ code?: unknown; message?: unknown; cause?: unknown }> = [];
	let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
		chain.push(current);
		current = current.cause as typeof current;
	}
	const code = chain
		.map((e) => e.code)
		.find((c): c is string => typeof c === 'string' && CODE.test(c));
	const text = chain.map((e) => (typeof e.message === 'string' ? e.message : '')).join(' ');
	return {
		code,
		// axios: ECONNABORTED with "timeout of N ms exceeded" (or ETIMEDOUT when asked to be clear about it)
		timedOut:
			code === 'ETIMEDOUT' ||
			(code === 'ECONNABORTED' && /\btimeout\b/i.test(text)) ||
			/\btimeout of \d+ ?ms exceeded\b/i.test(text),
		plainHttp:
			/wrong version number|packet length too long|http request/i.test(text) && code === 'EPROTO',
	};
}

/** Whether a failure means the request never left (nothing can have happened at the other end). */
export function neverSent(failure: Pick<NetworkFailure, 'code'>): boolean {
	return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(
		failure.code ?? '',
	);
}
