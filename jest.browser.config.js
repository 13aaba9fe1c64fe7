const e2e = require('./jest.e2e.config.js');

/** Browser suite: the real n8n editor in headless Debian Chromium (/usr/bin/chromium) driven by playwright-core. */
module.exports = { ...e2e, roots: ['<rootDir>/test/browser'] };
