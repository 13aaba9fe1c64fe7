import { authorizeForTeam } from '../../credentials/shared/authorize';

const team = 'https://acme.eu-1.celonis.cloud';

describe('authorizeForTeam: the credential only ever goes to its team', () => {
	it('adds the header for the team, resolving relative URLs against it, replacing any other Authorization', () => {
		const out = authorizeForTeam(
			`${team}/studio/ui`,
			{ url: '/api/cloud/team', headers: { authorization: 'Bearer other' } },
			'AppKey k',
		);
		expect(out).toMatchObject({
			baseURL: team,
			url: '/api/cloud/team',
			headers: { Authorization: 'AppKey k' },
		});
		expect(Object.keys(out.headers ?? {})).toEqual(['Authorization']);
		expect(authorizeForTeam(team, { url: `${team}/x` }, 'Bearer t').baseURL).toBeUndefined();
	});
	it('refuses other origins, also in the legacy `uri` form of the HTTP Request node', () => {
		expect(() => authorizeForTeam(team, { url: 'https://evil.example.com/x' }, 'Bearer t')).toThrow(
			/only sends its key or token to its team/,
		);
		expect(() =>
			authorizeForTeam(team, { uri: 'http://acme.eu-1.celonis.cloud/x' } as never, 'Bearer t'),
		).toThrow(/only sends its key or token to its team/);
		expect(() =>
			authorizeForTeam(team, { url: '/x', baseURL: 'https://evil.example.com' }, 'Bearer t'),
		).toThrow(/only sends/);
	});
	it('refuses a scheme without "//", which URL parsers resolve differently', () => {
		for (const url of ['https:evil.example.com/x', 'https:/evil.example.com/x'])
			expect(() => authorizeForTeam(team, { url }, 'Bearer t')).toThrow(/needs "\/\/" and a host/);
	});
	it('sends no header when there is no usable token (so Celonis answers 401 and a new one is fetched)', () => {
		expect(
			authorizeForTeam(team, { url: '/x', headers: { Authorization: 'Bearer stale' } }, undefined)
				.headers,
		).toEqual({});
	});
});
