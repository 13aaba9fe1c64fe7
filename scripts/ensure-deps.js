#!/usr/bin/env node
// Lets `npm run demo` and `npm test` be the first command on a fresh clone: installs the locked
// devDependencies (`npm ci`) when node_modules is missing or older than package-lock.json.
// Plain JavaScript on purpose: it runs before anything is installed.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

// A node_modules that is a symlink is a shared install (e.g. of another git worktree): `npm ci` would
// empty it for everyone, so it is left to its owner.
const shared =
	fs.existsSync(path.join(root, 'node_modules')) &&
	fs.lstatSync(path.join(root, 'node_modules')).isSymbolicLink();
const installed =
	shared || (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs);
if (!installed) {
	process.stderr.write('Installing dependencies (npm ci) …\n');
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const result = spawnSync(npm, ['ci', '--no-fund', '--no-audit'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
}
