import { isDomainAllowed, type IHttpRequestOptions } from 'n8n-workflow';

import { normalizeTeamUrl, withoutUserinfo } from '../../shared/teamUrl';
import { CelonisAuthError } from './errors';

/**
 * Puts the Authorization header on a request, but only on a request to the team itself: a Celonis key
 * or token never travels to another origin, whichever node (ours or n8n's HTTP Request node) sends it.
 * Relative URLs are resolved against the team URL, so `url: '/api/cloud/team'` just works.
 * A redirect may lead to another origin: see `teamOnlyRedirects` for what n8n is told to do then.
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
			`"${withoutUserinfo(legacyUrl)}" is not a usable URL: after the scheme it needs "//" and a host. Use a path on the team (e.g. /integration/api/pools) or the full team URL.`,
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
		if (name.toLowerCase() === 'host') refuseForeignHostHeader(headers[name], origin);
	}
	if (authorization !== undefined) headers.Authorization = authorization;
	const baseURL = requestOptions.baseURL ?? (isAbsolute(legacyUrl) ? undefined : origin);
	return {
		...requestOptions,
		...(baseURL ? { baseURL } : {}),
		headers,
		...teamOnlyRedirects(origin, requestOptions.allowedDomains),
	};
}

/**
 * The two request options that n8n 2.41's request helpers (`@n8n/backend-network`) honour on every
 * redirect, in all versions of the HTTP Request node (also paginated), in `httpRequestWithAuthentication`
 * and in the credential test; a credential cannot pass a redirect hook of its own (n8n sets its own).
 * - `allowedDomains`: every redirect target must have the team's host name, or n8n stops before sending
 *   anything and names the target. This is what keeps the header from subdomains (`x.<team host>`), which
 *   follow-redirects treats as safe.
 * - `sendCredentialsOnCrossOriginRedirect: false`: n8n then does not put the Authorization header back on a
 *   redirect to another origin (HTTP Request node versions before 4.4 default to true, and 4.4+ offer it as
 *   an option). Follow-redirects drops it itself when the host:port changes, so the team's host name on
 *   another port, or http instead of https, is reached without the header.
 * A list of allowed domains the user set on the credential is narrowed to the team host, never widened: one
 * that excludes the team is kept, and n8n refuses the request.
 */
function teamOnlyRedirects(
	teamOrigin: string,
	allowedDomains: string | undefined,
): Pick<IHttpRequestOptions, 'allowedDomains' | 'sendCredentialsOnCrossOriginRedirect'> {
	const host = new URL(teamOrigin).hostname;
	// n8n reads allowedDomains as a comma-separated list with `*.` wildcards; both are legal in a URL host.
	if (/[,*]/.test(host)) {
		throw new CelonisAuthError(
			`"${host}" is not a usable team host. Enter your team URL, e.g. https://acme.eu-1.celonis.cloud.`,
		);
	}
	const allowsTeam =
		allowedDomains === undefined ||
		allowedDomains.trim() === '' ||
		isDomainAllowed({ url: teamOrigin, allowedDomains });
	return {
		allowedDomains: allowsTeam ? host : allowedDomains,
		sendCredentialsOnCrossOriginRedirect: false,
	};
}

/**
 * A Host header names the server the request is for (a load balancer routes by it), and follow-redirects
 * takes it for the current host when it decides whether a redirect keeps the Authorization header.
 */
function refuseForeignHostHeader(value: unknown, teamOrigin: string): void {
	const team = new URL(teamOrigin);
	const named = String(value).trim();
	// Only host[:port]: no user info, path, query or fragment for a URL parser to read differently.
	const sameHost =
		/^[^/?#@\\\s]+$/.test(named) &&
		URL.canParse(`${team.protocol}//${named}`) &&
		new URL(`${team.protocol}//${named}`).host === team.host;
	if (!sameHost) {
		throw new CelonisAuthError(
			`The Host header "${named}" names another host than the team ${teamOrigin}: this credential only sends its key or token to its team. Remove the Host header.`,
		);
	}
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
