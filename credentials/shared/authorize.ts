import type { IHttpRequestOptions } from 'n8n-workflow';

import { normalizeTeamUrl } from '../../nodes/Celonis/shared/teamUrl';
import { CelonisAuthError } from './errors';

/**
 * Puts the Authorization header on a request, but only on a request to the team itself: a Celonis key
 * or token never travels to another origin, whichever node (ours or n8n's HTTP Request node) sends it.
 * Relative URLs are resolved against the team URL, so `url: '/api/cloud/team'` just works.
 */
export function authorizeForTeam(
	teamUrl: unknown,
	requestOptions: IHttpRequestOptions,
	authorization: string | undefined,
): IHttpRequestOptions {
	const origin = normalizeTeamUrl(teamUrl);
	const legacyUrl =
		(requestOptions as IHttpRequestOptions & { uri?: string }).url ??
		(requestOptions as { uri?: string }).uri ??
		'';
	// `https:evil.com` resolves against the team for WHATWG URL, but to evil.com for some HTTP clients: refuse it.
	if (/^[a-z][a-z0-9+.-]*:(?!\/\/)/i.test(legacyUrl.trim())) {
		throw new CelonisAuthError(
			`"${legacyUrl}" is not a usable URL: after the scheme it needs "//" and a host. Use a path on the team (e.g. /integration/api/pools) or the full team URL.`,
		);
	}
	const target = targetOrigin(requestOptions, origin);
	if (target !== origin) {
		throw new CelonisAuthError(
			`This Celonis credential only sends its key or token to its team ${origin}; the request goes to ${target}. ` +
				'Use a path on the team (e.g. /integration/api/pools) or a URL that starts with the Team URL.',
		);
	}
	const headers = { ...(requestOptions.headers ?? {}) };
	for (const name of Object.keys(headers)) {
		if (name.toLowerCase() === 'authorization') delete headers[name];
	}
	if (authorization !== undefined) headers.Authorization = authorization;
	const url =
		(requestOptions as IHttpRequestOptions & { uri?: string }).url ??
		(requestOptions as { uri?: string }).uri ??
		'';
	const baseURL = requestOptions.baseURL ?? (isAbsolute(url) ? undefined : origin);
	return { ...requestOptions, ...(baseURL ? { baseURL } : {}), headers };
}

function isAbsolute(url: string): boolean {
	return /^[a-z][a-z0-9+.-]*:/i.test(url);
}

/** The origin a request goes to; n8n's legacy request path (HTTP Request node) names the URL `uri`. */
function targetOrigin(requestOptions: IHttpRequestOptions, teamOrigin: string): string {
	const legacy = requestOptions as IHttpRequestOptions & { uri?: string };
	const url = legacy.url ?? legacy.uri ?? '';
	try {
		const base = requestOptions.baseURL ?? teamOrigin;
		return new URL(url, base.endsWith('/') ? base : `${base}/`).origin;
	} catch {
		return 'an invalid URL';
	}
}
