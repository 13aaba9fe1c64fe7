/**
 * Low-level network failure codes in words. n8n replaces any error message that contains a code such as
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
	UND_ERR_SOCKET: 'the connection was closed',
};

export function describeNetworkCode(code: string | undefined): string {
	if (!code) return 'no response';
	if (WORDS[code]) return WORDS[code];
	if (/CERT|SSL|TLS/i.test(code)) return 'the TLS certificate was rejected';
	return 'the connection failed';
}
