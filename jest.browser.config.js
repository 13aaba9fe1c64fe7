/** Browser suite: the real n8n editor in headless Debian Chromium (/usr/bin/chromium) driven by playwright-core. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/browser'],
	testMatch: ['**/*.test.ts'],
	testTimeout: 20 * 60 * 1000,
	maxWorkers: 1,
	transform: {
		'^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
	},
};
