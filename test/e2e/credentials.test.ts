/**
 * Our three credential types in the real n8n 2.41.1 CLI, used by n8n's own HTTP Request node as
 * "Predefined Credential Type", against the emulator started in-process.
 */
import { startEmulator } from '../../emulator';
import { createN8nSandbox, type N8nSandbox } from '../../scripts/n8n-cli';
import {
	DEMO,
	errorText,
	expectSuccess,
	firstJson,
	httpRequestNode,
	manualWorkflow,
	repoRoot,
	tokenStats,
} from './helpers';

const WRONG_SECRET = 'wrong-secret-canary-7f3a9c';
const SECRETS = [DEMO.apiKey, DEMO.appKey, DEMO.clientSecret, WRONG_SECRET];

describe('credentials in the real n8n CLI (HTTP Request node, predefined credential type)', () => {
	let emu: Awaited<ReturnType<typeof startEmulator>>;
	let sandbox: N8nSandbox;
	const outputs: string[] = [];

	const creds = {
		apiKey: { id: 'credApiKey0001', name: 'Celonis API key (emulator)' },
		appKey: { id: 'credAppKey0001', name: 'Celonis app key (emulator)' },
		oauth: { id: 'credOAuth20001', name: 'Celonis OAuth2 (emulator)' },
		badOauth: { id: 'credOAuthBad01', name: 'Celonis OAuth2 wrong secret' },
	};

	beforeAll(async () => {
		emu = await startEmulator();
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		const teamUrl = emu.url;
		const oauthData = {
			teamUrl,
			clientId: DEMO.clientId,
			authMethod: 'clientSecretBasic',
			scopes: ['team.user-group-info:read'],
			customScopes: '',
		};
		await sandbox.importCredentials([
			{ ...creds.apiKey, type: 'celonisApiKeyApi', data: { teamUrl, apiKey: DEMO.apiKey } },
			{ ...creds.appKey, type: 'celonisAppKeyApi', data: { teamUrl, appKey: DEMO.appKey } },
			{
				...creds.oauth,
				type: 'celonisOAuth2Api',
				data: { ...oauthData, clientSecret: DEMO.clientSecret },
			},
			{
				...creds.badOauth,
				type: 'celonisOAuth2Api',
				data: { ...oauthData, clientSecret: WRONG_SECRET },
			},
		]);
		const teamEndpoint = `${emu.url}/api/cloud/team`;
		await sandbox.importWorkflow(
			manualWorkflow('e2eCredsTeam01', 'e2e: team via each credential', [
				httpRequestNode('API key', teamEndpoint, 'celonisApiKeyApi', creds.apiKey),
				httpRequestNode('App key', teamEndpoint, 'celonisAppKeyApi', creds.appKey),
				httpRequestNode('OAuth2', teamEndpoint, 'celonisOAuth2Api', creds.oauth),
			]),
		);
		await sandbox.importWorkflow(
			manualWorkflow('e2eCredsBad001', 'e2e: wrong client secret', [
				httpRequestNode('OAuth2 wrong secret', teamEndpoint, 'celonisOAuth2Api', creds.badOauth),
			]),
		);
	});

	afterAll(async () => {
		await sandbox?.dispose();
		await emu?.close();
	});

	it('reaches GET /api/cloud/team with each credential type', async () => {
		const before = await tokenStats(emu.url);
		const result = await sandbox.execute('e2eCredsTeam01');
		outputs.push(result.stdout, result.stderr);
		expectSuccess(result, SECRETS);
		for (const node of ['API key', 'App key', 'OAuth2']) {
			expect(firstJson(result.run, node)).toMatchObject({ domain: 'demo' });
		}
		expect((await tokenStats(emu.url)).issued - before.issued).toBe(1);
	});

	it('persists the OAuth token: a second execution requests no new token', async () => {
		const before = await tokenStats(emu.url);
		const result = await sandbox.execute('e2eCredsTeam01');
		outputs.push(result.stdout, result.stderr);
		expectSuccess(result, SECRETS);
		expect(firstJson(result.run, 'OAuth2')).toMatchObject({ domain: 'demo' });
		expect((await tokenStats(emu.url)).issued).toBe(before.issued);

		const stored = await sandbox.exportCredential(creds.oauth.id);
		expect(
			Object.values(stored.data).some((v) => typeof v === 'string' && v.startsWith('emu_at_')),
		).toBe(true);
	});

	it('a wrong client secret fails with a message about the client id/secret', async () => {
		const result = await sandbox.execute('e2eCredsBad001');
		outputs.push(result.stdout, result.stderr);
		expect(result.ok).toBe(false);
		expect(result.exitCode).not.toBe(0);
		const message = errorText(result.run);
		// e.g. 'The team rejected the Client ID or Client Secret (invalid_client) for client "demo-client". Check both values; …'
		expect(message).toMatch(/client id/i);
		expect(message).toMatch(/secret/i);
		expect(message).not.toContain(WRONG_SECRET);
	});

	it('never prints a secret (stdout/stderr of every n8n run)', () => {
		expect(outputs.length).toBeGreaterThan(0);
		for (const text of outputs) for (const secret of SECRETS) expect(text).not.toContain(secret);
	});
});
