import type { IHttpRequestOptions } from 'n8n-workflow';

import { readNetworkFailure } from '../../../shared/network';
import { isFormData } from './multipart';

export type ResponseFormat = 'auto' | 'json' | 'text' | 'binary';

export interface CelonisResponse<T = unknown> {
	status: number;
	headers: Record<string, string>;
	body: T;
}

/** A request that failed: an HTTP answer (status, headers, body), or no answer at all (network fields). */
export interface HttpFailure {
	status?: number;
	headers: Record<string, string>;
	body: unknown;
	networkCode?: string;
	/** No answer within the request's timeout. */
	timedOut?: boolean;
	/** An https request that a plain-http server answered. */
	plainHttp?: boolean;
	/** The message of a failure that is not an HTTP answer (e.g. a credential that cannot authenticate). */
	message?: string;
	/**
	 * n8n could not refresh an authorization-code token: the refresh token was refused (invalid_grant), because
	 * the person's consent ended or was revoked. Only reconnecting the credential helps.
	 */
	consentEnded?: boolean;
}

/** n8n marks "reconnect the credential" errors with the failure cause `credential-invalid` (n8n-core oauth.js). */
function isCredentialInvalid(error: unknown): boolean {
	let current = error as { failure?: { cause?: unknown }; cause?: unknown } | undefined;
	for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
		if (current.failure?.cause === 'credential-invalid') return true;
		current = current.cause as typeof current;
	}
	return false;
}

export function normalizeHeaders(
	headers: Record<string, unknown> | undefined,
): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers ?? {})) {
		if (value === undefined || value === null) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

/** Bodies arrive as bytes; the format (or the Content-Type, for `auto`) decides what they become. */
export function decodeBody(
	raw: unknown,
	headers: Record<string, string>,
	format: ResponseFormat,
): unknown {
	const buffer = Buffer.isBuffer(raw)
		? raw
		: raw instanceof ArrayBuffer
			? Buffer.from(raw)
			: undefined;
	if (!buffer) return raw;
	if (format === 'binary') return buffer;
	const text = buffer.toString('utf8');
	const type = headers['content-type'] ?? '';
	if (format === 'text') return text;
	if (format === 'json' || /[/+]json\b/i.test(type)) {
		if (text.trim() === '') return format === 'json' ? {} : '';
		try {
			return JSON.parse(text);
		} catch {
			return text;
		}
	}
	if (
		format === 'auto' &&
		!/^text\/|xml|x-www-form-urlencoded|javascript/i.test(type) &&
		type !== '' &&
		!isProbablyText(buffer)
	)
		return buffer;
	return text;
}

function isProbablyText(buffer: Buffer): boolean {
	const sample = buffer.subarray(0, 512);
	return !sample.includes(0);
}

export function toFailure(error: unknown): HttpFailure {
	if (isCredentialInvalid(error)) return { headers: {}, body: undefined, consentEnded: true };
	const e = error as { cause?: unknown; response?: unknown; message?: string };
	const cause = (e?.cause ?? {}) as { response?: unknown };
	const response = (cause.response ?? e.response) as
		| {
				status?: number;
				statusCode?: number;
				headers?: Record<string, unknown>;
				data?: unknown;
				body?: unknown;
		  }
		| undefined;
	const status = response?.status ?? response?.statusCode;
	if (status !== undefined) {
		const headers = normalizeHeaders(response?.headers);
		return { status, headers, body: decodeBody(response?.data ?? response?.body, headers, 'auto') };
	}
	const network = readNetworkFailure(error);
	const known = network.code !== undefined || network.timedOut;
	return {
		headers: {},
		body: undefined,
		networkCode: network.code,
		timedOut: network.timedOut,
		plainHttp: network.plainHttp,
		message: known ? undefined : e?.message,
	};
}

/** Bodies n8n's client serialises itself as JSON (not bytes, forms or streams). */
export function isJsonBody(body: IHttpRequestOptions['body']): boolean {
	return (
		body !== undefined &&
		body !== null &&
		typeof body === 'object' &&
		!Buffer.isBuffer(body) &&
		!(body instanceof URLSearchParams) &&
		!isFormData(body)
	);
}
