/** Ring buffer of handled requests. Secrets are redacted before anything is stored. */
export interface RequestLogEntry {
	seq: number;
	time: string;
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
	durationMs: number;
	identity: { kind: 'none' | 'apiKey' | 'appKey' | 'oauth' | 'invalid'; id?: string };
	authorization?: string;
	oauth?: { clientId?: string; authMethod?: string; grantType?: string; scope?: string };
	fault?: string;
}

const SECRET_PARAMS =
	/^(client_secret|code|code_verifier|refresh_token|access_token|token|password|apikey|api_key)$/i;

export function redactQuery(params: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of params) out[k] = SECRET_PARAMS.test(k) ? '[REDACTED]' : v;
	return out;
}

/** `Bearer [REDACTED]`, `AppKey [REDACTED]`, `Basic [REDACTED]` — the scheme only. */
export function redactAuthorization(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	const scheme = /^\s*(\S+)\s/.exec(value)?.[1];
	return scheme ? `${scheme} [REDACTED]` : '[REDACTED]';
}

export class RequestLog {
	private entries: RequestLogEntry[] = [];
	private seq = 0;
	constructor(public limit: number) {}

	nextSeq(): number {
		return ++this.seq;
	}

	add(e: RequestLogEntry): void {
		this.entries.push(e);
		if (this.entries.length > this.limit * 1.25) this.entries = this.entries.slice(-this.limit);
	}

	list(limit?: number): RequestLogEntry[] {
		const all = this.entries.length > this.limit ? this.entries.slice(-this.limit) : this.entries;
		return limit ? all.slice(-limit) : [...all];
	}

	clear(): void {
		this.entries = [];
	}
}
