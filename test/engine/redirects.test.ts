/**
 * A key or token never follows a redirect to another origin, in n8n's own HTTP Request node (every
 * version of HttpRequestV3 that n8n 2.41 ships), its paginated mode and the credential test: the team
 * answers `302 Location: <other origin>` and a recorder at that origin shows what arrived there.
 */
import { testCredential } from '../harness/credentialTest';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec, type RunResult } from '../harness/engine';
import { startRedirectLab, type RedirectLab, type RedirectTargets } from '../harness/redirectLab';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const localhostDns = require('../harness/localhostDns.cjs') as { install(): () => void };

const ctx = useEmulator();
let lab: RedirectLab;
let restoreDns: () => void;

const VERSIONS = [3, 4, 4.1, 4.2, 4.3, 4.4, 4.5];
const TARGETS: Array<keyof RedirectTargets> = ['sameHostOtherPort', 'subdomain', 'otherHost'];
const CONTROL_TOKEN = 'Bearer control-canary-5d1e';

const CREDENTIALS: Array<[string, () => Record<string, unknown>]> = [
	['celonisApiKeyApi', () => ({ teamUrl: lab.teamUrl, apiKey: DEMO.apiKey })],
	['celonisAppKeyApi', () => ({ teamUrl: lab.teamUrl, appKey: DEMO.appKey })],
	['celonisOAuth2Api', () => oauthData(lab.teamUrl, DEMO.client, { scopes: ['audit.log:read'] })],
];

const hostOf = (url: string) => new URL(url).host;
const redirectPath = (target: keyof RedirectTargets) => `/redirect/${target}`;

async function setFaults(rules: unknown[]) {
	await fetch(`${ctx.emu.url}/__emulator/faults`, { method: 'DELETE' });
	const res = await fetch(`${ctx.emu.url}/__emulator/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(rules),
	});
	if (!res.ok) throw new Error(`faults: HTTP ${res.status} ${await res.text()}`);
}

const redirectRule = (path: string, location: string) => ({
	path,
	probability: 1,
	response: { status: 302, headers: { location }, body: '' },
});

beforeAll(async () => {
	restoreDns = localhostDns.install();
	lab = await startRedirectLab(ctx.emu.url);
});
afterAll(async () => {
	await lab?.close();
	restoreDns?.();
});
beforeEach(async () => {
	await setFaults(
		TARGETS.map((target) =>
			redirectRule(redirectPath(target), `${lab.targets[target]}/landing/${target}`),
		),
	);
	lab.received.length = 0;
});

/** The HTTP Request node as a user sets it up; v3 follows redirects only when asked to. */
function httpRequestNode(
	version: number,
	url: string,
	auth:
		| { predefined: string; credentials: NodeSpec['credentials'] }
		| { headerAuth: NodeSpec['credentials'] },
	options: Record<string, unknown> = {},
): NodeSpec {
	const authentication =
		'predefined' in auth
			? { authentication: 'predefinedCredentialType', nodeCredentialType: auth.predefined }
			: { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' };
	return {
		name: 'HTTP Request',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: version,
		parameters: {
			method: 'GET',
			url,
			...authentication,
			options: {
				...(version === 3 ? { redirect: { redirect: { followRedirects: true } } } : {}),
				...options,
			},
		},
		credentials: 'predefined' in auth ? auth.credentials : auth.headerAuth,
	};
}

function errorText(result: RunResult): string {
	const e = result.error;
	return e ? `${e.message}\n${e.description ?? ''}` : '';
}

/** Every key, secret and token the engine knows of: none of them may appear in what the user sees. */
function secrets(engine: Engine): string[] {
	const tokens = engine.store
		.all()
		.map((c) => c.data.accessToken)
		.filter((t): t is string => typeof t === 'string' && t !== '');
	return [DEMO.apiKey, DEMO.appKey, DEMO.client.secret, ...tokens];
}

/**
 * What our credential must produce on a redirect to `target`: the target never sees our Authorization;
 * another host name (a subdomain included) is refused before any request reaches it, with an error that
 * names it; the team's host name on another port is reached without the header (follow-redirects drops it
 * when the host:port changes, and n8n is told not to put it back).
 */
function expectNoCredentialLeft(
	engine: Engine,
	result: RunResult,
	target: keyof RedirectTargets,
	node = 'HTTP Request',
) {
	const targetHost = hostOf(lab.targets[target]);
	expect(lab.received.map((r) => r.authorization)).toEqual(lab.received.map(() => undefined));
	if (target === 'sameHostOtherPort') {
		expect(result.error?.message).toBeUndefined();
		expect(result.json(node)).toEqual([{ reached: targetHost }]);
		expect(lab.received.map((r) => r.host)).toEqual([targetHost]);
	} else {
		expect(result.status).toBe('error');
		expect(lab.received).toEqual([]);
		expect(errorText(result)).toContain(targetHost);
	}
	const text = `${errorText(result)}\n${JSON.stringify(result.run.data.resultData.runData)}`;
	for (const secret of secrets(engine)) expect(text).not.toContain(secret);
}

describe.each(VERSIONS)('HTTP Request node v%s', (version) => {
	describe.each(CREDENTIALS)('with %s', (type, data) => {
		it.each(TARGETS)('does not carry the credential on a redirect to %s', async (target) => {
			const engine = await Engine.create();
			const credentials = engine.addCredential(type, data() as never);
			const result = await engine.runChain([
				httpRequestNode(version, `${lab.teamUrl}${redirectPath(target)}`, {
					predefined: type,
					credentials,
				}),
			]);
			expectNoCredentialLeft(engine, result, target);
		});

		if (version >= 4.4) {
			it('ignores the node option "Send Credentials on Cross-Origin Redirect"', async () => {
				for (const target of TARGETS) {
					lab.received.length = 0;
					const engine = await Engine.create();
					const credentials = engine.addCredential(type, data() as never);
					const result = await engine.runChain([
						httpRequestNode(
							version,
							`${lab.teamUrl}${redirectPath(target)}`,
							{ predefined: type, credentials },
							{ sendCredentialsOnCrossOriginRedirect: true },
						),
					]);
					expectNoCredentialLeft(engine, result, target);
				}
			});
		}

		if (version >= 4.1) {
			it('does not carry it in paginated mode either', async () => {
				for (const target of TARGETS) {
					lab.received.length = 0;
					const engine = await Engine.create();
					const credentials = engine.addCredential(type, data() as never);
					const result = await engine.runChain([
						httpRequestNode(
							version,
							`${lab.teamUrl}${redirectPath(target)}`,
							{ predefined: type, credentials },
							{
								pagination: {
									pagination: {
										paginationMode: 'updateAParameterInEachRequest',
										parameters: {
											parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }],
										},
										paginationCompleteWhen: 'responseIsEmpty',
										limitPagesFetched: true,
										maxRequests: 1,
									},
								},
							},
						),
					]);
					expectNoCredentialLeft(engine, result, target);
				}
			});
		}
	});

	// Positive control: the same redirects with n8n's plain Header Auth credential reach every target, and
	// the recorder sees the header wherever n8n 2.41 itself sends it (subdomains always; other origins up to
	// v4.3, whose "Send Credentials on Cross-Origin Redirect" defaults to true).
	it.each(TARGETS)('control: n8n’s Header Auth is followed to %s', async (target) => {
		const engine = await Engine.create();
		const headerAuth = engine.addCredential('httpHeaderAuth', {
			name: 'Authorization',
			value: CONTROL_TOKEN,
		});
		const result = await engine.runChain([
			httpRequestNode(version, `${lab.teamUrl}${redirectPath(target)}`, { headerAuth }),
		]);
		const targetHost = hostOf(lab.targets[target]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('HTTP Request')).toEqual([{ reached: targetHost }]);
		const n8nSendsIt = target === 'subdomain' || version < 4.4;
		expect(lab.received).toEqual([
			expect.objectContaining({
				host: targetHost,
				authorization: n8nSendsIt ? CONTROL_TOKEN : undefined,
			}),
		]);
	});
});

describe('same-origin redirects keep working', () => {
	it.each(CREDENTIALS)(
		'%s follows a redirect within the team, with the credential, in every version',
		async (type, data) => {
			await setFaults([redirectRule('/redirect/inside', '/api/cloud/team')]);
			for (const version of VERSIONS) {
				const engine = await Engine.create();
				const credentials = engine.addCredential(type, data() as never);
				const result = await engine.runChain([
					httpRequestNode(version, `${lab.teamUrl}/redirect/inside`, {
						predefined: type,
						credentials,
					}),
				]);
				// GET /api/cloud/team answers the team's domain only to an authenticated caller.
				expect({ version, error: result.error?.message }).toEqual({ version, error: undefined });
				expect(result.json('HTTP Request')).toEqual([expect.objectContaining({ domain: 'demo' })]);
			}
			expect(lab.received).toEqual([]);
		},
	);
});

describe('a Host header naming another host', () => {
	// Follow-redirects takes the Host header for the current host: a redirect to that host would keep the key.
	it.each(CREDENTIALS)(
		'%s: refused before anything is sent (HTTP Request v4.5)',
		async (type, data) => {
			const engine = await Engine.create();
			const credentials = engine.addCredential(type, data() as never);
			const otherHost = hostOf(lab.targets.sameHostOtherPort);
			const node = httpRequestNode(4.5, `${lab.teamUrl}${redirectPath('sameHostOtherPort')}`, {
				predefined: type,
				credentials,
			});
			Object.assign(node.parameters!, {
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Host', value: otherHost }] },
			});
			const result = await engine.runChain([node]);
			expect(result.status).toBe('error');
			expect(errorText(result)).toContain(`Host header "${otherHost}" names another host`);
			expect(lab.received).toEqual([]);
		},
	);
});

describe('the credential test', () => {
	it.each(TARGETS)(
		'OAuth2: a redirect of the test request (/.well-known/openid-configuration) to %s is reported, not followed',
		async (target) => {
			await setFaults([
				redirectRule('/.well-known/openid-configuration', `${lab.targets[target]}/landing`),
			]);
			const engine = await Engine.create();
			const result = await testCredential(
				engine,
				'celonisOAuth2Api',
				oauthData(lab.teamUrl, DEMO.client, { scopes: ['audit.log:read'] }) as never,
			);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/answered the credential test with a redirect \(HTTP 302\)/);
			expect(lab.received).toEqual([]);
			for (const secret of secrets(engine)) expect(result.message).not.toContain(secret);
		},
	);

	it.each([
		['celonisApiKeyApi', { apiKey: DEMO.apiKey }],
		['celonisAppKeyApi', { appKey: DEMO.appKey }],
	])(
		'%s: a team that redirects the key check is named, and nothing is sent on',
		async (type, key) => {
			for (const target of TARGETS) {
				lab.received.length = 0;
				await setFaults([redirectRule('/api/cloud/team', `${lab.targets[target]}/landing`)]);
				const result = await testCredential(await Engine.create(), type, {
					teamUrl: lab.teamUrl,
					...key,
				} as never);
				expect(result.status).toBe('Error');
				expect(result.message).toContain(`HTTP 302 (a redirect to ${lab.targets[target]})`);
				expect(lab.received).toEqual([]);
			}
		},
	);
});
