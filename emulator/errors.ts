/**
 * One helper per Celonis error-body family (reference §4.1). Handlers never build error bodies by hand.
 */
import type { ServerResponse } from 'node:http';

export type Family =
	| 'common'
	| 'intelligence'
	| 'integration'
	| 'dataPush'
	| 'team'
	| 'audit'
	| 'ai'
	| 'oauth'
	| 'probe'
	| 'inspect';

function write(
	res: ServerResponse,
	status: number,
	contentType: string | null,
	body: string,
	headers?: Record<string, string>,
): void {
	if (res.headersSent) return;
	if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
	if (contentType) res.setHeader('content-type', contentType);
	res.setHeader('content-length', Buffer.byteLength(body));
	res.statusCode = status;
	res.end(body);
}

/** errorDTO `{title,status,detail,errorCode}` as application/problem+json (common, Intelligence, Subscription APIs). */
export function sendErrorDto(
	res: ServerResponse,
	status: number,
	title: string,
	detail: string,
	errorCode: string,
	headers?: Record<string, string>,
): void {
	write(
		res,
		status,
		'application/problem+json',
		JSON.stringify({ title, status, detail, errorCode }),
		headers,
	);
}

/** authErrorDTO `{"error":"Unauthorized"}`. */
export function sendAuthError(res: ServerResponse): void {
	write(res, 401, 'application/json', JSON.stringify({ error: 'Unauthorized' }));
}

export const MALFORMED_AUTH_TEXT =
	'Invalid "Authorization" header format. Should start either with "Bearer " or "AppKey " (case insensitive).';

/** 401 plain text for a malformed Authorization header (common error catalog). */
export function sendMalformedAuth(res: ServerResponse): void {
	write(res, 401, 'text/plain;charset=UTF-8', MALFORMED_AUTH_TEXT);
}

/** FrontendHandledBackendError `{frontendErrorKey,errorInformation}` (integration / data push 400). */
export function sendFrontendError(
	res: ServerResponse,
	status: number,
	frontendErrorKey: string,
	errorInformation: string,
	headers?: Record<string, string>,
): void {
	write(
		res,
		status,
		'application/json',
		JSON.stringify({ frontendErrorKey, errorInformation }),
		headers,
	);
}

/** ExceptionReference `{reference,message,shortMessage}` (integration / data push 500). */
function sendExceptionReference(
	res: ServerResponse,
	status: number,
	message: string,
	reference: string,
	headers?: Record<string, string>,
): void {
	write(
		res,
		status,
		'application/json',
		JSON.stringify({ reference, message, shortMessage: message }),
		headers,
	);
}

/** A JSON *string* body (data push 404 / 429). */
export function sendJsonString(
	res: ServerResponse,
	status: number,
	message: string,
	headers?: Record<string, string>,
): void {
	write(res, status, 'application/json', JSON.stringify(message), headers);
}

/** RFC 7807 Problem (AI API). */
export function sendProblem(
	res: ServerResponse,
	status: number,
	title: string,
	detail: string,
	instance: string,
): void {
	write(
		res,
		status,
		'application/problem+json',
		JSON.stringify({ type: 'about:blank', title, status, detail, instance }),
	);
}

/** RFC 6749 §5.2 token-endpoint error. */
export function sendOAuthError(
	res: ServerResponse,
	status: number,
	error: string,
	description: string,
	headers?: Record<string, string>,
): void {
	write(
		res,
		status,
		'application/json;charset=UTF-8',
		JSON.stringify({ error, error_description: description }),
		{
			'cache-control': 'no-store',
			pragma: 'no-cache',
			...headers,
		},
	);
}

export function sendPlainText(res: ServerResponse, status: number, text: string): void {
	write(res, status, 'text/plain;charset=UTF-8', text);
}

const ACCESS_DENIED = {
	title: 'Access Denied.',
	detail: 'Access is denied',
	errorCode: 'ADMIN_ACCESS_ERROR',
} as const;

/** 403 "Access Denied." errorDTO — used for a missing scope and a missing Celonis permission on every family. */
export function sendAccessDenied(res: ServerResponse): void {
	sendErrorDto(res, 403, ACCESS_DENIED.title, ACCESS_DENIED.detail, ACCESS_DENIED.errorCode);
}

/** A generic error rendered in the body shape of the given API family. */
export function sendFamilyError(
	res: ServerResponse,
	family: Family,
	status: number,
	detail: string,
	headers?: Record<string, string>,
): void {
	switch (family) {
		case 'integration':
		case 'dataPush':
			if (status === 404 || status === 429) return sendJsonString(res, status, detail, headers);
			if (status >= 500) return sendExceptionReference(res, status, detail, randomRef(), headers);
			return sendFrontendError(res, status, errorKeyFor(status), detail, headers);
		case 'ai':
			return sendProblem(res, status, titleFor(status), detail, '');
		case 'oauth':
			return sendOAuthError(
				res,
				status,
				status >= 500 ? 'server_error' : 'invalid_request',
				detail,
				headers,
			);
		case 'inspect':
			return write(res, status, 'application/json', JSON.stringify({ error: detail }), headers);
		default:
			return sendErrorDto(res, status, titleFor(status), detail, codeFor(status), headers);
	}
}

function randomRef(): string {
	return `emu-${Math.random().toString(16).slice(2, 10)}`;
}
function errorKeyFor(status: number): string {
	if (status === 409) return 'CONFLICT';
	if (status === 403) return 'ACCESS_DENIED';
	return 'BAD_REQUEST';
}
function titleFor(status: number): string {
	switch (status) {
		case 400:
			return 'Bad request.';
		case 403:
			return ACCESS_DENIED.title;
		case 404:
			return 'Path not found.';
		case 405:
			return 'Method not allowed.';
		case 409:
			return 'Conflict.';
		case 429:
			return 'Rate limit exceeded';
		case 503:
			return 'Service unavailable.';
		default:
			return status >= 500 ? 'Unexpected error.' : 'Error.';
	}
}
function codeFor(status: number): string {
	switch (status) {
		case 400:
			return 'GENERAL_PARAMETER_ILLEGAL';
		case 403:
			return ACCESS_DENIED.errorCode;
		case 404:
			return 'GENERAL_NOTFOUND_PATH';
		case 405:
			return 'GENERAL_METHOD_NOT_ALLOWED';
		case 409:
			return 'GENERAL_CONFLICT';
		case 429:
			return 'LIMIT_RATE_EXCEEDED';
		default:
			return status >= 500 ? 'ADMIN_FATAL_ERROR' : 'GENERAL_ERROR';
	}
}
