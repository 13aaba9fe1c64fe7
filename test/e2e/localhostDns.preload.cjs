'use strict';
// Preloaded into the real n8n process (NODE_OPTIONS=--require) by test/e2e/redirects.test.ts: `*.localhost` → 127.0.0.1.
require('../harness/localhostDns.cjs').install();
