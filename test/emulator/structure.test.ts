import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', 'emulator');

function sources(): string[] {
	return fs
		.readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
		.filter((f) => f.endsWith('.ts'))
		.map((f) => path.join(ROOT, f));
}

/** Relative imports of a file (type-only imports included: they are cycles to a reader too). */
function localImports(file: string): string[] {
	const src = fs.readFileSync(file, 'utf8');
	return [...src.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)]
		.map((m) => path.resolve(path.dirname(file), m[1] as string))
		.map((p) => [`${p}.ts`, path.join(p, 'index.ts')].find((c) => fs.existsSync(c)))
		.filter((p): p is string => p !== undefined);
}

function cycles(): string[] {
	const graph = new Map(sources().map((f) => [f, localImports(f)]));
	const found: string[] = [];
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const visit = (file: string): void => {
		state.set(file, 'open');
		stack.push(file);
		for (const dep of graph.get(file) ?? []) {
			if (state.get(dep) === 'open')
				found.push(
					[...stack.slice(stack.indexOf(dep)), dep].map((f) => path.relative(ROOT, f)).join(' → '),
				);
			else if (!state.has(dep)) visit(dep);
		}
		stack.pop();
		state.set(file, 'done');
	};
	for (const file of graph.keys()) if (!state.has(file)) visit(file);
	return found;
}

const DOC = path.join(__dirname, '..', '..', 'docs', 'celonis-api.md');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
	return new Set(
		[...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
			(m[1] as string)
				.trim()
				.toLowerCase()
				.replace(/[^\w\- ]/g, '')
				.replace(/ /g, '-'),
		),
	);
}

describe('emulator module structure', () => {
	test('the import graph is read (positive control)', () => {
		expect(sources().length).toBeGreaterThan(20);
		expect(localImports(path.join(ROOT, 'server.ts')).length).toBeGreaterThan(5);
	});
	test('no import cycles in emulator/', () => {
		expect(cycles()).toEqual([]);
	});
	test('comments and README cite docs/celonis-api.md, and every cited section exists', () => {
		const texts = [...sources(), path.join(ROOT, 'README.md')].map((f) => ({
			file: path.relative(ROOT, f),
			text: fs.readFileSync(f, 'utf8'),
		}));
		const headings = anchors(fs.readFileSync(DOC, 'utf8'));
		expect(headings.has('knowledge-model-api')).toBe(true);
		let cited = 0;
		for (const { file, text } of texts) {
			expect({
				file,
				outside: /shared\/reference|reference §|celonis-api\.md §|\(§\d/.test(text),
			}).toEqual({
				file,
				outside: false,
			});
			for (const m of text.matchAll(/celonis-api\.md#([\w-]+)/g)) {
				cited++;
				expect({ file, anchor: m[1], exists: headings.has(m[1] as string) }).toMatchObject({
					exists: true,
				});
			}
		}
		expect(cited).toBeGreaterThan(10);
	});
});
