import fs from 'node:fs';
import path from 'node:path';

import { CELONIS_SCOPES } from '../../shared/scopes';
import { loadTypes, REPO_ROOT } from '../harness/packageTypes';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

describe('README', () => {
	it('leads with the two set-up commands', () => {
		const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
		expect(firstBlock).toMatch(/^npm run demo\b/m);
		expect(firstBlock).toMatch(/^npm test\b/m);
	});

	it('has the sections the credentials and the codex link to', () => {
		expect(readme).toMatch(/^## Credentials$/m);
		expect(readme).toMatch(/^## Operations$/m);
	});

	it('lists every scope of the catalogue in the scopes table', () => {
		for (const { value } of CELONIS_SCOPES)
			expect({ scope: value, documented: readme.includes(`| \`${value}\` |`) }).toEqual({
				scope: value,
				documented: true,
			});
	});

	it('documents every operation of the node and every example', async () => {
		const { nodes } = await loadTypes();
		const description = (
			nodes['n8n-nodes-celonis.celonis'] as {
				description: {
					properties: Array<{
						name: string;
						options?: Array<{ name: string }>;
						displayOptions?: unknown;
					}>;
				};
			}
		).description;
		const operations = description.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => p.options ?? [])
			.map((o) => o.name);
		expect(operations.length).toBeGreaterThan(10);
		for (const name of operations)
			expect({ operation: name, documented: readme.includes(name) }).toEqual({
				operation: name,
				documented: true,
			});
		for (const file of fs.readdirSync(path.join(REPO_ROOT, 'examples')))
			expect(readme).toContain(file);
		for (const screenshot of readme.match(/docs\/screenshots\/[\w.-]+\.png/g) ?? [])
			expect(fs.existsSync(path.join(REPO_ROOT, screenshot))).toBe(true);
	});
});
