/**
 * The authorization-code credential in the real n8n 2.41.1 CLI: n8n resolves its hidden computed fields (token URL
 * from a Team URL with a path), signs the Celonis node's and the HTTP Request node's requests, renews an expired
 * token with the refresh token and stores it, refuses other hosts, and an ended consent asks to reconnect.
 */
import { startEmulator } from '../../emulator';
import { createN8nSandbox, type N8nSandbox } from '../../scripts/n8n-cli';
import { connectedAuthCodeCredential } from '../../scripts/n8n-fixtures';
import {
	DEMO,
	errorText,
	expectSuccess,
	firstJson,
	httpRequestNode,
	manualWorkflow,
	repoRoot,
	type WorkflowNode,
} from './helpers';

const SECRETS = [DEMO.clientSecret];
const TYPE = 'celonisAuthCodeOAuth2Api';

interface LoggedRequest {
	path: string;
	method: string;
	status: number;
	oauth?: { grantType?: string };
}

describe('the authorization-code credential in the real n8n CLI', () => {
	let emu: Awaited<ReturnType<typeof startEmulator>>;
	let sandbox: N8nSandbox;
	const outputs: string[] = [];
	const live = { id: 'e2eAuthCode001', name: 'Celonis sign-in (e2e)' };
	const ended = { id: 'e2eAuthCode002', name: 'Celonis sign-in, consent ends (e2e)' };

	const celonis = (
		name: string,
		parameters: Record<string, unknown>,
		credential = live,
	): WorkflowNode => ({
		name,
		type: 'n8n-nodes-celonis.celonis',
		typeVersion: 1,
		parameters: { authentication: 'oAuth2AuthCode', ...parameters },
		credentials: { [TYPE]: credential },
	});
	const refreshes = async () =>
		(
			(await (await fetch(`${emu.url}/__emulator/requests?limit=10000`)).json()) as LoggedRequest[]
		).filter((r) => r.path === '/oauth2/token' && r.oauth?.grantType === 'refresh_token');

	beforeAll(async () => {
		emu = await startEmulator();
		// Tokens of 3 s: the second execution below meets an expired one.
		emu.configure({ tokenLifetimeSeconds: 3 });
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		const scopes = ['audit.log:read', 'team.user-group-info:read'];
		const liveCredential = await connectedAuthCodeCredential(emu.url, scopes, live);
		// n8n computes the token URL from whatever Team URL the user pasted.
		liveCredential.data.teamUrl = `${emu.url}/package-manager/ui/studio?x=1`;
		emu.configure({ oauth: { ...emu.store.config.oauth, consentLifetimeSeconds: 2 } });
		const endedCredential = await connectedAuthCodeCredential(emu.url, scopes, ended);
		emu.configure({ oauth: { ...emu.store.config.oauth, consentLifetimeSeconds: 30 * 86_400 } });
		await sandbox.importCredentials([liveCredential, endedCredential]);

		await sandbox.importWorkflow(
			manualWorkflow('e2eAuthCodeRun1', 'e2e: authorization code', [
				celonis('Who am I', {
					resource: 'httpRequest',
					operation: 'request',
					method: 'GET',
					path: '/api/cloud',
				}),
				httpRequestNode('HTTP Request', `${emu.url}/api/external/members?pageSize=1`, TYPE, live),
				celonis('Check', { resource: 'connection', operation: 'check' }),
			]),
		);
		await sandbox.importWorkflow(
			manualWorkflow('e2eAuthCodeOut1', 'e2e: authorization code, other host', [
				httpRequestNode('Elsewhere', `http://localhost:${emu.port}/api/cloud`, TYPE, live),
			]),
		);
		await sandbox.importWorkflow(
			manualWorkflow('e2eAuthCodeEnd1', 'e2e: authorization code, consent ended', [
				celonis(
					'Who am I',
					{ resource: 'httpRequest', operation: 'request', method: 'GET', path: '/api/cloud' },
					ended,
				),
			]),
		);
	});

	afterAll(async () => {
		await sandbox?.dispose();
		await emu?.close();
	});

	it('signs the Celonis node’s and the HTTP Request node’s requests as the person who approved', async () => {
		const result = await sandbox.execute('e2eAuthCodeRun1');
		outputs.push(result.stdout, result.stderr);
		expectSuccess(result, SECRETS);
		expect(firstJson(result.run, 'Who am I')).toMatchObject({ email: 'demo.user@example.com' });
		expect(firstJson(result.run, 'HTTP Request')).toMatchObject({ pageSize: 1 });
		expect(firstJson(result.run, 'Check')).toMatchObject({
			credential: { kind: 'OAuth authorization code', type: TYPE, name: live.name },
			actsAs: { email: 'demo.user@example.com' },
			scopes: { granted: ['audit.log:read', 'team.user-group-info:read'] },
		});
	});

	it('renews an expired token without the user and stores it', async () => {
		const before = (await sandbox.exportCredential(live.id)).data.oauthTokenData as Record<
			string,
			string
		>;
		await new Promise((resolve) => setTimeout(resolve, 3500));
		const result = await sandbox.execute('e2eAuthCodeRun1');
		outputs.push(result.stdout, result.stderr);
		expectSuccess(result, SECRETS);
		expect(firstJson(result.run, 'Who am I')).toMatchObject({ email: 'demo.user@example.com' });
		expect((await refreshes()).filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
		const after = (await sandbox.exportCredential(live.id)).data.oauthTokenData as Record<
			string,
			string
		>;
		expect(after.access_token).not.toBe(before.access_token);
		expect(after.refresh_token).not.toBe(before.refresh_token);
	});

	it('refuses to send the token to another host', async () => {
		const result = await sandbox.execute('e2eAuthCodeOut1');
		outputs.push(result.stdout, result.stderr);
		expect(result.ok).toBe(false);
		expect(errorText(result.run)).toMatch(/Domain not allowed.*localhost/);
	});

	it('asks to reconnect once the consent has ended', async () => {
		await new Promise((resolve) => setTimeout(resolve, 2500));
		const result = await sandbox.execute('e2eAuthCodeEnd1');
		outputs.push(result.stdout, result.stderr);
		expect(result.ok).toBe(false);
		expect(errorText(result.run)).toContain(
			`The Celonis sign-in behind the credential "${ended.name}" has ended: reconnect the credential`,
		);
		expect(errorText(result.run)).toMatch(/click "Reconnect"/);
	});

	it('never prints a secret or a token', () => {
		expect(outputs.length).toBeGreaterThan(0);
		for (const text of outputs) {
			for (const secret of SECRETS) expect(text).not.toContain(secret);
			expect(text).not.toMatch(/emu_(at|rt)_[A-Za-z0-9_-]{8,}/);
		}
	});
});
