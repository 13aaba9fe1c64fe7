const base = require('./jest.config.js');

/** Real-n8n suite: every test drives the n8n 2.41.1 CLI (installed on first use by scripts/n8n-runtime.ts). */
module.exports = {
	testEnvironment: base.testEnvironment,
	transform: base.transform,
	testMatch: ['**/*.test.ts'],
	roots: ['<rootDir>/test/e2e'],
	// The first run installs Node 24 + n8n (~10 min); each n8n command then takes 6-10 s.
	testTimeout: 20 * 60 * 1000,
	maxWorkers: 1,
};
