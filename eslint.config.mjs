import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

// n8n's own community-node rules (what `n8n-node lint` runs, Cloud rules included) apply to the published
// package: credentials/, nodes/ and package.json. The emulator, tests, benchmarks and scripts are tooling
// around the product and never ship, so the node-runtime restrictions do not apply to them.
export default [
	globalIgnores(['emulator/**', 'test/**', 'bench/**', 'scripts/**', 'examples/**', 'docs/**', 'gulpfile.js', 'jest.config.js', '.ci/**', '.tmp/**', 'demo-output/**']),
	...config,
];
