import fs from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from '../harness/packageTypes';

/**
 * The layout's import rules (README, "Layout"), checked on the source text: the package's layers import
 * one way only, an operation never imports another, the emulator and the package meet only over HTTP,
 * and no module imports itself back through others.
 */
function sources(dir: string): string[] {
	const root = path.join(REPO_ROOT, dir);
	if (!fs.existsSync(root)) return [];
	return fs
		.readdirSync(root, { withFileTypes: true, recursive: true })
		.filter((e) => e.isFile() && /\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
		.map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
		.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`));
}

/** The module specifiers a file imports (comments, which may quote imports, left out). */
const importsOf = (file: string) =>
	[
		...fs
			.readFileSync(file, 'utf8')
			.replace(/\/\*[\s\S]*?\*\//g, '')
			.replace(/^\s*\/\/.*$/gm, '')
			.matchAll(/(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g),
	].map((m) => m[1]);

/** The repository file a relative import names (undefined for packages). */
function resolve(from: string, spec: string): string | undefined {
	if (!spec.startsWith('.')) return undefined;
	const base = path.resolve(path.dirname(from), spec);
	for (const candidate of [`${base}.ts`, base, path.join(base, 'index.ts')]) {
		if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
	}
	return undefined;
}

const rel = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');

/** Every import between two files of the repository, as [importer, imported] (repo-relative). */
function edges(dirs: string[]): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	for (const file of dirs.flatMap(sources)) {
		for (const spec of importsOf(file)) {
			const target = resolve(file, spec);
			if (target) out.push([rel(file), rel(target)]);
		}
	}
	return out;
}

const PACKAGE = ['shared', 'credentials', 'nodes'];

/**
 * The layers of the package, top first. A file may import its own layer and the layers below it, never
 * one above: node → actions → services → transport → helpers → shared.
 */
const LAYERS: Array<[string, RegExp]> = [
	['node', /^nodes\/Celonis\/[^/]+\.node\.ts$/],
	['methods', /^nodes\/Celonis\/methods\//],
	['actions', /^nodes\/Celonis\/actions\//],
	['services', /^nodes\/Celonis\/services\//],
	['transport', /^nodes\/Celonis\/transport\//],
	['helpers', /^nodes\/Celonis\/helpers\//],
	['credentials', /^credentials\//],
	['shared', /^shared\//],
];
/** Which layers each layer may import (besides itself). */
const MAY_IMPORT: Record<string, string[]> = {
	node: ['methods', 'actions', 'services', 'transport', 'helpers', 'shared'],
	methods: ['transport', 'helpers', 'shared'],
	actions: ['services', 'transport', 'helpers', 'shared'],
	services: ['transport', 'helpers', 'shared'],
	transport: ['helpers', 'shared'],
	helpers: ['shared'],
	credentials: ['shared'],
	shared: [],
};
const layerOf = (file: string) => LAYERS.find(([, pattern]) => pattern.test(file))?.[0];

/** Where an import breaks the package's layering, or undefined when it is allowed. */
export function layerViolation(from: string, to: string): string | undefined {
	const a = layerOf(from);
	const b = layerOf(to);
	if (a === undefined) return `${from} is in no layer`;
	if (b === undefined) return `${to} (imported by ${from}) is in no layer`;
	if (a !== b && !MAY_IMPORT[a].includes(b)) return `${a} must not import ${b}`;
	if (/\.operation\.ts$/.test(from) && /\.operation\.ts$/.test(to))
		return 'an operation must not import another operation';
	return undefined;
}

describe('the package imports one way only', () => {
	const packageEdges = edges(PACKAGE);

	it('reads a real import graph', () => {
		expect(packageEdges.length).toBeGreaterThan(100);
		expect(sources('nodes').length).toBeGreaterThan(40);
	});

	it('node → actions → services → transport → helpers → shared; credentials → shared; no operation imports another', () => {
		const violations = packageEdges
			.map(([from, to]) => ({ from, to, violation: layerViolation(from, to) }))
			.filter((e) => e.violation !== undefined);
		expect(violations).toEqual([]);
	});

	it('the rule catches what it must', () => {
		expect(layerViolation('credentials/X.credentials.ts', 'nodes/Celonis/helpers/a.ts')).toMatch(
			/credentials must not import helpers/,
		);
		expect(layerViolation('shared/a.ts', 'credentials/shared/b.ts')).toMatch(/shared must not/);
		expect(layerViolation('nodes/Celonis/transport/a.ts', 'nodes/Celonis/services/b.ts')).toMatch(
			/transport must not import services/,
		);
		expect(
			layerViolation(
				'nodes/Celonis/actions/dataPush/a.operation.ts',
				'nodes/Celonis/actions/dataPush/b.operation.ts',
			),
		).toMatch(/another operation/);
		expect(
			layerViolation(
				'nodes/Celonis/actions/dataPush/a.operation.ts',
				'nodes/Celonis/actions/common.descriptions.ts',
			),
		).toBeUndefined();
	});
});

/** DESIGN decision 5: the emulator and the package are two independent readings of the contract; they meet only over HTTP. */
describe('the emulator and the package never import each other', () => {
	it('emulator/ imports nothing from the package', () => {
		for (const [from, to] of edges(['emulator']))
			expect({ from, to, crossesOver: /^(nodes|credentials|shared)\//.test(to) }).toMatchObject({
				crossesOver: false,
			});
	});
	it('the package imports nothing from emulator/', () => {
		const files = PACKAGE.flatMap(sources);
		expect(files.length).toBeGreaterThan(20);
		for (const [from, to] of edges(PACKAGE))
			expect({ from, to, crossesOver: to.startsWith('emulator/') }).toMatchObject({
				crossesOver: false,
			});
	});
});

/** The first import cycle of a graph, as the files around it, or undefined. */
export function findCycle(graph: Array<[string, string]>): string[] | undefined {
	const next = new Map<string, string[]>();
	for (const [from, to] of graph) next.set(from, [...(next.get(from) ?? []), to]);
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const visit = (file: string): string[] | undefined => {
		state.set(file, 'open');
		stack.push(file);
		for (const to of next.get(file) ?? []) {
			if (state.get(to) === 'open') return [...stack.slice(stack.indexOf(to)), to];
			if (state.get(to) === undefined) {
				const cycle = visit(to);
				if (cycle) return cycle;
			}
		}
		stack.pop();
		state.set(file, 'done');
		return undefined;
	};
	for (const file of next.keys()) {
		if (state.get(file) !== undefined) continue;
		const cycle = visit(file);
		if (cycle) return cycle;
	}
	return undefined;
}

describe('no import cycle anywhere', () => {
	it('in the package, the emulator, the scripts, the benchmarks and the tests', () => {
		expect(findCycle(edges([...PACKAGE, 'emulator', 'scripts', 'bench', 'test']))).toBeUndefined();
	});
	it('the search finds a cycle when there is one', () => {
		expect(
			findCycle([
				['a', 'b'],
				['b', 'c'],
				['c', 'a'],
			]),
		).toEqual(['a', 'b', 'c', 'a']);
	});
});
