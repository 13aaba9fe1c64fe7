/** Headless Debian Chromium (/usr/bin/chromium) driven by playwright-core, as the browser suite runs it. */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

import { LOCAL_OWNER } from '../../scripts/n8n-fixtures';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const screenshots = path.join(repoRoot, 'docs', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export interface Browser {
	page: Page;
	/** For pages the editor opens (the OAuth consent popup). */
	context: BrowserContext;
	/** Saves a screenshot of the page as docs/screenshots/<name>.png. */
	shot(name: string): Promise<void>;
	close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
	mkdirSync(screenshots, { recursive: true });
	selectors.setTestIdAttribute('data-test-id');
	const profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
	const context: BrowserContext = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1440, height: 900 },
	});
	context.setDefaultTimeout(30_000);
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		page,
		context,
		shot: async (name) => {
			await page.screenshot({ path: path.join(screenshots, `${name}.png`) });
		},
		close: async () => {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

/** Signs in to the n8n editor as the local owner. */
export async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.fill('#emailOrLdapLoginId', LOCAL_OWNER.email);
	await page.fill('#password', LOCAL_OWNER.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.includes('signin'));
}
