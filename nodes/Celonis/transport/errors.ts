import { NodeApiError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import type { TeamAuth } from './authentication';
import type { HttpFailure } from './responses';
import { describeNetworkCode, neverSent } from '../../../shared/network';
import { describeRateLimitReset } from '../../../shared/rateLimit';
import { scopeRuleFor } from '../../../shared/scopeRules';

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

const IDEMPOTENT_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

/** Whose Celonis permissions a credential uses. */
const IDENTITY_OF: Record<TeamAuth['authentication'], string> = {
	apiKey: 'user',
	appKey: 'application key',
	oAuth2: 'OAuth client',
	oAuth2AuthCode: 'signed-in user',
};

/** `POST <data push jobs>/{id}`: the submission (execution) of a data push job. */
const JOB_SUBMISSION =
	/^\/(?:data-ingestion|integration)\/api\/v1\/data-push\/[^/]+\/jobs\/([^/]+)$/;

/**
 * The Data Push API's own refusals of a job submission: its hourly submission budget (429 with a reset
 * minutes away) and a job that is no longer NEW (409).
 */
function explainJobSubmission(
	failure: HttpFailure,
	request: RequestDescription,
	said: string | undefined,
): { message: string; description: string } | undefined {
	const jobId = request.method === 'POST' ? JOB_SUBMISSION.exec(request.path)?.[1] : undefined;
	if (!jobId || (failure.status !== 429 && failure.status !== 409)) return undefined;
	const celonisSaid = said ? ` Celonis said: ${said}.` : '';
	if (failure.status === 409) {
		return {
			message: `Celonis refused to execute data push job ${jobId} (HTTP 409): it is no longer NEW`,
			description: `Only a NEW job can be executed, once. Create a new job.${celonisSaid}`,
		};
	}
	const reset = describeRateLimitReset(failure.headers);
	const limit = failure.headers['x-ratelimit-limit'];
	const resets = reset ? `; it resets at ${reset.at} (in ${reset.inText})` : '';
	// The per-second limit frees up within a second; a later reset is the hourly budget's (at the full hour).
	const hourly = !reset || reset.seconds > 2;
	return {
		message: hourly
			? `Celonis' data push submission budget is used up${limit ? ` (${limit} jobs per hour for the team)` : ''}${resets}`
			: `Celonis rate-limited the submission of data push job ${jobId}${reset ? `; the limit resets at ${reset.at} (in ${reset.inText})` : ''}`,
		description:
			'Celonis allows 10 job submissions per second and 250 per hour per team (the hour starts at the full UTC hour). ' +
			`Run the workflow again after the reset, or raise the option "Max Total Wait" to have the node wait for it.${celonisSaid}`,
	};
}

/** The `errorCode` of an errorDTO body (Knowledge Model and Event Subscription APIs), if there is one. */
export function celonisErrorCodeOf(body: unknown): string | undefined {
	const parsed = Buffer.isBuffer(body)
		? parseMaybeJson(body.toString('utf8'))
		: typeof body === 'string'
			? parseMaybeJson(body)
			: body;
	const code = (parsed as IDataObject | null)?.errorCode;
	return typeof parsed === 'object' && typeof code === 'string' && code !== '' ? code : undefined;
}

const KM_PATH =
	/^\/intelligence\/api\/knowledge-models\/([^/]+)(?:\/(?:records|triggers)\/([^/]+))?/;
const SUBSCRIPTION_PATH = /^\/intelligence\/api\/subscriptions\/([^/]+)/;

/**
 * What the Knowledge Model and Event Subscription APIs name in `errorCode` (docs/celonis-api.md,
 * "Errors" and "Event Subscription API"): the object that was not found, or the state that refused the call.
 */
function explainIntelligence(
	failure: HttpFailure,
	request: RequestDescription,
	said: string | undefined,
): { message: string; description: string } | undefined {
	const code = celonisErrorCodeOf(failure.body);
	if (!code) return undefined;
	const decode = (v: string | undefined) => (v === undefined ? '' : safeDecode(v));
	const [, km, child] = KM_PATH.exec(request.path) ?? [];
	const subscription = decode(SUBSCRIPTION_PATH.exec(request.path)?.[1]);
	const celonisSaid = said ? ` Celonis said: ${said}.` : '';
	const status = `HTTP ${failure.status}`;
	switch (code) {
		case 'KNOWLEDGE_MODEL_NOTFOUND':
			return {
				message: `Knowledge Model "${decode(km)}" was not found in Celonis (${status})`,
				description: `It was deleted, or the credential cannot see it (USE PACKAGE on its Studio package). Choose a Knowledge Model from the list.${celonisSaid}`,
			};
		case 'KNOWLEDGE_MODEL_RECORD_NOTFOUND':
			return {
				message: `Knowledge Model "${decode(km)}" has no record "${decode(child)}" (${status})`,
				description: `Choose a record from the list (Knowledge Model → Get Records lists them).${celonisSaid}`,
			};
		case 'SUBSCRIPTION_TRIGGER_NOTFOUND':
			return {
				message: subscription
					? `The trigger of subscription "${subscription}" no longer exists in Celonis (${status})`
					: `Knowledge Model "${decode(km)}" has no trigger "${decode(child)}" (${status})`,
				description: `The trigger or its whole Knowledge Model was deleted in Celonis. Choose an existing trigger; a subscription of a deleted trigger can still be paused, read and deleted.${celonisSaid}`,
			};
		case 'SUBSCRIPTION_SUBSCRIPTION_NOTFOUND':
			return {
				message: `Subscription "${subscription}" was not found in Celonis (${status})`,
				description: `It was deleted. Subscription → Get Many lists the team's subscriptions.${celonisSaid}`,
			};
		case 'SUBSCRIPTION_ILLEGAL_STATUS':
			return {
				message: `Celonis hands out failed events only of a failed or suspended subscription; "${subscription}" is active or paused (${status})`,
				description: `An active or paused subscription still holds its events for delivery. Get Failed Events is for a subscription whose deliveries failed.${celonisSaid}`,
			};
		default:
			return undefined;
	}
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/**
 * A request without an HTTP answer. When it never left (refused, host unknown) nothing happened in Celonis;
 * when the connection broke or timed out after it was sent, a write may have taken effect, and the user
 * must know that before running it again.
 */
function explainNoAnswer(
	failure: HttpFailure,
	request: RequestDescription,
	retryNote: string,
): { message: string; description: string } {
	const target = `${request.method} ${request.path}`;
	const { origin, schemeAssumed } = request.auth;
	const host = new URL(origin).host;
	if (failure.plainHttp) {
		return {
			message: schemeAssumed
				? `https:// was assumed because the Team URL has no scheme, but the server at ${host} answered in plain http`
				: `The server at ${origin} answered in plain http, not https`,
			description: schemeAssumed
				? `If this is a local emulator, enter http://${host} as the credential's Team URL.`
				: `Check the credential's Team URL (https://<team>.<realm>.celonis.cloud); only a local emulator speaks plain http (http://${host}).`,
		};
	}
	const sentAndLost = mayHaveActed(failure, request.method);
	const acted = sentAndLost ? '; the request was sent; Celonis may have acted on it' : '';
	const check = sentAndLost
		? ' Check in Celonis whether it took effect before you run it again.'
		: '';
	if (failure.timedOut) {
		const within =
			request.timeoutMs !== undefined ? `within ${formatSeconds(request.timeoutMs)} s` : 'in time';
		return {
			message: `${target} timed out: Celonis did not answer ${within}${acted}`,
			description: `Raise the option "Timeout" if Celonis needs longer for this call, or try again later.${check}${retryNote}`,
		};
	}
	const what = describeNetworkCode(failure.networkCode);
	if (sentAndLost) {
		return {
			message: `${target}: the request was sent; Celonis may have acted on it`,
			description: `${capitalize(what)} before Celonis answered.${check}${retryNote}`,
		};
	}
	return {
		message: `Could not reach the Celonis team at ${origin}: ${what}`,
		description: `Check the credential's Team URL and the network or proxy between n8n and Celonis.${retryNote}`,
	};
}

function formatSeconds(ms: number): string {
	return String(Math.round(ms / 100) / 10);
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
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
	/** The request's timeout (ms), when one was set. */
	timeoutMs?: number;
	/** Why a redirect answer was not followed. */
	redirectNotFollowed?: string;
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
	const error = new NodeApiError(node, payload, {
		message: redactSecrets(message),
		description: redactSecrets(description),
		...(status !== undefined ? { httpCode: String(status) } : {}),
		...(request.itemIndex !== undefined ? { itemIndex: request.itemIndex } : {}),
	});
	if (mayHaveActed(failure, request.method)) error.context.mayHaveActed = true;
	const code = celonisErrorCodeOf(failure.body);
	if (code) error.context.celonisErrorCode = code;
	return error;
}

/**
 * Whether a failed write may still have taken effect in Celonis: it was sent, and then the answer was lost
 * (broken connection, timeout) or a gateway answered 502/504 for a backend that may have processed it.
 */
export function mayHaveActed(failure: HttpFailure, method: string): boolean {
	if (IDEMPOTENT_METHODS.includes(method.toUpperCase())) return false;
	// The renewal failed before the request was sent, or after Celonis refused it with a 401.
	if (failure.consentEnded) return false;
	if (failure.status !== undefined) return failure.status === 502 || failure.status === 504;
	return !failure.message && !failure.plainHttp && !neverSent({ code: failure.networkCode });
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

	if (failure.consentEnded) {
		return {
			message: `The Celonis sign-in behind the credential "${auth.credentialName}" has ended: reconnect the credential`,
			description:
				'Celonis refused to renew the access token (invalid_grant): the consent a person gave lasts 15 minutes or at most 30 days, and it can be revoked. ' +
				'Open the credential in n8n and click "Reconnect" (sign in to Celonis and approve again); workflows then act as the person who approved.',
		};
	}
	if (failure.status === undefined) {
		if (failure.message) return { message: failure.message, description: `Request: ${target}.` };
		return explainNoAnswer(failure, request, retryNote);
	}
	const specific =
		explainJobSubmission(failure, request, said) ?? explainIntelligence(failure, request, said);
	if (specific) return specific;
	switch (failure.status) {
		case 401:
			return {
				message: `Celonis rejected the credential (HTTP 401) for ${target}`,
				description:
					(auth.authentication === 'oAuth2'
						? 'The access token was refused even after requesting a new one. Test the credential: the client may have been deleted or its secret regenerated.'
						: auth.authentication === 'oAuth2AuthCode'
							? 'The access token was refused even after n8n renewed it: the sign-in may have been revoked in Celonis. Open the credential and click "Reconnect".'
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
					`but its ${IDENTITY_OF[auth.authentication]} lacks a Celonis permission. ` +
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
			const reset = describeRateLimitReset(failure.headers);
			return {
				message: `Rate limited by Celonis (HTTP 429) on ${target}${reset ? `; the limit resets in ${reset.inText} (${reset.at})` : ''}`,
				description: `Run the workflow again after the reset, lower the node's concurrency, or raise "Max Total Wait" so the node waits for it.${retryNote}${detail}`,
			};
		}
		default:
			if (failure.status >= 500) {
				const acted = mayHaveActed(failure, request.method)
					? " The request reached Celonis' gateway, so Celonis may have acted on it: check before you run it again."
					: '';
				return {
					message: `Celonis failed to answer ${target} (HTTP ${failure.status})`,
					description: `This is a problem on the Celonis side; try again later.${acted}${retryNote}${detail}`,
				};
			}
			if (failure.status >= 300 && failure.status < 400) {
				return {
					message: `Celonis answered ${target} with a redirect (HTTP ${failure.status}) that was not followed`,
					description: `${request.redirectNotFollowed ?? 'Redirects to another origin are never followed with the credential.'}${detail}`,
				};
			}
			return {
				message: `Celonis refused ${target} (HTTP ${failure.status})${said ? `: ${said}` : ''}`,
				description: `Check the request's parameters and body.${retryNote}`,
			};
	}
}
