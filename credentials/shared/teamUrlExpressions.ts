/**
 * n8n expressions over the Team URL, for the hidden fields n8n's own OAuth2 machinery reads (authorization and
 * token URL, allowed domains): n8n evaluates them itself, before any code of ours runs, so they cannot call
 * shared/teamUrl. They follow normalizeTeamUrl (a test compares both over generated inputs) and err on the safe
 * side where it would refuse: http:// to a host that is not loopback becomes https://, and any user-info is
 * dropped, so neither a secret nor a code ever travels in plain text or to a host hidden behind an `@`.
 */
const TEAM_URL = 'String($self["teamUrl"] || "")';

/** scheme://host[:port] in lower case, as URL.origin has it. */
const ORIGIN = [
	TEAM_URL,
	// URL parsers drop tabs and line breaks anywhere in a URL.
	'.replace(/[\\t\\n\\r]/g, "")',
	'.trim()',
	// No scheme typed: https:// is assumed.
	'.replace(/^(?![a-zA-Z][a-zA-Z0-9+.-]*:\\/\\/)/, "https://")',
	// Scheme and authority only; user-info dropped; a backslash ends the host as it does for URL parsers.
	'.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\\/\\/)(?:[^\\/\\\\?#]*@)?([^\\/\\\\?#]*)[\\s\\S]*$/, "$1$2")',
	'.toLowerCase()',
	// Only http and https; plain http only to loopback (the emulator).
	'.replace(/^(?!https?:)[a-z][a-z0-9+.-]*:\\/\\//, "https://")',
	'.replace(/^http:\\/\\/(?!(localhost|[^\\/:]*\\.localhost|127(\\.\\d{1,3}){3}|\\[::1\\])(:\\d*)?$)/, "https://")',
	// Default ports, as URL.origin leaves them out.
	'.replace(/^(https:\\/\\/[^\\/]*?):(443)?$/, "$1")',
	'.replace(/^(http:\\/\\/[^\\/]*?):(80)?$/, "$1")',
].join('');

/** `={{ <team origin> }}<path>`, e.g. for `/oauth2/token`. */
export function teamUrlExpression(path: string): string {
	return `={{ ${ORIGIN} }}${path}`;
}

/** The team's host name (no port), for n8n's "Allowed Domains" of a credential. */
export const TEAM_HOST_EXPRESSION = `={{ ${ORIGIN}.replace(/^[a-z]+:\\/\\//, "").replace(/:\\d*$/, "") }}`;

/** The scopes ticked in the multi-select plus the custom ones, joined by single spaces (what n8n sends as `scope`). */
export const SCOPE_EXPRESSION =
	'={{ ((($self["scopes"] || []).join(" ")) + " " + String($self["customScopes"] || "")).replace(/[\\s,]+/g, " ").trim() }}';
