import { withoutUserinfo } from '../../../shared/teamUrl';

/**
 * Builds the URL of a Celonis call from a path (or an absolute URL on the team's own origin) and
 * refuses, before anything is sent, what would let the credential reach somewhere else.
 */
export class UnsafePathError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'UnsafePathError';
	}
}

export function resolveTeamUrl(origin: string, pathOrUrl: string): URL {
	const raw = pathOrUrl.trim();
	if (raw === '')
		throw new UnsafePathError(
			'Enter the path of the Celonis API to call, e.g. /integration/api/pools.',
		);
	if (/[\r\n\0]/.test(raw))
		throw new UnsafePathError('The path contains a line break or NUL character.');
	if (/^[a-z][a-z0-9+.-]*:(?!\/\/)/i.test(raw)) {
		throw new UnsafePathError(
			`"${withoutUserinfo(raw)}" is not a usable URL: after the scheme it needs "//" and a host. Use a path such as /integration/api/pools.`,
		);
	}
	const isAbsolute = /^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//');
	const url = parseUrl(isAbsolute ? raw : raw.startsWith('/') ? raw : `/${raw}`, origin);
	if (!url) throw new UnsafePathError(`"${withoutUserinfo(raw)}" is not a valid path or URL.`);
	if (url.origin !== origin) {
		throw new UnsafePathError(
			`The URL ${url.origin} is not on the credential's team ${origin}. The Celonis node only sends requests (and the credential) to the team: use a path such as /integration/api/pools.`,
		);
	}
	if (url.username || url.password)
		throw new UnsafePathError('The URL must not contain a user name or password.');
	if (hasDotSegment(raw)) {
		throw new UnsafePathError(
			`The path "${withoutUserinfo(raw)}" contains a ".." segment. Use the direct path of the API instead.`,
		);
	}
	return url;
}

/** `..` in any spelling (raw or percent-encoded) would let a path escape the API it names. */
function hasDotSegment(raw: string): boolean {
	const pathPart = raw.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0];
	let decoded = pathPart;
	try {
		decoded = decodeURIComponent(pathPart);
	} catch {
		// keep the raw path: an invalid escape is caught by the server
	}
	return [pathPart, decoded].some((p) =>
		p.split(/[\\/]/).some((segment) => segment === '..' || segment === '.'),
	);
}

/** Header names and values with CR/LF would let a value inject further headers. */
export function assertSafeHeaders(headers: Record<string, string>): void {
	for (const [name, value] of Object.entries(headers)) {
		if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
			throw new UnsafePathError(
				`The header "${name.replace(/[\r\n]/g, '\\n')}" contains a line break, which is not allowed in HTTP headers.`,
			);
		}
		if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
			throw new UnsafePathError(`"${name}" is not a valid header name.`);
		// HTTP field values are Latin-1 text without control characters (tab allowed); an HTTP client would
		// drop or mangle anything else and send another value than the one entered.
		const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(value);
		if (bad) {
			const what =
				bad[0] === '\0'
					? 'a NUL character'
					: bad[0].charCodeAt(0) < 0x20 || bad[0] === '\x7f'
						? `the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
						: `"${bad[0]}" (U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
			throw new UnsafePathError(
				`The header "${name}" contains ${what} at position ${bad.index + 1}, but HTTP headers carry only Latin-1 text without control characters: it would be sent altered. Remove it, or encode the value (e.g. with encodeURIComponent()) if the API expects that.`,
			);
		}
		if (name.toLowerCase() === 'authorization') {
			throw new UnsafePathError(
				'The Authorization header is set by the Celonis credential and cannot be overridden.',
			);
		}
	}
}

export function parseUrl(value: string, base?: string): URL | undefined {
	try {
		return new URL(value, base);
	} catch {
		return undefined;
	}
}
