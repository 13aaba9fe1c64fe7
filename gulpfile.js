const { src, dest, parallel } = require('gulp');

// tsc only emits .js/.d.ts: icons and codex files have to be copied next to the compiled code,
// where n8n looks for them (`file:` icon paths are relative to the compiled file, the codex is `<node>.json`).
function copyIcons() {
	return src(['icons/**/*.svg'], { encoding: false }).pipe(dest('dist/icons'));
}
function copyNodeAssets() {
	return src(['nodes/**/*.{svg,png}', 'nodes/**/*.node.json', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = parallel(copyIcons, copyNodeAssets);
