import type { IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { unreachableTeamError } from './errors';

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/**
 * Sends one request from a credential's preAuthentication and returns the response whatever its status:
 * the caller turns statuses into precise messages. Redirects are never followed, so a key or secret can
 * only ever reach the team's own origin.
 */
export async function sendRaw(
	helper: IHttpRequestHelper,
	origin: string,
	options: IHttpRequestOptions,
): Promise<RawResponse> {
	type Full = { statusCode: number; headers: RawResponse['headers']; body: unknown };
	const outcome = await helper.helpers
		.httpRequest({
			...options,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: options.timeout ?? 30_000,
		})
		.then(
			(response: Full) => ({ response }),
			(networkError: unknown) => ({ networkError }),
		);
	// With ignoreHttpStatusErrors every HTTP answer resolves: a rejection means no answer at all.
	if ('networkError' in outcome) throw unreachableTeamError(origin, outcome.networkError);
	const { response } = outcome;
	return {
		status: response.statusCode,
		headers: response.headers ?? {},
		body: parseBody(response.body),
	};
}

function parseBody(body: unknown): unknown {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** "HTTP 404", or "HTTP 302 to https://..." for redirects: how a non-Celonis answer is described. */
export function describeStatus(response: RawResponse): string {
	const location = headerValue(response.headers, 'location');
	return location && response.status >= 300 && response.status < 400
		? `HTTP ${response.status} (a redirect to ${safeOrigin(location)})`
		: `HTTP ${response.status}`;
}

function safeOrigin(location: string): string {
	try {
		return new URL(location).origin;
	} catch {
		return 'another address';
	}
}
