import '../harness/userFolder';

import fs from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeTypeDescription } from 'n8n-workflow';

import { REPO_ROOT } from '../harness/packageTypes';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
	name: string;
	dependencies?: object;
	peerDependencies?: object;
	files: string[];
	keywords: string[];
	license: string;
	scripts: Record<string, string>;
	n8n: { n8nNodesApiVersion: number; strict: boolean; nodes: string[]; credentials: string[] };
};

describe('the built package, loaded the way n8n loads a community package', () => {
	let loader: PackageDirectoryLoader;
	beforeAll(async () => {
		loader = new PackageDirectoryLoader(REPO_ROOT);
		await loader.loadAll();
	});

	it('finds every node and credential listed in package.json under its expected name', () => {
		expect(Object.keys(loader.nodeTypes).sort()).toEqual(['celonis', 'celonisTrigger']);
		expect(Object.keys(loader.credentialTypes).sort()).toEqual([
			'celonisApiKeyApi',
			'celonisAppKeyApi',
			'celonisAuthCodeOAuth2Api',
			'celonisOAuth2Api',
		]);
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(fs.existsSync(path.join(REPO_ROOT, file))).toBe(true);
			// n8n derives the class name from the file name: `X.node.js` must export `class X`.
			const className = path.basename(file).split('.')[0];
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			expect(typeof require(path.join(REPO_ROOT, file))[className]).toBe('function');
		}
	});

	it('links the credentials to the node and keeps them usable in the HTTP Request node', () => {
		for (const { type } of Object.values(loader.credentialTypes)) {
			expect([...(type.supportedNodes ?? [])].sort()).toEqual(['celonis', 'celonisTrigger']);
			expect(type.authenticate).toBeDefined(); // "Predefined Credential Type" lists credentials with authenticate
			// n8n tests an OAuth2 (authorization code) credential by its Connect step, not by a request.
			if (!type.extends?.includes('oAuth2Api')) expect(type.test).toBeDefined();
			expect(type.documentationUrl).toMatch(/^https:\/\/.+#credentials$/);
		}
	});

	it('has icons and the codex next to the compiled files', () => {
		// The loader turns `file:` icons into URLs `icons/<package>/<path in package>` it serves from disk.
		const served = (url: string) =>
			path.join(REPO_ROOT, url.replace(/^icons\/n8n-nodes-celonis\//, ''));
		const node = loader.nodeTypes.celonis.type.description;
		const trigger = loader.nodeTypes.celonisTrigger.type.description as INodeTypeDescription;
		const urls = [
			node.iconUrl,
			trigger.iconUrl,
			...Object.values(loader.credentialTypes).map(({ type }) => type.iconUrl),
		] as Array<{ light: string; dark: string }>;
		for (const { light, dark } of urls) {
			expect(light).not.toBe(dark);
			expect(fs.existsSync(served(light))).toBe(true);
			expect(fs.existsSync(served(dark))).toBe(true);
		}
		expect(node.codex?.categories).toEqual(['Data & Storage', 'Analytics']);
		expect(node.usableAsTool).toBe(true);
		// n8n's trigger panel lists nodes of the group "trigger" with webhooks or a trigger function.
		expect(trigger.codex?.categories).toEqual(['Data & Storage', 'Analytics']);
		expect(trigger.group).toEqual(['trigger']);
		expect(trigger.inputs).toEqual([]);
		expect(trigger.webhooks?.map((w) => `${w.name} ${w.httpMethod}`)).toEqual([
			'setup HEAD',
			'setup GET',
			'default POST',
		]);
	});

	it('follows the community package rules', () => {
		expect(pkg.name).toBe('n8n-nodes-celonis');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		for (const banned of [
			'prepare',
			'preinstall',
			'install',
			'postinstall',
			'prepublish',
			'preprepare',
			'postprepare',
		]) {
			expect(pkg.scripts[banned]).toBeUndefined();
		}
	});
});
