import fs from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from '../harness/packageTypes';

function sources(dir: string): string[] {
	return fs
		.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
		.filter((e) => e.isFile() && e.name.endsWith('.ts'))
		.map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

const importsOf = (file: string) =>
	[
		...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g),
	].map((m) => m[1]);

/** DESIGN decision 5: the emulator and the package are two independent readings of the contract; they meet only over HTTP. */
describe('the emulator and the package never import each other', () => {
	it('emulator/ imports nothing from nodes/ or credentials/', () => {
		for (const file of sources('emulator')) {
			for (const spec of importsOf(file))
				expect({ file, spec, crossesOver: /(^|\/)(nodes|credentials)\//.test(spec) }).toMatchObject(
					{ crossesOver: false },
				);
		}
	});
	it('nodes/ and credentials/ import nothing from emulator/', () => {
		const files = [...sources('nodes'), ...sources('credentials')];
		expect(files.length).toBeGreaterThan(20);
		for (const file of files) {
			for (const spec of importsOf(file))
				expect({ file, spec, crossesOver: /(^|\/)emulator(\/|$)/.test(spec) }).toMatchObject({
					crossesOver: false,
				});
		}
	});
});
