/**
 * `npm run dev`: the emulator (demo seed) on http://127.0.0.1:8787 and the real n8n 2.41.1 editor on
 * http://localhost:5678 with this package installed as a community package, one credential of each type pointing at the
 * emulator, and every examples/*.json imported. The n8n user folder persists under the cache folder. Ctrl-C stops both.
 *
 * Options: --emulator-port N (8787), --n8n-port N (5678), --no-build, --verbose (log every emulator request),
 * --queue (queue mode: main + workers on Postgres and Redis, see dev-queue.ts; --workers N).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startEmulator } from '../emulator';
import { runQueueDev } from './dev-queue';
import { createN8nSandbox } from './n8n-cli';
import {
	authCodeCredentialToConnect,
	CREDENTIAL_NAMES,
	emulatorCredentials,
	LOCAL_OWNER,
	loadExamples,
	ownerEnv,
} from './n8n-fixtures';
import { cacheRoot, ensureN8nRuntime } from './n8n-runtime';

const repoRoot = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
	const i = args.indexOf(name);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};
const log = (message: string) => process.stderr.write(`[dev] ${message}\n`);

async function main() {
	const emulatorPort = option('--emulator-port', 8787);
	const n8nPort = option('--n8n-port', 5678);

	if (!args.includes('--no-build')) {
		log('building the package (npm run build)…');
		const build = spawnSync('npm', ['run', 'build', '--silent'], {
			cwd: repoRoot,
			stdio: ['ignore', 2, 2],
		});
		if (build.status !== 0) throw new Error('npm run build failed');
	}
	if (args.includes('--queue')) return await runQueueDev({ repoRoot, args, log });
	const runtime = await ensureN8nRuntime();

	const emu = await startEmulator({
		port: emulatorPort,
		host: '127.0.0.1',
		quiet: !args.includes('--verbose'),
	});
	log(`emulator listening on ${emu.url}`);

	const userFolder = path.join(cacheRoot(), 'dev-n8n');
	const sandbox = await createN8nSandbox({ packageDir: repoRoot, userFolder });
	log(
		`n8n user folder: ${userFolder} (package installed in .n8n/nodes/node_modules/n8n-nodes-celonis)`,
	);

	log('importing credentials…');
	// The sign-in credential comes unconnected: open it in the editor and click "Connect my account".
	await sandbox.importCredentials([
		...emulatorCredentials(emu.url),
		authCodeCredentialToConnect(emu.url),
	]);
	const examples = await loadExamples(repoRoot);
	for (const { file, workflow } of examples) {
		log(`importing example ${file}…`);
		await sandbox.importWorkflow(workflow);
	}
	if (examples.length === 0) log('no examples/*.json yet; nothing to import');

	log(`starting n8n on port ${n8nPort}…`);
	const server = await sandbox.startServer({ port: n8nPort, env: await ownerEnv(runtime) });

	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		log('stopping n8n and the emulator…');
		await server.stop();
		await emu.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));
	server.process.on('exit', (code) => {
		if (!stopping) {
			log(
				`n8n exited unexpectedly (code ${code}):\n${server.output().split('\n').slice(-20).join('\n')}`,
			);
			void stop(1);
		}
	});

	process.stdout.write(
		[
			'',
			`  n8n editor        ${server.url}`,
			`  sign in           ${LOCAL_OWNER.email} / ${LOCAL_OWNER.password}   (local dev owner; set N8N_DEV_OWNER_PASSWORD to change)`,
			`  Celonis emulator  ${emu.url}   (inspection: ${emu.url}/__emulator/requests, /__emulator/token-stats)`,
			`  credentials       ${Object.values(CREDENTIAL_NAMES).join(', ')} (open the last one and click "Connect my account")`,
			`  workflows         ${examples.length ? examples.map((e) => e.workflow.name ?? e.file).join(', ') : '(none yet)'}`,
			'',
			'  Ctrl-C stops both.',
			'',
		].join('\n'),
	);
}

main().catch((error: Error) => {
	log(`ERROR: ${error.message}`);
	process.exit(1);
});
