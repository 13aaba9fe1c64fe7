/**
 * One helper per Celonis error-body family (docs/celonis-api.md#errors). Handlers never build error bodies by hand.
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
	writeJson(res, 401, { error: 'Unauthorized' });
}

export const MALFORMED_AUTH_TEXT =
	'Invalid "Authorization" header format. Should start either with "Bearer " or "AppKey " (case insensitive).';

/** 401 plain text for a malformed Authorization header (common error catalog). */
export function sendMalformedAuth(res: ServerResponse): void {
	write(res, 401, 'text/plain;charset=UTF-8', MALFORMED_AUTH_TEXT);
}

function writeJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers?: Record<string, string>,
): void {
	write(res, status, 'application/json', JSON.stringify(body), headers);
}

/** FrontendHandledBackendError `{frontendErrorKey,errorInformation}` (integration / data push 400). */
export function sendFrontendError(
	res: ServerResponse,
	status: number,
	frontendErrorKey: string,
	errorInformation: string,
	headers?: Record<string, string>,
): void {
	writeJson(res, status, { frontendErrorKey, errorInformation }, headers);
}

/** A JSON *string* body (data push 404 / 429). */
export function sendJsonString(
	res: ServerResponse,
	status: number,
	message: string,
	headers?: Record<string, string>,
): void {
	writeJson(res, status, message, headers);
}

/** Problem `{type,title,status,detail,instance}` (AI API). */
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

/** OAuth token-endpoint error `{error, error_description}`. */
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
			// ExceptionReference `{reference,message,shortMessage}` (integration / data push 500)
			if (status >= 500)
				return writeJson(
					res,
					status,
					{ reference: randomRef(), message: detail, shortMessage: detail },
					headers,
				);
			return sendFrontendError(res, status, errorKeyFor(status), detail, headers);
		case 'ai':
			return sendProblem(res, status, errorDtoFor(status)[0], detail, '');
		case 'oauth':
			return sendOAuthError(
				res,
				status,
				status >= 500 ? 'server_error' : 'invalid_request',
				detail,
				headers,
			);
		case 'inspect':
			return writeJson(res, status, { error: detail }, headers);
		default: {
			const [title, errorCode] = errorDtoFor(status);
			return sendErrorDto(res, status, title, detail, errorCode, headers);
		}
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
/** errorDTO title and errorCode of a generic error per status (common error catalog). */
const ERROR_DTO: Record<number, [title: string, errorCode: string]> = {
	400: ['Bad request.', 'GENERAL_PARAMETER_ILLEGAL'],
	403: [ACCESS_DENIED.title, ACCESS_DENIED.errorCode],
	404: ['Path not found.', 'GENERAL_NOTFOUND_PATH'],
	405: ['Method not allowed.', 'GENERAL_METHOD_NOT_ALLOWED'],
	409: ['Conflict.', 'GENERAL_CONFLICT'],
	429: ['Rate limit exceeded', 'LIMIT_RATE_EXCEEDED'],
	503: ['Service unavailable.', 'ADMIN_FATAL_ERROR'],
};

function errorDtoFor(status: number): [title: string, errorCode: string] {
	return (
		ERROR_DTO[status] ??
		(status >= 500 ? ['Unexpected error.', 'ADMIN_FATAL_ERROR'] : ['Error.', 'GENERAL_ERROR'])
	);
}
