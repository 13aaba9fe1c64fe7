/**
 * The HTML of the authorization endpoint: the consent page (client, scopes, user, duration; Approve / Deny) and the
 * error page shown when the request cannot be answered by redirecting. Element ids are stable for browser tests.
 */
import type { ServerResponse } from 'node:http';

const escape = (s: string): string =>
	s.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
	);

function page(title: string, body: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b3a}
h1{font-size:1.4rem}ul{padding-left:1.2rem}li{margin:.2rem 0}code{font-size:.9em}
fieldset{border:1px solid #ccd;border-radius:6px;margin:1rem 0}
button{font-size:1rem;padding:.5rem 1.4rem;margin-right:.6rem;border-radius:6px;border:1px solid #445;cursor:pointer}
#approve{background:#1b1b3a;color:#fff}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function send(res: ServerResponse, status: number, html: string): void {
	res.statusCode = status;
	res.setHeader('content-type', 'text/html; charset=utf-8');
	res.setHeader('cache-control', 'no-store');
	res.setHeader('x-frame-options', 'DENY');
	res.setHeader(
		'content-security-policy',
		"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
	);
	res.setHeader('content-length', Buffer.byteLength(html));
	res.end(html);
}

export interface ConsentView {
	requestId: string;
	clientName: string;
	clientId: string;
	scopes: string[];
	users: { email: string; name: string }[];
	userEmail: string;
	redirectOrigin: string;
	teamName: string;
	longLabel: string;
	shortLabel: string;
}

/** Approve and Deny submit the form to POST /oauth2/authorize; unticked scopes are not granted. */
export function sendConsentPage(res: ServerResponse, v: ConsentView): void {
	const scopes = v.scopes
		.map(
			(s) =>
				`<li><label><input type="checkbox" name="scope" value="${escape(s)}" data-scope="${escape(s)}" checked> <code>${escape(s)}</code></label></li>`,
		)
		.join('\n');
	const users = v.users
		.map(
			(u) =>
				`<option value="${escape(u.email)}"${u.email === v.userEmail ? ' selected' : ''}>${escape(u.name)} (${escape(u.email)})</option>`,
		)
		.join('');
	send(
		res,
		200,
		page(
			`Authorize ${v.clientName}`,
			`<h1 id="consent-title">Authorize <span id="client-name">${escape(v.clientName)}</span></h1>
<p><span id="client-id"><code>${escape(v.clientId)}</code></span> asks to act on your behalf in team ${escape(v.teamName)}. You will be sent back to <code id="redirect-origin">${escape(v.redirectOrigin)}</code>.</p>
<form id="consent-form" method="post" action="/oauth2/authorize">
<input type="hidden" name="request_id" value="${escape(v.requestId)}">
<fieldset><legend>Signed in as</legend><select id="user" name="user">${users}</select></fieldset>
<fieldset><legend>Requested scopes</legend><ul id="scopes">
${scopes}
</ul></fieldset>
<fieldset><legend>Allow access for</legend>
<label><input type="radio" id="duration-long" name="duration" value="long" checked> ${escape(v.longLabel)}</label>
<label><input type="radio" id="duration-short" name="duration" value="short"> ${escape(v.shortLabel)}</label>
</fieldset>
<button type="submit" id="approve" name="decision" value="approve">Approve</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>`,
		),
	);
}

/** A bad client or redirect URI is shown to the user, never redirected to (docs/celonis-api.md#authorization-code). */
export function sendErrorPage(
	res: ServerResponse,
	status: number,
	error: string,
	description: string,
): void {
	send(
		res,
		status,
		page(
			'Authorization failed',
			`<h1 id="error-title">Authorization failed</h1>
<p id="error" data-error="${escape(error)}"><code>${escape(error)}</code></p>
<p id="error-description">${escape(description)}</p>`,
		),
	);
}
