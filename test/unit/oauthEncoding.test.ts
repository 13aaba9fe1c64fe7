import { createHash } from 'node:crypto';

import {
	basicAuthorization,
	tokenRequestBody,
	type OAuthClientSettings,
} from '../../credentials/shared/oauthToken';
import { hasUsableToken, settingsFingerprint } from '../../shared/tokenUsability';

const settings: OAuthClientSettings = {
	origin: 'https://acme.eu-1.celonis.cloud',
	clientId: 'client:id with space',
	clientSecret: 's3cr3t/+=&%ü',
	authMethod: 'clientSecretBasic',
	scopes: ['audit.log:read', 'integration.data-pools'],
};

describe('token request encoding', () => {
	it('form-urlencodes id and secret before base64 for client_secret_basic (RFC 6749 §2.3.1)', () => {
		const header = basicAuthorization(settings.clientId, settings.clientSecret);
		const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
		expect(decoded).toBe('client%3Aid+with+space:s3cr3t%2F%2B%3D%26%25%C3%BC');
		const [id, secret] = decoded.split(':').map((v) => decodeURIComponent(v.replace(/\+/g, ' ')));
		expect([id, secret]).toEqual([settings.clientId, settings.clientSecret]);
	});

	it('sends scopes space-separated and, for basic, no credentials in the body', () => {
		const body = new URLSearchParams(
			tokenRequestBody(settings, 'clientSecretBasic', settings.scopes),
		);
		expect(Object.fromEntries(body)).toEqual({
			grant_type: 'client_credentials',
			scope: 'audit.log:read integration.data-pools',
		});
	});

	it('puts client_id and client_secret into the body for client_secret_post', () => {
		const body = new URLSearchParams(
			tokenRequestBody(settings, 'clientSecretPost', settings.scopes),
		);
		expect(body.get('client_id')).toBe(settings.clientId);
		expect(body.get('client_secret')).toBe(settings.clientSecret);
		expect(body.get('grant_type')).toBe('client_credentials');
	});

	it('omits an empty scope', () => {
		expect(
			new URLSearchParams(tokenRequestBody(settings, 'clientSecretBasic', [])).has('scope'),
		).toBe(false);
	});
});

describe('hasUsableToken', () => {
	const stored = (overrides: Record<string, unknown> = {}) => {
		const creds = {
			teamUrl: settings.origin,
			clientId: settings.clientId,
			clientSecret: settings.clientSecret,
			authMethod: 'clientSecretBasic',
			scopes: settings.scopes,
			customScopes: '',
		};
		return {
			...creds,
			accessToken: 'tok',
			issuedAt: new Date(0).toISOString(),
			expiresAt: new Date(899_000).toISOString(),
			issuedFor: settingsFingerprint(settings),
			...overrides,
		};
	};
	it('accepts a token until 30 s before it expires', () => {
		expect(hasUsableToken(stored(), 868_000)).toBe(true);
		expect(hasUsableToken(stored(), 870_000)).toBe(false);
	});
	it('uses a tenth of the lifetime as margin for short-lived tokens', () => {
		const short = stored({ expiresAt: new Date(2_000).toISOString() });
		expect(hasUsableToken(short, 1_700)).toBe(true);
		expect(hasUsableToken(short, 1_850)).toBe(false);
	});
	it('refuses a missing token or one issued for other settings (edited credential)', () => {
		expect(hasUsableToken(stored({ accessToken: '' }), 0)).toBe(false);
		expect(hasUsableToken(stored({ scopes: ['studio'] }), 0)).toBe(false);
		expect(hasUsableToken(stored({ clientId: 'other' }), 0)).toBe(false);
		expect(hasUsableToken(stored({ clientSecret: 'regenerated' }), 0)).toBe(false);
		expect(hasUsableToken(stored({ expiresAt: 'garbage' }), 0)).toBe(false);
	});
	it('keeps the secret out of the fingerprint (only a hash of it enters)', () => {
		const fingerprint = settingsFingerprint(settings);
		expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
		expect(fingerprint).not.toContain(settings.clientSecret);
		expect(
			settingsFingerprint({ ...settings, clientSecret: `${settings.clientSecret}x` }),
		).not.toBe(fingerprint);
	});
	it('replaces a token stored with the earlier fingerprint (without the secret) once', () => {
		const earlier = createHash('sha256')
			.update(
				[settings.origin, settings.clientId, 'clientSecretBasic', settings.scopes.join(' ')].join(
					'\n',
				),
			)
			.digest('hex')
			.slice(0, 16);
		expect(hasUsableToken(stored({ issuedFor: earlier }), 0)).toBe(false);
	});
});
