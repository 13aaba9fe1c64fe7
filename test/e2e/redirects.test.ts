/**
 * In the real n8n 2.41.1 CLI: n8n's HTTP Request node, every version of it that n8n ships (3 to 4.5), with
 * each of our credentials as "Predefined Credential Type", against a team that answers `302 Location:` another
 * origin (the team's host on another port, a subdomain, another host). The recorder at those origins shows
 * that our Authorization never arrives; n8n's own Header Auth credential, the positive control, is followed
 * there (which also proves that the `*.localhost` preload works inside n8n).
 */
import path from 'node:path';

import { startEmulator } from '../../emulator';
import { createN8nSandbox, type ExecuteResult, type N8nSandbox } from '../../scripts/n8n-cli';
import { startRedirectLab, type RedirectLab, type RedirectTargets } from '../harness/redirectLab';
import { DEMO, expectSuccess, manualWorkflow, repoRoot, type WorkflowNode } from './helpers';

const VERSIONS = [3, 4, 4.1, 4.2, 4.3, 4.4, 4.5];
const TARGETS: Array<keyof RedirectTargets> = ['sameHostOtherPort', 'subdomain', 'otherHost'];
const CONTROL_TOKEN = 'Bearer control-canary-5d1e';
const SECRETS = [DEMO.apiKey, DEMO.appKey, DEMO.clientSecret];

const creds = {
	celonisApiKeyApi: { id: 'credRedirApiK01', name: 'Celonis API key (redirect lab)' },
	celonisAppKeyApi: { id: 'credRedirAppK01', name: 'Celonis app key (redirect lab)' },
	celonisOAuth2Api: { id: 'credRedirOAut01', name: 'Celonis OAuth2 (redirect lab)' },
	httpHeaderAuth: { id: 'credRedirCtrl01', name: 'Header Auth (control)' },
};
type Credential = keyof typeof creds;
const OURS: Credential[] = ['celonisApiKeyApi', 'celonisAppKeyApi', 'celonisOAuth2Api'];

/** `/redirect/<target>/<version>` answers 302 to `<target origin>/landing/<target>/<version>`. */
const redirectPath = (target: string, version: number) => `/redirect/${target}/${version}`;
const landingPath = (target: string, version: number) => `/landing/${target}/${version}`;
const nodeName = (credential: Credential, version: number, target: string) =>
	`${credential} v${version} to ${target}`;

function httpRequestNode(
	credential: Credential,
	version: number,
	target: string,
	teamUrl: string,
): WorkflowNode & { onError: string } {
	const authentication =
		credential === 'httpHeaderAuth'
			? { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' }
			: { authentication: 'predefinedCredentialType', nodeCredentialType: credential };
	return {
		name: nodeName(credential, version, target),
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: version,
		parameters: {
			method: 'GET',
			url: `${teamUrl}${redirectPath(target, version)}`,
			...authentication,
			// v3 follows redirects only when asked to; 4.x does by default.
			options: version === 3 ? { redirect: { redirect: { followRedirects: true } } } : {},
		},
		credentials: { [credential]: creds[credential] },
		// Every node runs and reports, also after one of them failed.
		onError: 'continueRegularOutput',
	};
}

function output(result: ExecuteResult, node: string): Record<string, unknown> | undefined {
	return result.run?.data.resultData.runData[node]?.[0]?.data?.main[0]?.[0]?.json;
}

describe('redirects in the real n8n CLI: no key or token reaches another origin', () => {
	let emu: Awaited<ReturnType<typeof startEmulator>>;
	let lab: RedirectLab;
	let sandbox: N8nSandbox;
	const outputs: string[] = [];

	beforeAll(async () => {
		emu = await startEmulator();
		lab = await startRedirectLab(emu.url);
		const rules = TARGETS.flatMap((target) =>
			VERSIONS.map((version) => ({
				path: redirectPath(target, version),
				probability: 1,
				response: {
					status: 302,
					headers: { location: `${lab.targets[target]}${landingPath(target, version)}` },
					body: '',
				},
			})),
		);
		const faults = await fetch(`${emu.url}/__emulator/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(rules),
		});
		if (!faults.ok) throw new Error(`faults: HTTP ${faults.status} ${await faults.text()}`);

		sandbox = await createN8nSandbox({
			packageDir: repoRoot,
			// The team and its neighbours are *.localhost names; glibc resolves only /etc/hosts.
			env: {
				NODE_OPTIONS: `--require ${path.join(__dirname, 'localhostDns.preload.cjs')}`,
			},
		});
		const teamUrl = lab.teamUrl;
		await sandbox.importCredentials([
			{
				...creds.celonisApiKeyApi,
				type: 'celonisApiKeyApi',
				data: { teamUrl, apiKey: DEMO.apiKey },
			},
			{
				...creds.celonisAppKeyApi,
				type: 'celonisAppKeyApi',
				data: { teamUrl, appKey: DEMO.appKey },
			},
			{
				...creds.celonisOAuth2Api,
				type: 'celonisOAuth2Api',
				data: {
					teamUrl,
					clientId: DEMO.clientId,
					clientSecret: DEMO.clientSecret,
					authMethod: 'clientSecretBasic',
					scopes: ['audit.log:read'],
					customScopes: '',
				},
			},
			{
				...creds.httpHeaderAuth,
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: CONTROL_TOKEN },
			},
		]);
		const nodesFor = (credentials: Credential[]) =>
			credentials.flatMap((credential) =>
				VERSIONS.flatMap((version) =>
					TARGETS.map((target) => httpRequestNode(credential, version, target, teamUrl)),
				),
			);
		await sandbox.importWorkflow(
			manualWorkflow('e2eRedirOurs01', 'e2e: our credentials on redirects', nodesFor(OURS)),
		);
		await sandbox.importWorkflow(
			manualWorkflow('e2eRedirCtrl01', 'e2e: Header Auth on redirects (control)', [
				...nodesFor(['httpHeaderAuth']),
			]),
		);
	});

	afterAll(async () => {
		await sandbox?.dispose();
		await lab?.close();
		await emu?.close();
	});

	it('control: n8n’s Header Auth is followed to every target, with the header where n8n sends it', async () => {
		lab.received.length = 0;
		const result = await sandbox.execute('e2eRedirCtrl01');
		outputs.push(result.stdout, result.stderr);
		expectSuccess(result, [...SECRETS, CONTROL_TOKEN]);
		for (const version of VERSIONS) {
			for (const target of TARGETS) {
				const host = new URL(lab.targets[target]).host;
				expect(output(result, nodeName('httpHeaderAuth', version, target))).toEqual({
					reached: host,
				});
				// n8n 2.41 keeps it for subdomains always, and for other origins up to v4.3.
				const sent = target === 'subdomain' || version < 4.4;
				expect(lab.received.filter((r) => r.path === landingPath(target, version))).toEqual([
					{
						host,
						method: 'GET',
						path: landingPath(target, version),
						authorization: sent ? CONTROL_TOKEN : undefined,
					},
				]);
			}
		}
	});

	it('our credentials: another host name is refused and named; the team host on another port gets no header', async () => {
		lab.received.length = 0;
		const result = await sandbox.execute('e2eRedirOurs01');
		outputs.push(result.stdout, result.stderr);
		expect(result.run).toBeDefined();

		expect(lab.received.filter((r) => r.authorization !== undefined)).toEqual([]);
		for (const credential of OURS) {
			for (const version of VERSIONS) {
				for (const target of TARGETS) {
					const name = nodeName(credential, version, target);
					const host = new URL(lab.targets[target]).host;
					const json = output(result, name);
					if (target === 'sameHostOtherPort') {
						expect({ name, json }).toEqual({ name, json: { reached: host } });
					} else {
						expect({ name, error: JSON.stringify(json?.error) }).toEqual({
							name,
							error: expect.stringContaining(`Domain not allowed`),
						});
						expect(JSON.stringify(json?.error)).toContain(host);
					}
				}
			}
		}
		// Only the other-port target was reached (each node once, without the header); the others not at all.
		const otherPort = new URL(lab.targets.sameHostOtherPort).host;
		expect(lab.received.every((r) => r.host === otherPort)).toBe(true);
		expect(lab.received).toHaveLength(OURS.length * VERSIONS.length);
	});

	it('never prints a secret (stdout/stderr of every n8n run)', () => {
		expect(outputs.length).toBeGreaterThan(0);
		for (const text of outputs) for (const secret of SECRETS) expect(text).not.toContain(secret);
	});
});
