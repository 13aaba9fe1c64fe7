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

	describe('redirects: the options n8n honours on every redirect (HTTP Request node, httpRequest helpers)', () => {
		it('never lets n8n put the header back on a redirect to another origin', () => {
			for (const requested of [undefined, true, false]) {
				const out = authorizeForTeam(
					team,
					{ url: '/x', sendCredentialsOnCrossOriginRedirect: requested },
					'Bearer t',
				);
				expect(out.sendCredentialsOnCrossOriginRedirect).toBe(false);
			}
		});
		it('allows redirects only to the team host (n8n checks every redirect target against allowedDomains)', () => {
			expect(authorizeForTeam(team, { url: '/x' }, 'Bearer t').allowedDomains).toBe(
				'acme.eu-1.celonis.cloud',
			);
			expect(authorizeForTeam('http://[::1]:8787', { url: '/x' }, 'Bearer t').allowedDomains).toBe(
				'[::1]',
			);
			// Also when there is no token to send (the request still goes out, and a redirect must stay on the team).
			expect(authorizeForTeam(team, { url: '/x' }, undefined).allowedDomains).toBe(
				'acme.eu-1.celonis.cloud',
			);
		});
		it('narrows the credential’s own "Allowed Domains" to the team host, never widens it', () => {
			for (const allowedDomains of ['*.celonis.cloud', 'example.com, acme.eu-1.celonis.cloud'])
				expect(
					authorizeForTeam(team, { url: '/x', allowedDomains }, 'Bearer t').allowedDomains,
				).toBe('acme.eu-1.celonis.cloud');
			// A list that excludes the team stays as it is: n8n then refuses the request itself.
			expect(
				authorizeForTeam(team, { url: '/x', allowedDomains: 'example.com' }, 'Bearer t')
					.allowedDomains,
			).toBe('example.com');
		});
		it('refuses a team host that n8n would read as a list or a wildcard', () => {
			for (const teamUrl of ['https://acme,evil.example.com', 'https://*.celonis.cloud'])
				expect(() => authorizeForTeam(teamUrl, { url: '/x' }, 'Bearer t')).toThrow(
					/not a usable team host/,
				);
		});
		it('refuses a Host header naming another host (follow-redirects would treat that host as the current one)', () => {
			expect(() =>
				authorizeForTeam(
					team,
					{ url: '/x', headers: { Host: 'acme.eu-1.celonis.cloud:8443' } },
					'Bearer t',
				),
			).toThrow(/Host header "acme.eu-1.celonis.cloud:8443" names another host than the team/);
			for (const host of [
				'evil.example.com',
				'x@acme.eu-1.celonis.cloud',
				'acme.eu-1.celonis.cloud/',
			])
				expect(() => authorizeForTeam(team, { url: '/x', headers: { host } }, 'Bearer t')).toThrow(
					/only sends its key or token to its team/,
				);
			for (const host of ['acme.eu-1.celonis.cloud', 'ACME.eu-1.celonis.cloud:443'])
				expect(
					authorizeForTeam(team, { url: '/x', headers: { host } }, 'Bearer t').headers,
				).toMatchObject({ host });
		});
		it('does not change the request it was given', () => {
			const options = {
				url: '/x',
				headers: { a: '1' },
				sendCredentialsOnCrossOriginRedirect: true,
			};
			authorizeForTeam(team, options, 'Bearer t');
			expect(options).toEqual({
				url: '/x',
				headers: { a: '1' },
				sendCredentialsOnCrossOriginRedirect: true,
			});
		});
	});
});
