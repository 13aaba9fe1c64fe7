import '../harness/userFolder';

import fc from 'fast-check';
import { Workflow, type INode, type INodeParameters, type INodeTypes } from 'n8n-workflow';

import {
	SCOPE_EXPRESSION,
	TEAM_HOST_EXPRESSION,
	teamUrlExpression,
} from '../../credentials/shared/teamUrlExpressions';
import { assembleScopes } from '../../shared/scopes';
import { normalizeTeamUrl } from '../../shared/teamUrl';

const node: INode = {
	id: 'm',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};
const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;
const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });

/** Resolves an expression the way n8n resolves a credential's fields: `$self` is the credential's data. */
function evaluate(expression: string, self: Record<string, unknown>): unknown {
	const data = { ...self, __value: expression } as INodeParameters;
	const resolved = workflow.expression.getComplexParameterValue(
		node,
		data,
		'internal',
		{},
		undefined,
		undefined,
		data,
	) as INodeParameters;
	return resolved.__value;
}

const originOf = (teamUrl: unknown) =>
	String(evaluate(teamUrlExpression('/oauth2/token'), { teamUrl })).replace(/\/oauth2\/token$/, '');

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
// Host names as DNS has them: the last label starts with a letter (numeric ones are IPv4 to a URL parser).
const topLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const host = fc.oneof(
	fc
		.tuple(fc.array(label, { maxLength: 3 }), topLabel)
		.map(([parts, top]) => [...parts, top].join('.')),
	fc.constantFrom('localhost', '127.0.0.1', '127.9.8.7', '[::1]', 'app.localhost'),
	fc.constantFrom('acme.eu-1.celonis.cloud', '127.0.0.1.evil.com', 'localhost.evil.com'),
);
const teamUrls = fc
	.record({
		lead: fc.constantFrom('', ' ', '\t', '  \n'),
		scheme: fc.constantFrom('', 'https://', 'http://', 'HTTPS://', 'Http://'),
		userinfo: fc.constantFrom('', 'user@', 'user:pw@'),
		host,
		upper: fc.boolean(),
		port: fc.constantFrom('', ':443', ':80', ':8787', ':5678', ':'),
		rest: fc.constantFrom('', '/', '/studio/ui?x=1', '?q=a@b', '#frag', '\\@evil.com', '/a\\b'),
		trail: fc.constantFrom('', ' ', '\n'),
	})
	.map(
		(u) =>
			`${u.lead}${u.scheme}${u.userinfo}${u.upper ? u.host.toUpperCase() : u.host}${u.port}${u.rest}${u.trail}`,
	);

describe('the Team URL expressions of the authorization-code credential', () => {
	it('give the origin normalizeTeamUrl gives, wherever it accepts the URL', () => {
		fc.assert(
			fc.property(teamUrls, (teamUrl) => {
				let expected: string;
				try {
					expected = normalizeTeamUrl(teamUrl);
				} catch {
					return; // refused: see the next test
				}
				expect({ teamUrl, origin: originOf(teamUrl) }).toEqual({ teamUrl, origin: expected });
			}),
			{ numRuns: 2000 },
		);
	});

	it('never lead to plain http on a real host, nor to a host hidden behind user-info', () => {
		fc.assert(
			fc.property(teamUrls, (teamUrl) => {
				const origin = originOf(teamUrl);
				const asTyped = () =>
					new URL(
						/^[a-z][a-z0-9+.-]*:\/\//i.test(teamUrl.trim())
							? teamUrl.trim()
							: `https://${teamUrl.trim()}`,
					);
				let url: URL;
				try {
					url = new URL(origin);
				} catch {
					// No request can go to an origin no URL parser accepts (e.g. the invalid IDN label "xn--0"),
					// and it comes only from a Team URL no parser accepts either.
					expect(asTyped).toThrow();
					return;
				}
				if (url.protocol === 'http:') expect(normalizeTeamUrl(origin)).toBe(origin);
				expect(url.username).toBe('');
				// The host the expression picks is the one a URL parser sees (user-info removed).
				expect(url.hostname).toBe(asTyped().hostname);
			}),
			{ numRuns: 2000 },
		);
	});

	it('an invalid IDN host gives an origin no URL parser accepts, so nothing is sent (found by the property above)', () => {
		expect(() => new URL(originOf('https://xn--0/'))).toThrow();
		expect(() => new URL(originOf('xn--0'))).toThrow();
	});

	it.each([
		['http://acme.eu-1.celonis.cloud/x', 'https://acme.eu-1.celonis.cloud'],
		['acme.eu-1.celonis.cloud/studio', 'https://acme.eu-1.celonis.cloud'],
		['https://user:pw@acme.eu-1.celonis.cloud', 'https://acme.eu-1.celonis.cloud'],
		['https://acme.eu-1.celonis.cloud\\@evil.com', 'https://acme.eu-1.celonis.cloud'],
		['ftp://acme.eu-1.celonis.cloud', 'https://acme.eu-1.celonis.cloud'],
		['http://127.0.0.1:8787/', 'http://127.0.0.1:8787'],
	])('%s → %s', (teamUrl, origin) => {
		expect(originOf(teamUrl)).toBe(origin);
		expect(evaluate(teamUrlExpression('/oauth2/authorize'), { teamUrl })).toBe(
			`${origin}/oauth2/authorize`,
		);
		expect(evaluate(TEAM_HOST_EXPRESSION, { teamUrl })).toBe(new URL(origin).hostname);
	});

	it('join the scopes of the multi-select and the custom scopes by single spaces', () => {
		const cases: Array<[unknown, unknown]> = [
			[[], ''],
			[['audit.log:read'], ''],
			[['audit.log:read', 'team.login-history:read'], ' my.scope:read,  other '],
			[undefined, 'only.custom'],
		];
		for (const [scopes, customScopes] of cases)
			expect(evaluate(SCOPE_EXPRESSION, { scopes, customScopes })).toBe(
				assembleScopes(scopes, customScopes).join(' '),
			);
	});
});
