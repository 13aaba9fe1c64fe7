/**
 * The real n8n 2.41.1 editor in headless Debian Chromium (/usr/bin/chromium, driven by playwright-core; no browser
 * download): sign in, create a Celonis OAuth2 credential (all scopes offered, credential test green against the
 * emulator), then run a workflow from the canvas. Screenshots go to docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import { startEmulator } from '../../emulator';
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
import { launchBrowser, repoRoot, signIn, type Browser } from './chromium';

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
	let page: Page;
	let canvasWorkflow: CanvasWorkflow;

	const shot = (name: string) => browser.shot(name);

	beforeAll(async () => {
		emu = await startEmulator();
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		canvasWorkflow = await pickCanvasWorkflow();
		await sandbox.importWorkflow(canvasWorkflow as CanvasWorkflow & Record<string, unknown>);
		server = await sandbox.startServer({
			port: await freePort(),
			env: await ownerEnv(sandbox.runtime),
		});
		browser = await launchBrowser();
		page = browser.page;
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
		await page.goto(`${server.url}/workflow/${canvasWorkflow.id}`);
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
		await shot('canvas-run');
		expect(await page.getByTestId('canvas-node-status-error').count()).toBe(0);
	});
});

async function expectText(locator: ReturnType<Page['locator']>) {
	await locator.waitFor({ state: 'visible' });
}
