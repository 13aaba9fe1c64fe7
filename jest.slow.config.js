const base = require('./jest.config.js');

/**
 * Slow suite (minutes): big files pushed with flat memory (a generated 2 GB CSV file). Not part of `npm test`;
 * `npm run test:slow`, run by .ci/run.
 */
module.exports = {
	testEnvironment: base.testEnvironment,
	transform: base.transform,
	testMatch: ['**/*.test.ts'],
	roots: ['<rootDir>/test/slow'],
	testTimeout: 30 * 60 * 1000,
	maxWorkers: 1,
};
