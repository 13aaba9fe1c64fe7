/**
 * A local npm registry (Verdaccio, from npm) holding this package exactly as `npm pack` builds it, so that n8n
 * installs it the way a user does: through its community-package installer, with `npm`.
 *
 * Verdaccio is installed once into the cache folder (next to the n8n runtime, not into the repo's
 * devDependencies) and run on Node 24 from the runtime. Each run gets a fresh storage folder in the harness's temp
 * folder, listens on loopback only and has no uplink: it serves what was published to it and nothing else.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './n8n-cli';
import { cacheRoot, type N8nRuntime } from './n8n-runtime';
import type { Service, Supervisor } from './queue-processes';

const run = promisify(execFile);

export const VERDACCIO_VERSION = '6.8.0';

export interface LocalRegistry {
	url: string;
	service: Service;
	/** Publishes a tarball made by `npm pack`. */
	publish(tarball: string): Promise<void>;
}

export interface PackedPackage {
	name: string;
	version: string;
	tarball: string;
	/** sha512 integrity of the tarball, as npm reports it. */
	integrity: string;
}

/** npm without the npm_* variables of a surrounding `npm run` (they would carry the repo's .npmrc settings). */
function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
	return { ...env, ...extra };
}

function verdaccioDir(): string {
	return path.join(cacheRoot(), `verdaccio-${VERDACCIO_VERSION}`);
}

/** Installs Verdaccio into the cache on first use (into a temp folder renamed into place, so never half-installed). */
export async function ensureVerdaccio(log: (message: string) => void): Promise<string> {
	const dir = verdaccioDir();
	const bin = path.join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
	if (existsSync(path.join(dir, '.complete')) && existsSync(bin)) return bin;
	log(`installing verdaccio@${VERDACCIO_VERSION} into ${dir} (first run only)…`);
	await fs.mkdir(path.dirname(dir), { recursive: true });
	const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
	await fs.mkdir(tmp, { recursive: true });
	try {
		await fs.writeFile(
			path.join(tmp, 'package.json'),
			JSON.stringify({ name: 'verdaccio-runtime', private: true }),
		);
		for (let attempt = 1; ; attempt++) {
			try {
				await run(
					'npm',
					[
						'install',
						`verdaccio@${VERDACCIO_VERSION}`,
						'--save-exact',
						'--ignore-scripts',
						'--no-fund',
						'--no-audit',
						'--loglevel=error',
						'--fetch-timeout=120000',
					],
					{ cwd: tmp, env: npmEnv(), timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 },
				);
				break;
			} catch (error) {
				if (attempt >= 2) throw error;
				log(`npm install verdaccio failed (${(error as Error).message.split('\n')[0]}); retrying`);
			}
		}
		await fs.writeFile(path.join(tmp, '.complete'), new Date().toISOString());
		try {
			await fs.rename(tmp, dir);
		} catch {
			// Another process finished first: use its copy.
			if (!existsSync(path.join(dir, '.complete'))) throw new Error(`could not install ${dir}`);
		}
	} finally {
		await fs.rm(tmp, { recursive: true, force: true });
	}
	return bin;
}

/** `npm pack` of the package as it is in `packageDir` (build it first). */
export async function npmPack(packageDir: string, destination: string): Promise<PackedPackage> {
	await fs.mkdir(destination, { recursive: true });
	const { stdout } = await run(
		'npm',
		['pack', '--json', '--pack-destination', destination, '--ignore-scripts'],
		{ cwd: packageDir, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 },
	);
	const [packed] = JSON.parse(stdout) as Array<{
		name: string;
		version: string;
		filename: string;
		integrity: string;
		files: Array<{ path: string }>;
	}>;
	if (!packed) throw new Error('npm pack printed no result');
	if (!packed.files.some((f) => f.path.startsWith('dist/')))
		throw new Error('npm pack produced a package without dist/: run `npm run build` first');
	const tarball = path.join(destination, packed.filename);
	return { name: packed.name, version: packed.version, tarball, integrity: packed.integrity };
}

export function sha512Integrity(content: Buffer): string {
	return `sha512-${createHash('sha512').update(content).digest('base64')}`;
}

export async function startLocalRegistry(
	sup: Supervisor,
	runtime: N8nRuntime,
	log: (message: string) => void,
): Promise<LocalRegistry> {
	const bin = await ensureVerdaccio(log);
	const dir = path.join(sup.dir, 'registry');
	await fs.mkdir(path.join(dir, 'storage'), { recursive: true });
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const config = [
		`storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
		'auth:',
		'  htpasswd:',
		`    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
		'    max_users: 10',
		'uplinks: {}',
		'packages:',
		"  '**':",
		'    access: $all',
		'    publish: $authenticated',
		'    unpublish: $authenticated',
		'web:',
		'  enable: false',
		'log: { type: stdout, format: pretty, level: warn }',
		'',
	].join('\n');
	const configFile = path.join(dir, 'config.yaml');
	await fs.writeFile(configFile, config);
	const service = await sup.spawn(
		'verdaccio',
		runtime.nodeBin,
		[bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
		{ env: npmEnv(), cwd: dir, stopGraceMs: 5_000 },
	);
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (service.exited()) throw new Error(`verdaccio exited:\n${service.tail()}`);
		const ok = await fetch(`${url}/-/ping`)
			.then((r) => r.ok)
			.catch(() => false);
		if (ok) break;
		if (Date.now() > deadline)
			throw new Error(`verdaccio did not answer on ${url} within 60 s:\n${service.tail()}`);
		await new Promise((r) => setTimeout(r, 300));
	}

	return {
		url,
		service,
		async publish(tarball) {
			// A throw-away user: Verdaccio hands out a token for publishing.
			const password = createHash('sha256').update(`${Date.now()}${Math.random()}`).digest('hex');
			const res = await fetch(`${url}/-/user/org.couchdb.user:ci`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name: 'ci', password, email: 'ci@example.invalid' }),
			});
			const { token } = (await res.json()) as { token?: string };
			if (!res.ok || !token)
				throw new Error(`verdaccio refused to create a user: HTTP ${res.status}`);
			const userconfig = path.join(dir, '.npmrc');
			await fs.writeFile(userconfig, `//127.0.0.1:${port}/:_authToken=${token}\n`, {
				mode: 0o600,
			});
			await run(
				'npm',
				[
					'publish',
					tarball,
					`--registry=${url}/`,
					`--userconfig=${userconfig}`,
					'--ignore-scripts',
					'--no-provenance',
					'--loglevel=error',
				],
				{ cwd: dir, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 },
			);
		},
	};
}
