import { NodeApiError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import type { TeamAuth } from './authentication';
import { describeNetworkCode } from '../shared/network';
import { scopeRuleFor } from './requiredScopes';

export interface HttpFailure {
	status?: number;
	headers: Record<string, string>;
	body: unknown;
	networkCode?: string;
	/** The message of a failure that is not an HTTP answer (e.g. a credential that cannot authenticate). */
	message?: string;
}

const SECRET_PATTERN = /\b(Bearer|AppKey|Basic)\s+[A-Za-z0-9._~+/=:-]{4,}/gi;

/** Strips anything that looks like a credential from text that goes into an error or an item. */
export function redactSecrets(text: string): string {
	return text.replace(SECRET_PATTERN, '$1 ***');
}

/**
 * One readable sentence from any Celonis error body: errorDTO / Problem (`title`, `detail`, `errorCode`),
 * authErrorDTO (`error`), FrontendHandledBackendError (`frontendErrorKey`, `errorInformation`),
 * ExceptionReference (`reference`, `message`), validation errors (`errors[]` or a bare array), OAuth
 * errors, JSON-string bodies and plain text.
 */
export function describeErrorBody(body: unknown): string | undefined {
	if (body === undefined || body === null || body === '') return undefined;
	if (Buffer.isBuffer(body)) return describeErrorBody(parseMaybeJson(body.toString('utf8')));
	if (typeof body === 'string') {
		const parsed = parseMaybeJson(body);
		if (parsed !== body) return describeErrorBody(parsed);
		const text = body.trim();
		if (text.startsWith('<')) return undefined; // an HTML error page says nothing useful
		return text.length > 300 ? `${text.slice(0, 300)}…` : text;
	}
	if (Array.isArray(body)) return describeValidation(body);
	if (typeof body !== 'object') return String(body);
	const b = body as IDataObject;
	const parts: string[] = [];
	const str = (k: string) =>
		typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : undefined;
	if (str('title')) parts.push(str('title')!.replace(/\.$/, ''));
	if (str('detail') && str('detail') !== str('title')) parts.push(str('detail')!);
	if (str('errorInformation')) parts.push(str('errorInformation')!);
	if (str('message')) parts.push(str('message')!);
	if (str('error_description')) parts.push(str('error_description')!);
	else if (str('error') && parts.length === 0) parts.push(str('error')!);
	if (Array.isArray(b.errors)) {
		const v = describeValidation(b.errors);
		if (v) parts.push(v);
	}
	const code = str('errorCode') ?? str('frontendErrorKey');
	const reference = str('reference');
	let text = parts.join(': ');
	if (code) text += ` (${code})`;
	if (reference) text += ` [reference ${reference}]`;
	return text.trim() === '' ? undefined : text.trim();
}

function describeValidation(errors: unknown[]): string | undefined {
	const lines = errors
		.filter((e): e is IDataObject => typeof e === 'object' && e !== null)
		.map((e) =>
			[e.attribute, e.error ?? e.message]
				.filter((x) => typeof x === 'string' && x !== '')
				.join(': '),
		)
		.filter((l) => l !== '');
	return lines.length > 0 ? lines.join('; ') : undefined;
}

function parseMaybeJson(text: string): unknown {
	const t = text.trim();
	if (!(t.startsWith('{') || t.startsWith('[') || t.startsWith('"'))) return text;
	try {
		return JSON.parse(t);
	} catch {
		return text;
	}
}

export interface RequestDescription {
	method: string;
	path: string;
	auth: TeamAuth;
	itemIndex?: number;
	/** Why the transport stopped retrying, when it did. */
	gaveUp?: string;
}

/**
 * Turns a failed Celonis call into an error that says what happened and how to fix it, without the
 * credential: the original request (with its Authorization header) is never attached.
 */
export function toNodeApiError(
	node: INode,
	failure: HttpFailure,
	request: RequestDescription,
): NodeApiError {
	const { message, description } = explain(failure, request);
	const status = failure.status;
	const payload: JsonObject = {
		message: redactSecrets(message),
		...(status !== undefined ? { httpCode: String(status) } : {}),
		...(failure.body !== undefined && failure.body !== ''
			? { response: safeBody(failure.body) }
			: {}),
	};
	return new NodeApiError(node, payload, {
		message: redactSecrets(message),
		description: redactSecrets(description),
		...(status !== undefined ? { httpCode: String(status) } : {}),
		...(request.itemIndex !== undefined ? { itemIndex: request.itemIndex } : {}),
	});
}

function safeBody(body: unknown): JsonObject | string {
	const text = Buffer.isBuffer(body)
		? body.toString('utf8')
		: typeof body === 'string'
			? body
			: JSON.stringify(body);
	const clean = redactSecrets(text.length > 2000 ? `${text.slice(0, 2000)}…` : text);
	try {
		return JSON.parse(clean) as JsonObject;
	} catch {
		return clean;
	}
}

function explain(
	failure: HttpFailure,
	request: RequestDescription,
): { message: string; description: string } {
	const target = `${request.method} ${request.path}`;
	const said = describeErrorBody(failure.body);
	const detail = said ? ` Celonis said: ${said}.` : '';
	const retryNote = request.gaveUp
		? ` The request was retried and then given up: ${request.gaveUp}.`
		: '';
	const { auth } = request;
	const rule = scopeRuleFor(request.path, request.method);

	if (failure.status === undefined) {
		if (failure.message) return { message: failure.message, description: `Request: ${target}.` };
		return {
			message: `Could not reach the Celonis team at ${auth.origin}: ${describeNetworkCode(failure.networkCode)}`,
			description: `Check the credential's Team URL and the network or proxy between n8n and Celonis.${retryNote}`,
		};
	}
	switch (failure.status) {
		case 401:
			return {
				message: `Celonis rejected the credential (HTTP 401) for ${target}`,
				description:
					(auth.authentication === 'oAuth2'
						? 'The access token was refused even after requesting a new one. Test the credential: the client may have been deleted or its secret regenerated.'
						: 'The key is invalid, expired or of the other type (User API key vs Application key). Test the credential to find out which.') +
					detail,
			};
		case 403: {
			const granted = auth.oauth?.granted ?? auth.oauth?.requested;
			const hasScope = !rule || !auth.oauth || rule.anyOf.some((s) => granted?.includes(s));
			if (!hasScope && rule) {
				return {
					message: `Missing OAuth scope: ${rule.api} needs ${rule.anyOf.join(' or ')}`,
					description: `The token has the scopes: ${(granted ?? []).join(' ') || '(none)'}. Add ${rule.anyOf[0]} to the credential's Scopes (and allow it for the OAuth client in Celonis).${detail}`,
				};
			}
			const empty =
				failure.body === undefined ||
				failure.body === '' ||
				(Buffer.isBuffer(failure.body) && failure.body.length === 0);
			return {
				message: empty
					? `Celonis refused ${target} (HTTP 403, empty answer): the API may not be activated for this team, or the credential lacks a permission`
					: `Missing Celonis permission for ${target} (HTTP 403)`,
				description:
					`The credential authenticated${auth.oauth && rule ? ` and has the scope ${rule.anyOf.find((s) => granted?.includes(s)) ?? rule.anyOf[0]}` : ''}, ` +
					`but its ${auth.authentication === 'apiKey' ? 'user' : auth.authentication === 'appKey' ? 'application key' : 'OAuth client'} lacks a Celonis permission. ` +
					`Grant ${rule ? rule.permission : 'the permission for this object'} in Celonis.${detail}`,
			};
		}
		case 404:
			return {
				message: `Not found: ${target} (HTTP 404)`,
				description: `Check the path and the IDs in it.${detail}`,
			};
		case 409:
			return {
				message: `Conflict: Celonis refused ${target} (HTTP 409)`,
				description: `The object is not in a state that allows this call.${detail}`,
			};
		case 429: {
			const reset = failure.headers['x-ratelimit-reset'] ?? failure.headers['retry-after'];
			return {
				message: `Rate limited by Celonis (HTTP 429) on ${target}${reset ? `; the limit resets in ${describeReset(reset)}` : ''}`,
				description: `Run the workflow again after the reset, lower the node's concurrency, or raise "Max Total Wait" so the node waits for it.${retryNote}${detail}`,
			};
		}
		default:
			if (failure.status >= 500) {
				return {
					message: `Celonis failed to answer ${target} (HTTP ${failure.status})`,
					description: `This is a problem on the Celonis side; try again later.${retryNote}${detail}`,
				};
			}
			if (failure.status >= 300 && failure.status < 400) {
				return {
					message: `Celonis answered ${target} with a redirect (HTTP ${failure.status}) that was not followed`,
					description: `Redirects to another origin are never followed with the credential.${detail}`,
				};
			}
			return {
				message: `Celonis refused ${target} (HTTP ${failure.status})${said ? `: ${said}` : ''}`,
				description: `Check the request's parameters and body.${retryNote}`,
			};
	}
}

function describeReset(value: string): string {
	return /^\d+(\.\d+)?$/.test(value.trim()) && Number(value) < 1_000_000_000
		? `${value.trim()} s`
		: `at ${value.trim()}`;
}
