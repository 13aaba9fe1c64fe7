import js from '@eslint/js';
import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// n8n's own community-node rules (what `n8n-node lint` runs, Cloud rules included) apply to the published
// package: credentials/, nodes/, shared/ and package.json. The emulator, tests, benchmarks and scripts are
// tooling around the product and never ship: they get typescript-eslint's recommended rules without the
// node-runtime restrictions (they may use the file system, timers and the console).
const TOOLING = ['emulator/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'];

export default [
	globalIgnores([
		'dist/**',
		'node_modules/**',
		'.tmp/**',
		'demo-output/**',
		'bench/results/**',
		'docs/**',
		'examples/**',
	]),
	// An entry with only `ignores` is a global ignore list: leave those as they are.
	...config.map((entry) =>
		Object.keys(entry).every((key) => key === 'ignores' || key === 'name')
			? entry
			: { ...entry, ignores: [...(entry.ignores ?? []), ...TOOLING] },
	),
	...tseslint.config({
		files: TOOLING,
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
			],
		},
	}),
];
