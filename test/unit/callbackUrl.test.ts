import {
	callbackProtocolOf,
	isPrivateHost,
	unreachableCallbackReason,
} from '../../nodes/Celonis/helpers/callbackUrl';
import {
	isAuthorizedDelivery,
	newSubscriptionSecret,
	secretHashOf,
} from '../../nodes/Celonis/helpers/subscriptionEvents';

const TEAM = 'https://acme.eu-1.celonis.cloud';

describe("whether Celonis can call n8n's webhook URL", () => {
	it.each([
		'http://localhost:5678/webhook/x/webhook',
		'https://127.0.0.1/webhook/x/webhook',
		'https://[::1]/webhook/x/webhook',
		'https://10.1.2.3/webhook/x/webhook',
		'https://172.20.0.5/webhook/x/webhook',
		'https://192.168.1.10/webhook/x/webhook',
		'https://169.254.0.1/webhook/x/webhook',
		'https://100.64.0.1/webhook/x/webhook',
		'https://[fd00::1]/webhook/x/webhook',
		'https://[fe80::1]/webhook/x/webhook',
		'https://n8n:5678/webhook/x/webhook',
		'https://n8n.local/webhook/x/webhook',
		'https://n8n.internal/webhook/x/webhook',
		'https://0.0.0.0/webhook/x/webhook',
	])('%s: not from a cloud team', (url) => {
		expect(unreachableCallbackReason(url, TEAM)).toMatch(/only this machine or network can reach/);
	});

	it('http to a public host: Celonis calls only https', () => {
		expect(unreachableCallbackReason('http://n8n.example.com/webhook/x', TEAM)).toBe(
			'Celonis calls only https:// addresses',
		);
	});

	it.each([
		'https://n8n.example.com/webhook/x/webhook',
		'https://8.8.8.8/webhook/x',
		'https://172.32.0.1/webhook/x',
		'https://n8n.example.com:8443/webhook/x',
	])('%s: reachable', (url) => {
		expect(unreachableCallbackReason(url, TEAM)).toBeUndefined();
	});

	it('a team on a loopback address (the emulator) may call n8n anywhere, also over http', () => {
		expect(
			unreachableCallbackReason('http://localhost:5678/webhook/x', 'http://127.0.0.1:8787'),
		).toBeUndefined();
		expect(callbackProtocolOf('http://localhost:5678/x')).toBe('HTTP');
		expect(callbackProtocolOf('HTTPS://n8n.example.com/x')).toBe('HTTPS');
		expect(isPrivateHost('celonis.cloud')).toBe(false);
	});
});

describe('delivery authentication', () => {
	it('accepts exactly the secret whose hash is stored', () => {
		const secret = newSubscriptionSecret();
		const hash = secretHashOf(secret);
		expect(hash).not.toContain(secret);
		expect(isAuthorizedDelivery(`Bearer ${secret}`, hash)).toBe(true);
		expect(isAuthorizedDelivery(`bearer   ${secret} `, hash)).toBe(true);
		expect(isAuthorizedDelivery([`Bearer ${secret}`], hash)).toBe(true);
		for (const forged of [
			undefined,
			'',
			secret,
			`Bearer ${secret}x`,
			`Bearer ${secret.slice(1)}`,
			`Basic ${secret}`,
			`Bearer ${newSubscriptionSecret()}`,
			42,
		])
			expect(isAuthorizedDelivery(forged, hash)).toBe(false);
		// Without a stored hash (no subscription yet, static data lost) nothing is accepted.
		for (const stored of [undefined, '', 'abc', 42, hash.toUpperCase()])
			expect(isAuthorizedDelivery(`Bearer ${secret}`, stored)).toBe(false);
		expect(newSubscriptionSecret()).not.toBe(secret);
	});
});
