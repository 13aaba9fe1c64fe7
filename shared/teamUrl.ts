/**
 * Team URL handling shared by the credentials and the node's transport: users paste any URL of their
 * team (a Studio page, the login page, ...) and only its origin is used. https is required, except for
 * loopback hosts, so that the local emulator works.
 */
export class TeamUrlError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TeamUrlError';
	}
}

const EXAMPLE = 'https://<team>.<realm>.celonis.cloud, e.g. https://acme.eu-1.celonis.cloud';

export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return (
		host === 'localhost' ||
		host.endsWith('.localhost') ||
		host === '::1' ||
		/^127(\.\d{1,3}){3}$/.test(host)
	);
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Whether the user typed a scheme; without one, https:// is assumed. */
export function teamUrlHasScheme(input: unknown): boolean {
	return typeof input === 'string' && SCHEME.test(input.trim());
}

/**
 * The text with the user-info part of every URL in it (`user:password@`) replaced by `***@`, so that a
 * password typed into a URL never reaches a message, an item or a log. Also for text without a scheme,
 * whose start is read as a host (as the team URL field does).
 */
export function withoutUserinfo(text: string): string {
	const masked = text.replace(
		/([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/gi,
		(_m, scheme: string) => `${scheme}***@`,
	);
	return SCHEME.test(masked.trim()) ? masked : masked.replace(/^(\s*)[^/?#]*@/, '$1***@');
}

/** Returns the origin (`https://acme.eu-1.celonis.cloud`) of whatever team URL the user entered. */
export function normalizeTeamUrl(input: unknown): string {
	const raw = typeof input === 'string' ? input.trim() : '';
	if (raw === '') throw new TeamUrlError(`Enter your Celonis team URL: ${EXAMPLE}.`);

	const withScheme = SCHEME.test(raw) ? raw : `https://${raw}`;
	const url = URL.canParse(withScheme) ? new URL(withScheme) : undefined;
	if (!url)
		throw new TeamUrlError(
			`"${withoutUserinfo(raw)}" is not a valid URL. Enter your Celonis team URL: ${EXAMPLE}.`,
		);
	if (url.username || url.password) {
		throw new TeamUrlError(
			'The team URL must not contain a user name or password. Enter only the address of your team, e.g. https://acme.eu-1.celonis.cloud.',
		);
	}
	if (url.protocol === 'http:') {
		if (!isLoopbackHost(url.hostname)) {
			throw new TeamUrlError(
				`The team URL must use https:// (got http://${url.host}). Celonis teams are only reachable over https; http:// is allowed only for a local emulator on localhost or 127.0.0.1.`,
			);
		}
	} else if (url.protocol !== 'https:') {
		throw new TeamUrlError(
			`The team URL must start with https:// (got ${url.protocol}//). Enter ${EXAMPLE}.`,
		);
	}
	return url.origin;
}
