/**
 * Throw-away Postgres and Redis for n8n's queue mode, from Debian's `postgresql` and `redis-server` packages
 * (installed with apt when missing). Each runs on a free loopback port with its data in the harness's temp
 * folder, without persistence, and is stopped and removed with the harness (see queue-processes.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './n8n-cli';
import type { Service, Supervisor } from './queue-processes';

const run = promisify(execFile);

export interface Postgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	service: Service;
}

export interface Redis {
	host: string;
	port: number;
	service: Service;
}

/** The newest /usr/lib/postgresql/<version>/bin that holds initdb and postgres. */
export function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root)
		.filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

function redisBin(): string | undefined {
	return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
}

const isRoot = () => process.getuid?.() === 0;

/** Installs Debian's postgresql and redis-server when their binaries are missing (as root, or with `sudo -n`). */
export async function ensureQueueServices(log: (message: string) => void): Promise<void> {
	const missing = [
		...(postgresBinDir() ? [] : ['postgresql']),
		...(redisBin() ? [] : ['redis-server']),
	];
	if (missing.length === 0) return;
	const sudo = isRoot() ? [] : ['sudo', '-n'];
	if (!isRoot()) {
		try {
			execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
		} catch {
			throw new Error(
				`Queue mode needs Debian's ${missing.join(' and ')}: install ${missing.length > 1 ? 'them' : 'it'} with \`sudo apt-get install -y ${missing.join(' ')}\` and run again.`,
			);
		}
	}
	log(`installing ${missing.join(', ')} with apt (first run only)…`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const apt = async (args: string[]) => {
		const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
		await run(cmd as string, rest, { env, maxBuffer: 64 * 1024 * 1024 });
	};
	await apt(['update']);
	await apt(['install', '-y', '--no-install-recommends', ...missing]);
	if (!postgresBinDir() || !redisBin())
		throw new Error(`apt-get install ${missing.join(' ')} finished, but the binaries are missing`);
}

function postgresUser(): { uid: number; gid: number } | undefined {
	if (!isRoot()) return undefined;
	const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
	return { uid, gid };
}

/** A fresh cluster (trust auth, loopback TCP only, no fsync) with one database `n8n`. */
export async function startPostgres(sup: Supervisor): Promise<Postgres> {
	const bin = postgresBinDir();
	if (!bin) throw new Error('Postgres is not installed (run ensureQueueServices first)');
	const owner = postgresUser();
	const dataDir = path.join(sup.dir, 'postgres');
	await fs.mkdir(dataDir, { mode: 0o700 });
	if (owner) await fs.chown(dataDir, owner.uid, owner.gid);
	const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
	const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
	await run(
		path.join(bin, 'initdb'),
		['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
		{ ...asOwner, env, cwd: dataDir },
	);
	const port = await freePort();
	const service = await sup.spawn(
		'postgres',
		path.join(bin, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'unix_socket_directories=',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		],
		// SIGINT is Postgres' fast shutdown (SIGTERM would wait for every client to disconnect).
		{ ...asOwner, env, cwd: dataDir, stopSignal: 'SIGINT', stopGraceMs: 10_000 },
	);
	await service.waitFor(/database system is ready to accept connections/, 60_000);
	await run(
		path.join(bin, 'createdb'),
		['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'n8n'],
		{
			env,
		},
	);
	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		password: 'unused-trust-auth',
		database: 'n8n',
		service,
	};
}

/** Redis without persistence (no RDB, no AOF), loopback only. */
export async function startRedis(sup: Supervisor): Promise<Redis> {
	const bin = redisBin();
	if (!bin) throw new Error('redis-server is not installed (run ensureQueueServices first)');
	const dir = path.join(sup.dir, 'redis');
	await fs.mkdir(dir, { mode: 0o700 });
	const port = await freePort();
	const service = await sup.spawn(
		'redis',
		bin,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
		],
		{ cwd: dir, stopGraceMs: 5_000 },
	);
	await service.waitFor(/Ready to accept connections/, 30_000);
	return { host: '127.0.0.1', port, service };
}
