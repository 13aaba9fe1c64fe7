const e2e = require('./jest.e2e.config.js');

/**
 * Queue-mode suite: n8n main + 2 workers on throw-away Postgres and Redis, the package installed from a local
 * registry through n8n's Community Nodes installer (scripts/queue-cluster.ts). Installs what is missing itself.
 */
module.exports = { ...e2e, roots: ['<rootDir>/test/queue'], testTimeout: 15 * 60 * 1000 };
