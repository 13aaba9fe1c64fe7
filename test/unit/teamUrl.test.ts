import {
	isLoopbackHost,
	normalizeTeamUrl,
	TeamUrlError,
	withoutUserinfo,
} from '../../shared/teamUrl';
import { resolveTeamUrl } from '../../nodes/Celonis/transport/url';

describe('normalizeTeamUrl', () => {
	it.each([
		['https://acme.eu-1.celonis.cloud', 'https://acme.eu-1.celonis.cloud'],
		['https://acme.eu-1.celonis.cloud/', 'https://acme.eu-1.celonis.cloud'],
		[
			'  https://acme.eu-1.celonis.cloud/package-manager/ui/studio/ui/spaces?x=1#frag ',
			'https://acme.eu-1.celonis.cloud',
		],
		['acme.us-2.celonis.cloud', 'https://acme.us-2.celonis.cloud'],
		['HTTPS://ACME.EU-1.CELONIS.CLOUD/ui', 'https://acme.eu-1.celonis.cloud'],
		['http://127.0.0.1:8787/anything', 'http://127.0.0.1:8787'],
		['http://localhost:5678', 'http://localhost:5678'],
		['http://[::1]:8080', 'http://[::1]:8080'],
		['http://127.3.4.5', 'http://127.3.4.5'],
	])('%s → %s', (input, origin) => {
		expect(normalizeTeamUrl(input)).toBe(origin);
	});

	it('refuses http:// for a non-loopback host and says what to enter', () => {
		expect(() => normalizeTeamUrl('http://acme.eu-1.celonis.cloud')).toThrow(
			/must use https:\/\/.*only for a local emulator/,
		);
		expect(() => normalizeTeamUrl('http://10.0.0.5')).toThrow(TeamUrlError);
		expect(() => normalizeTeamUrl('http://127.0.0.1.evil.com')).toThrow(TeamUrlError);
	});

	it.each([[''], ['   '], [undefined], [42]])('asks for a URL when given %p', (input) => {
		expect(() => normalizeTeamUrl(input)).toThrow(
			/Enter your Celonis team URL: https:\/\/<team>\.<realm>\.celonis\.cloud/,
		);
	});

	it('rejects other schemes, garbage and embedded user info', () => {
		expect(() => normalizeTeamUrl('ftp://acme.eu-1.celonis.cloud')).toThrow(
			/must start with https:\/\//,
		);
		expect(() => normalizeTeamUrl('https://exa mple.com')).toThrow(/not a valid URL/);
		expect(() => normalizeTeamUrl('https://user:pw@acme.eu-1.celonis.cloud')).toThrow(
			/must not contain a user name or password/,
		);
	});

	it('knows the loopback hosts', () => {
		expect(
			['localhost', 'app.localhost', '127.0.0.1', '127.255.0.9', '::1', '[::1]'].every(
				isLoopbackHost,
			),
		).toBe(true);
		expect(
			['10.0.0.1', '128.0.0.1', 'localhost.com', 'acme.eu-1.celonis.cloud'].some(isLoopbackHost),
		).toBe(false);
	});
});

describe('a user name or password typed into a URL never reaches a message', () => {
	it.each([
		['https://admin:Sup3r secret!@acme.eu-1.celonis cloud', 'https://***@acme.eu-1.celonis cloud'],
		['admin:Sup3r@acme .eu-1.celonis.cloud', '***@acme .eu-1.celonis.cloud'],
		['https://u:p@ss w@host/x@y', 'https://***@host/x@y'],
		['see https://u:p@h.com and http://x:y@z/q', 'see https://***@h.com and http://***@z/q'],
		[
			'https://acme.eu-1.celonis.cloud/path@x?q=a@b',
			'https://acme.eu-1.celonis.cloud/path@x?q=a@b',
		],
	])('%s', (typed, shown) => {
		expect(withoutUserinfo(typed)).toBe(shown);
	});

	it('not in the team URL errors, nor in the path errors of the generic request', () => {
		for (const typed of ['https://admin:Sup3r secret@acme eu', 'admin:Sup3r secret@acme eu']) {
			expect(() => normalizeTeamUrl(typed)).toThrow(/is not a valid URL/);
			expect(() => normalizeTeamUrl(typed)).not.toThrow(/Sup3r|admin/);
		}
		expect(() =>
			resolveTeamUrl('https://acme.eu-1.celonis.cloud', 'https:admin:Sup3r@x'),
		).not.toThrow(/Sup3r/);
		expect(() =>
			resolveTeamUrl('https://acme.eu-1.celonis.cloud', 'https://admin:Sup3r@a b/c'),
		).toThrow(/\*\*\*@a b/);
	});
});
