/**
 * The real n8n 2.41.1 editor in headless Debian Chromium (/usr/bin/chromium, driven by playwright-core; no browser
 * download): sign in, create a Celonis OAuth2 credential (all scopes offered, credential test green against the
 * emulator), then run a workflow from the canvas; create the authorization-code credential, connect it (sign-in and
 * consent in the emulator's popup), run a workflow with it, and see the next run renew the expired token without the
 * user; a denied consent. Screenshots go to docs/screenshots/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startEmulator, type SeedInput } from '../../emulator';
import { CELONIS_SCOPES } from '../../shared/scopes';
import { createN8nSandbox, freePort, type N8nSandbox, type N8nServer } from '../../scripts/n8n-cli';
import {
	CREDENTIAL_IDS,
	CREDENTIAL_NAMES,
	DEMO_IDENTITIES,
	emulatorCredentials,
	loadExamples,
	ownerEnv,
} from '../../scripts/n8n-fixtures';
import { launchBrowser, repoRoot, screenshots, signIn, type Browser } from './chromium';

/** A workflow to run from the canvas when examples/ has none with a manual trigger. */
const fallbackWorkflow = {
	id: 'browserCanvas01',
	name: 'Celonis: read the team (API key)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'b0000000-0000-4000-8000-000000000001',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'b0000000-0000-4000-8000-000000000002',
			name: 'Celonis',
			type: 'n8n-nodes-celonis.celonis',
			typeVersion: 1,
			position: [240, 0],
			parameters: {
				authentication: 'apiKey',
				resource: 'httpRequest',
				operation: 'request',
				method: 'GET',
				path: '/api/cloud/team',
			},
			credentials: {
				celonisApiKeyApi: {
					id: CREDENTIAL_IDS.celonisApiKeyApi,
					name: CREDENTIAL_NAMES.celonisApiKeyApi,
				},
			},
		},
	],
	connections: { Start: { main: [[{ node: 'Celonis', type: 'main', index: 0 }]] } },
};

interface CanvasWorkflow {
	id: string;
	name?: string;
	nodes?: Array<{ type: string }>;
}

async function pickCanvasWorkflow(): Promise<CanvasWorkflow & Record<string, unknown>> {
	const examples = await loadExamples(repoRoot);
	// An example with a manual trigger that calls nothing but the emulator (webhook examples post to example.com).
	const manual = examples.find(
		({ workflow }) =>
			((workflow as CanvasWorkflow).nodes ?? []).some(
				(node) => node.type === 'n8n-nodes-base.manualTrigger',
			) && !/https?:\/\/[^"/]*example\.com/.test(JSON.stringify(workflow)),
	);
	return manual?.workflow ?? fallbackWorkflow;
}

describe('n8n editor in Chromium', () => {
	let emu: Awaited<ReturnType<typeof startEmulator>>;
	let sandbox: N8nSandbox;
	let server: N8nServer;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	let canvasWorkflow: CanvasWorkflow;

	const shot = (name: string) => browser.shot(name);

	beforeAll(async () => {
		emu = await startEmulator({ seed: seedWithWebOnlyClient() });
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		canvasWorkflow = await pickCanvasWorkflow();
		await sandbox.importWorkflow(canvasWorkflow as CanvasWorkflow & Record<string, unknown>);
		server = await sandbox.startServer({
			port: await freePort(),
			env: await ownerEnv(sandbox.runtime),
		});

		browser = await launchBrowser();
		({ page, context } = browser);
	});

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await sandbox?.dispose();
		await emu?.close();
	});

	it('signs in as the local owner', async () => {
		await signIn(page, server.url);
	});

	it('offers the Celonis credentials in "Add new credential"', async () => {
		await page.goto(`${server.url}/home/credentials`);
		await page.getByTestId('add-resource-credential').click();
		await page.keyboard.type('Celonis');
		const options = page.getByTestId('new-credential-type-select-option');
		await expectText(options.filter({ hasText: 'Celonis OAuth2 (Client Credentials) API' }));
		const names = await options.allTextContents();
		expect(names.map((n) => n.trim())).toEqual(
			expect.arrayContaining([
				'Celonis API Key API',
				'Celonis Application Key API',
				'Celonis OAuth2 (Client Credentials) API',
			]),
		);
		await shot('credential-select-celonis');
		await options.filter({ hasText: 'Celonis OAuth2 (Client Credentials) API' }).click();
		await page.getByTestId('new-credential-type-button').click();
		await expectText(page.getByTestId('parameter-input-clientId'));
	});

	it('lists every Celonis scope in the Scopes multi-select', async () => {
		const field = (name: string) =>
			page.getByTestId(`parameter-input-${name}`).locator('input').first();
		await field('teamUrl').fill(emu.url);
		await field('clientId').fill(DEMO_IDENTITIES.clientId);
		await field('clientSecret').fill(DEMO_IDENTITIES.clientSecret);

		await page.getByTestId('parameter-input-scopes').click();
		const headlines = page.locator('.el-select-dropdown:visible .option-headline');
		await expectText(headlines.first());
		const offered = (await headlines.allTextContents()).map(
			(text) => /\(([^()]+)\)\s*$/.exec(text.trim())?.[1],
		);
		expect(offered.sort()).toEqual(CELONIS_SCOPES.map((s) => s.value).sort());
		await shot('oauth2-credential-scopes');

		const scopesInput = page.getByTestId('parameter-input-scopes');
		for (const scope of ['audit.log:read', 'team.user-group-info:read']) {
			if (!(await headlines.first().isVisible())) await scopesInput.click();
			await headlines.filter({ hasText: `(${scope})` }).click();
			await scopesInput.locator('.el-tag', { hasText: `(${scope})` }).waitFor({ state: 'visible' });
		}
		await page.keyboard.press('Escape');
	});

	it('saves the credential and its test succeeds against the emulator', async () => {
		await page.getByTestId('credential-save-button').click();
		const success = page.getByTestId('credentials-config-container-test-success');
		await success.waitFor({ state: 'visible', timeout: 60_000 });
		expect(await success.textContent()).toContain('Connection tested successfully');
		await shot('oauth2-credential-tested');
		await page.keyboard.press('Escape');
	});

	it('runs a workflow from the canvas', async () => {
		await runFromCanvas(page, server.url, canvasWorkflow.id);
		await shot('canvas-run');
		expect(await page.getByTestId('canvas-node-status-error').count()).toBe(0);
	});

	describe('the authorization-code credential', () => {
		let credential: { id: string; name: string };
		const workflowId = 'browserAuthCode1';

		it('is created in the editor and connected: sign-in and consent in the popup', async () => {
			// Short-lived tokens: the second run below needs a renewed one.
			emu.configure({ tokenLifetimeSeconds: 3 });
			await openNewCredential(page, server.url, AUTH_CODE_DISPLAY_NAME);
			await fillAuthCodeCredential(page, emu.url, ['audit.log:read', 'team.user-group-info:read']);

			const popupOpened = context.waitForEvent('page');
			await page.getByTestId('oauth-not-connected-banner').getByRole('button').click();
			const popup = await popupOpened;
			await popup.locator('form#consent-form').waitFor({ state: 'visible' });
			expect(await popup.locator('#client-id').textContent()).toBe(DEMO_IDENTITIES.clientId);
			expect(
				await popup
					.locator('input[name=scope][data-scope]')
					.evaluateAll((inputs) =>
						inputs.map((i) => (i as unknown as { dataset: Record<string, string> }).dataset.scope),
					),
			).toEqual(['audit.log:read', 'team.user-group-info:read']);
			await popup.screenshot({ path: path.join(screenshots, 'authcode-consent.png') });
			await popup.locator('button#approve').click();

			await page
				.getByTestId('oauth-connect-success-banner')
				.waitFor({ state: 'visible', timeout: 60_000 });
			await shot('authcode-credential-connected');
			const consents = (await (await fetch(`${emu.url}/__emulator/consents`)).json()) as unknown[];
			expect(consents).toHaveLength(1);
			credential = await credentialOfType(page, server.url, 'celonisAuthCodeOAuth2Api');
			await page.keyboard.press('Escape');
		});

		it('runs a workflow with it, and the next run renews the expired token without the user', async () => {
			await createWorkflow(page, server.url, authCodeWorkflow(workflowId, credential));
			await runFromCanvas(page, server.url, workflowId);
			expect(await page.getByTestId('canvas-node-status-error').count()).toBe(0);
			expect(await page.getByTestId('canvas-node-status-success').count()).toBeGreaterThan(1);

			await page.waitForTimeout(3500);
			const refreshesBefore = await refreshCount(emu.url);
			await runFromCanvas(page, server.url, workflowId);
			await shot('authcode-canvas-run');
			expect(await page.getByTestId('canvas-node-status-error').count()).toBe(0);
			expect(await refreshCount(emu.url)).toBeGreaterThan(refreshesBefore);
			// Nobody was asked again: still the one consent.
			expect(
				(await (await fetch(`${emu.url}/__emulator/consents`)).json()) as unknown[],
			).toHaveLength(1);
		});

		it('a client without n8n’s redirect URL registered: the popup shows the team’s error naming the URL to register', async () => {
			await openNewCredential(page, server.url, AUTH_CODE_DISPLAY_NAME);
			await fillAuthCodeCredential(page, emu.url, ['audit.log:read'], WEB_ONLY_CLIENT);
			const popupOpened = context.waitForEvent('page');
			await page.getByTestId('oauth-not-connected-banner').getByRole('button').click();
			const popup = await popupOpened;
			const error = popup.locator('#error');
			await error.waitFor({ state: 'visible' });
			expect(await error.getAttribute('data-error')).toBe('invalid_request');
			expect(await popup.locator('body').textContent()).toContain(
				`redirect_uri ${server.url}/rest/oauth2-credential/callback is not registered for client ${WEB_ONLY_CLIENT.id}`,
			);
			await popup.close();
			await expectText(page.getByTestId('oauth-not-connected-banner'));
			await page.keyboard.press('Escape');
		});

		it('a denied consent leaves the credential unconnected, and n8n’s popup says access was denied', async () => {
			await openNewCredential(page, server.url, AUTH_CODE_DISPLAY_NAME);
			await fillAuthCodeCredential(page, emu.url, ['audit.log:read']);
			const popupOpened = context.waitForEvent('page');
			await page.getByTestId('oauth-not-connected-banner').getByRole('button').click();
			const popup = await popupOpened;
			await popup.locator('button#deny').click();
			await popup.waitForURL(/oauth2-credential\/callback/);
			expect(await popup.locator('body').textContent()).toMatch(
				/access_denied[\s\S]*The user denied the request/,
			);
			await expectText(page.getByTestId('oauth-not-connected-banner'));
			if (!popup.isClosed()) await popup.close();
			await page.keyboard.press('Escape');
		});
	});
});

async function expectText(locator: ReturnType<Page['locator']>) {
	await locator.waitFor({ state: 'visible' });
}

const AUTH_CODE_DISPLAY_NAME = 'Celonis Authorization Code OAuth2 API';

/** An OAuth client registered only for a hosted n8n: the local editor's redirect URL is not among its URIs. */
const WEB_ONLY_CLIENT = { id: 'web-only-client', secret: 'web-only-secret' };

function seedWithWebOnlyClient(): SeedInput {
	const seed = JSON.parse(
		readFileSync(path.join(repoRoot, 'emulator', 'seeds', 'demo.json'), 'utf8'),
	) as SeedInput & { oauthClients: Array<Record<string, unknown>> };
	seed.oauthClients.push({
		clientId: WEB_ONLY_CLIENT.id,
		clientSecret: WEB_ONLY_CLIENT.secret,
		name: 'Hosted n8n',
		authMethods: ['client_secret_basic'],
		redirectUris: ['https://n8n.example.com/rest/oauth2-credential/callback'],
		scopes: ['audit.log:read'],
	});
	return seed;
}

async function openNewCredential(page: Page, baseUrl: string, displayName: string) {
	await page.goto(`${baseUrl}/home/credentials`);
	await page.getByTestId('add-resource-credential').click();
	await page.keyboard.type('Celonis');
	await page
		.getByTestId('new-credential-type-select-option')
		.filter({ hasText: displayName })
		.click();
	await page.getByTestId('new-credential-type-button').click();
	await expectText(page.getByTestId('parameter-input-clientId'));
}

async function fillAuthCodeCredential(
	page: Page,
	teamUrl: string,
	scopes: string[],
	client: { id: string; secret: string } = {
		id: DEMO_IDENTITIES.clientId,
		secret: DEMO_IDENTITIES.clientSecret,
	},
) {
	const field = (name: string) =>
		page.getByTestId(`parameter-input-${name}`).locator('input').first();
	await field('teamUrl').fill(teamUrl);
	await field('clientId').fill(client.id);
	await field('clientSecret').fill(client.secret);
	const scopesInput = page.getByTestId('parameter-input-scopes');
	const headlines = page.locator('.el-select-dropdown:visible .option-headline');
	for (const scope of scopes) {
		if (!(await headlines.first().isVisible())) await scopesInput.click();
		await headlines.filter({ hasText: `(${scope})` }).click();
		await scopesInput.locator('.el-tag', { hasText: `(${scope})` }).waitFor({ state: 'visible' });
	}
	await page.keyboard.press('Escape');
}

/** n8n's REST API as the signed-in editor calls it (its session cookie and browser id). */
async function rest(page: Page, baseUrl: string, method: string, route: string, body?: unknown) {
	return await page.evaluate(
		async ({ url, method, body }) => {
			const response = await fetch(url, {
				method,
				credentials: 'include',
				headers: {
					'content-type': 'application/json',
					'browser-id':
						(
							globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
						).localStorage.getItem('n8n-browserId') ?? '',
				},
				...(body === undefined ? {} : { body: JSON.stringify(body) }),
			});
			return { status: response.status, json: (await response.json()) as unknown };
		},
		{ url: `${baseUrl}/rest${route}`, method, body },
	);
}

/** The one credential of a type (the tests create one at a time). */
async function credentialOfType(
	page: Page,
	baseUrl: string,
	type: string,
): Promise<{ id: string; name: string }> {
	const { json } = await rest(page, baseUrl, 'GET', '/credentials');
	const found = (json as { data: Array<{ id: string; name: string; type: string }> }).data.filter(
		(c) => c.type === type,
	);
	if (found.length !== 1) throw new Error(`expected one ${type} credential, found ${found.length}`);
	return { id: found[0].id, name: found[0].name };
}

async function createWorkflow(page: Page, baseUrl: string, workflow: Record<string, unknown>) {
	const { status, json } = await rest(page, baseUrl, 'POST', '/workflows', workflow);
	if (status >= 300)
		throw new Error(`creating the workflow failed: HTTP ${status} ${JSON.stringify(json)}`);
}

/** Celonis node (who am I) and n8n's HTTP Request node, both with the authorization-code credential. */
function authCodeWorkflow(id: string, credential: { id: string; name: string }) {
	const credentials = { celonisAuthCodeOAuth2Api: credential };
	return {
		id,
		name: 'Celonis: who am I (signed in)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'c0000000-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'c0000000-0000-4000-8000-000000000002',
				name: 'Who am I',
				type: 'n8n-nodes-celonis.celonis',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					authentication: 'oAuth2AuthCode',
					resource: 'httpRequest',
					operation: 'request',
					method: 'GET',
					path: '/api/cloud',
				},
				credentials,
			},
			{
				id: 'c0000000-0000-4000-8000-000000000003',
				name: 'Check',
				type: 'n8n-nodes-celonis.celonis',
				typeVersion: 1,
				position: [480, 0],
				parameters: {
					authentication: 'oAuth2AuthCode',
					resource: 'connection',
					operation: 'check',
				},
				credentials,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Who am I', type: 'main', index: 0 }]] },
			'Who am I': { main: [[{ node: 'Check', type: 'main', index: 0 }]] },
		},
	};
}

async function refreshCount(emulatorUrl: string): Promise<number> {
	const log = (await (
		await fetch(`${emulatorUrl}/__emulator/requests?limit=10000`)
	).json()) as Array<{
		path: string;
		status: number;
		oauth?: { grantType?: string };
	}>;
	return log.filter(
		(r) => r.path === '/oauth2/token' && r.status === 200 && r.oauth?.grantType === 'refresh_token',
	).length;
}

/** Opens a workflow, runs it from the canvas and waits until it ended (a node failed, or all are idle). */
async function runFromCanvas(page: Page, baseUrl: string, workflowId: string) {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	await page.getByTestId('execute-workflow-button').click();
	// Done when a node failed, or when nodes succeeded and nothing has been running for two polls in a row.
	const deadline = Date.now() + 120_000;
	let idlePolls = 0;
	while (idlePolls < 2) {
		if (Date.now() > deadline) throw new Error('the workflow did not finish within 120 s');
		await page.waitForTimeout(1000);
		const count = (id: string) => page.getByTestId(id).count();
		const state = {
			error: await count('canvas-node-status-error'),
			success: await count('canvas-node-status-success'),
			busy:
				(await count('canvas-node-status-running')) +
				(await count('canvas-node-status-waiting')) +
				(await count('stop-execution-button')),
		};
		if (state.error > 0) break;
		idlePolls = state.success > 0 && state.busy === 0 ? idlePolls + 1 : 0;
	}
}
