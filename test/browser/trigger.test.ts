/**
 * "Listen for test event" (n8n 2.41's "Execute step" of a trigger node) on the Celonis Trigger in the real n8n
 * 2.41.1 editor (headless Chromium): the node
 * subscribes its test URL in the emulator, an event fired there appears in the node's output, and the
 * temporary subscription is removed afterwards. The screenshot is the README's.
 */
import type { Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../../emulator';
import { createN8nSandbox, freePort, type N8nSandbox, type N8nServer } from '../../scripts/n8n-cli';
import {
	emulatorCredentials,
	loadExamples,
	ownerEnv,
	startWebhookSink,
	withLocalWebhook,
} from '../../scripts/n8n-fixtures';
import { isTriggerExample } from '../../scripts/triggerExample';
import { fireEvents, waitUntil } from '../../scripts/triggerWorkflows';
import { launchBrowser, repoRoot, signIn, type Browser } from './chromium';

describe('"Listen for test event" on the Celonis Trigger', () => {
	let emu: Emulator;
	let sandbox: N8nSandbox;
	let server: N8nServer;
	let browser: Browser;
	let page: Page;
	let chat: Awaited<ReturnType<typeof startWebhookSink>>;
	let example: Awaited<ReturnType<typeof loadExamples>>[number];

	beforeAll(async () => {
		emu = await startEmulator({ quiet: true });
		chat = await startWebhookSink();
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		example = (await loadExamples(repoRoot)).find(
			(e) => e.file === 'celonis-trigger-to-chat.json',
		)!;
		expect(isTriggerExample(example)).toBe(true);
		await sandbox.importWorkflow(withLocalWebhook(example.workflow, chat.url));
		server = await sandbox.startServer({
			port: await freePort(),
			env: await ownerEnv(sandbox.runtime),
		});
		browser = await launchBrowser();
		page = browser.page;
		await signIn(page, server.url);
	});

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await sandbox?.dispose();
		await chat?.close();
		await emu?.close();
	});

	const testSubscriptions = () =>
		emu.store.subscriptions.list().filter((s) => s.callbackInfo.uri.includes('/webhook-test/'));

	it("is offered in n8n's trigger panel", async () => {
		await page.goto(`${server.url}/workflow/new`);
		await page.getByTestId('canvas-add-button').click();
		await page.getByText('What triggers this workflow?').waitFor({ state: 'visible' });
		await page.getByTestId('node-creator-search-bar').fill('Celonis');
		// n8n lists a trigger under its app's name, with the trigger's description.
		const description = page
			.getByTestId('node-creator-item-description')
			.filter({ hasText: 'Starts the workflow when a Celonis Knowledge Model trigger fires' });
		await description.first().waitFor({ state: 'visible' });
		expect(
			(await page.getByTestId('node-creator-item-name').allTextContents()).map((n) => n.trim()),
		).toEqual(['Celonis']);
	});

	it('subscribes for one event, shows the event, and removes the subscription', async () => {
		await page.goto(`${server.url}/workflow/${example.workflow.id}`);
		await page.locator('[data-node-name="When a Celonis trigger fires"]').first().dblclick();
		// n8n 2.41 labels the button "Execute step" for triggers other than its own Webhook node; while it
		// waits for the event, it says "Stop listening".
		const execute = page.getByTestId('node-execute-button');
		await execute.waitFor({ state: 'visible' });
		await execute.click();
		await page
			.getByTestId('node-execute-button')
			.filter({ hasText: /stop listening/i })
			.waitFor({ state: 'visible' });

		await waitUntil(() => testSubscriptions().length === 1, 'the test subscription', 60_000);
		expect(testSubscriptions()[0]).toMatchObject({
			name: 'n8n: late deliveries to chat (n8n test)',
			triggerId: 'late-delivery',
			status: 'active',
		});
		expect(await fireEvents(emu.url, 1, { triggerId: 'late-delivery' })).toMatchObject({
			subscriptions: 1,
		});

		// The event's record fields and metadata in the node's output.
		await page.getByText('SO-1000').first().waitFor({ state: 'visible', timeout: 60_000 });
		await page.getByTestId('ndv-run-data-display-mode').getByText('JSON').click();
		await page.getByText('"creationDate"').first().waitFor({ state: 'visible' });
		await page.mouse.move(700, 800);
		await browser.shot('celonis-trigger-test-event');
		expect(await page.locator('body').textContent()).toMatch(
			/"ORDER_ID":\s*"SO-1000"[\s\S]*"CUSTOMER":\s*"Acme GmbH"[\s\S]*"eventId"[\s\S]*"offset":\s*0/,
		);

		await waitUntil(() => testSubscriptions().length === 0, 'the test subscription to go', 60_000);
		// The test run never touched a production subscription.
		expect(emu.store.subscriptions.list()).toEqual([]);
	});
});
