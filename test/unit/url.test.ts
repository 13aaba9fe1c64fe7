import {
	assertSafeHeaders,
	resolveTeamUrl,
	UnsafePathError,
} from '../../nodes/Celonis/transport/url';

const team = 'https://acme.eu-1.celonis.cloud';

describe('resolveTeamUrl', () => {
	it('resolves paths against the team and keeps the query', () => {
		expect(resolveTeamUrl(team, '/integration/api/pools?x=1').toString()).toBe(
			`${team}/integration/api/pools?x=1`,
		);
		expect(resolveTeamUrl(team, 'integration/api/pools').pathname).toBe('/integration/api/pools');
		expect(resolveTeamUrl(team, `${team}/log/api/external/audit`).pathname).toBe(
			'/log/api/external/audit',
		);
	});
	it.each([
		['https://evil.example.com/steal'],
		['//evil.example.com/steal'],
		['http://acme.eu-1.celonis.cloud/x'],
		['https://acme.eu-1.celonis.cloud.evil.com/x'],
		['https://acme.eu-1.celonis.cloud:8443/x'],
	])('refuses the foreign origin %s before sending anything', (url) => {
		expect(() => resolveTeamUrl(team, url)).toThrow(/not on the credential's team/);
	});
	it.each([
		['/integration/../api/cloud'],
		['/a/%2e%2e/b'],
		['/a/%2E%2E%2Fb'],
		['/a/./b'],
		['/a\\..\\b'],
	])('refuses dot segments in %s', (path) => {
		expect(() => resolveTeamUrl(team, path)).toThrow(/"\.\." segment/);
	});
	it('refuses a scheme without "//" (resolved differently by different URL parsers)', () => {
		for (const url of [
			'https:evil.example.com/x',
			'https:/evil.example.com/x',
			'javascript:alert(1)',
		])
			expect(() => resolveTeamUrl(team, url)).toThrow(/needs "\/\/" and a host/);
	});
	it('refuses line breaks, empty paths and user info', () => {
		expect(() => resolveTeamUrl(team, '/a\r\nX-Evil: 1')).toThrow(/line break/);
		expect(() => resolveTeamUrl(team, '  ')).toThrow(/Enter the path/);
		expect(() => resolveTeamUrl(team, 'https://u:p@acme.eu-1.celonis.cloud/x')).toThrow(
			UnsafePathError,
		);
	});
});

describe('assertSafeHeaders', () => {
	it('accepts ordinary headers', () => {
		expect(() => assertSafeHeaders({ Accept: 'text/csv', 'X-Trace-Id': 'abc' })).not.toThrow();
	});
	it('refuses CR/LF in names and values, invalid names and Authorization', () => {
		expect(() => assertSafeHeaders({ 'X-A': 'v\r\nInjected: 1' })).toThrow(/line break/);
		expect(() => assertSafeHeaders({ 'X-A\n': 'v' })).toThrow(/line break/);
		expect(() => assertSafeHeaders({ 'Bad Name': 'v' })).toThrow(/not a valid header name/);
		expect(() => assertSafeHeaders({ authorization: 'Bearer x' })).toThrow(/cannot be overridden/);
	});
});
