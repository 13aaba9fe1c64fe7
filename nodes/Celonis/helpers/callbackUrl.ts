import { isLoopbackHost } from '../../../shared/teamUrl';

/**
 * Whether Celonis can call n8n back at the webhook URL of a trigger. Celonis is a cloud service: a callback
 * must be https (docs/celonis-api.md, "Event Subscription API": `protocol` HTTPS) on an address the internet
 * reaches. Only a team on a loopback address (the local emulator) may call n8n on localhost or over http.
 */
export function unreachableCallbackReason(
	webhookUrl: string,
	teamOrigin: string,
): string | undefined {
	const team = new URL(teamOrigin);
	if (isLoopbackHost(team.hostname)) return undefined;
	let url: URL;
	try {
		url = new URL(webhookUrl);
	} catch {
		return 'it is not a valid URL';
	}
	if (isPrivateHost(url.hostname))
		return `${url.hostname} is an address that only this machine or network can reach`;
	if (url.protocol !== 'https:') return 'Celonis calls only https:// addresses';
	return undefined;
}

/** The callback's `protocol` as Celonis names it. */
export function callbackProtocolOf(webhookUrl: string): 'HTTPS' | 'HTTP' {
	return webhookUrl.toLowerCase().startsWith('https:') ? 'HTTPS' : 'HTTP';
}

const PRIVATE_IPV4 = [
	/^10\./,
	/^172\.(1[6-9]|2\d|3[01])\./,
	/^192\.168\./,
	/^169\.254\./,
	/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
	/^0\./,
];

/** Loopback, private, link-local and single-label or local-only names: nothing a cloud service can reach. */
export function isPrivateHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (isLoopbackHost(host) || host === '::' || host === '0.0.0.0') return true;
	if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return PRIVATE_IPV4.some((r) => r.test(host));
	if (host.includes(':')) return /^(f[cd][0-9a-f]{2}|fe[89ab][0-9a-f]):/.test(host);
	if (!host.includes('.')) return true;
	return /\.(local|internal|lan|home\.arpa|localdomain)$/.test(host);
}
