/**
 * Drive a real n8n 2.41.1 (see n8n-runtime.ts) with this package installed the way a community install does:
 * `dist/` + `package.json` copied into `$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-celonis`, so node and
 * credential types are `n8n-nodes-celonis.*`.
 *
 *   const sandbox = await createN8nSandbox({ packageDir: repoRoot });
 *   await sandbox.importCredentials([{ id: 'c1', name: 'Celonis', type: 'celonisApiKeyApi', data: { teamUrl, apiKey } }]);
 *   await sandbox.importWorkflow(workflowJson);            // must carry an "id"
 *   const result = await sandbox.execute(workflowJson.id); // { ok, run, stdout, stderr, exitCode }
 *   await sandbox.dispose();
 *
 * Workflow and credential JSON go through temp files; every command is a fresh n8n process (6-10 s each).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureN8nRuntime, type N8nRuntime } from './n8n-runtime';

export const PACKAGE_NAME = 'n8n-nodes-celonis';

export interface CredentialInput {
	id: string;
	name: string;
	type: string;
	/** Plain-text credential data; n8n encrypts it on import. */
	data: Record<string, unknown>;
}

export interface CliResult {
	exitCode: number | null;
	stdout: string;
	stderr: string;
}

export interface ExecuteResult extends CliResult {
	/** true when n8n exited 0 and the run's status is "success". */
	ok: boolean;
	/** The IRun JSON n8n printed (undefined when nothing parseable was printed). */
	run?: N8nRun;
}

/** The parts of n8n's IRun this tooling reads. */
export interface N8nRun {
	status?: string;
	finished?: boolean;
	data: {
		resultData: {
			error?: { message?: string; description?: string; httpCode?: string; [k: string]: unknown };
			lastNodeExecuted?: string;
			runData: Record<
				string,
				Array<{
					error?: { message?: string; description?: string };
					data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
				}>
			>;
		};
	};
	[k: string]: unknown;
}

export interface SandboxOptions {
	/** Package root holding package.json and a built dist/. */
	packageDir: string;
	/** Task-runner broker port; a free port is picked when omitted (parallel n8n processes collide otherwise). */
	brokerPort?: number;
	/** Use (and keep) this user folder instead of a fresh temp folder. */
	userFolder?: string;
	/** Extra environment for every n8n process. */
	env?: NodeJS.ProcessEnv;
}

export interface N8nServer {
	url: string;
	process: ChildProcess;
	/** Output so far (stdout and stderr interleaved). */
	output(): string;
	stop(): Promise<void>;
}

export interface N8nSandbox {
	userFolder: string;
	runtime: N8nRuntime;
	env: NodeJS.ProcessEnv;
	/** Runs `n8n <args>` to completion. */
	n8n(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
	importCredentials(credentials: CredentialInput[]): Promise<void>;
	importWorkflow(workflow: { id: string } & Record<string, unknown>): Promise<void>;
	execute(workflowId: string): Promise<ExecuteResult>;
	/** The stored credential, decrypted (includes what preAuthentication persisted). */
	exportCredential(
		id: string,
	): Promise<{ id: string; name: string; type: string; data: Record<string, unknown> }>;
	/** `n8n start` on the given port; resolves once /healthz answers. */
	startServer(opts: {
		port: number;
		env?: NodeJS.ProcessEnv;
		timeoutMs?: number;
	}): Promise<N8nServer>;
	/** Removes the user folder (unless it was given by the caller). */
	dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** Replaces every occurrence of the given secrets with ***. */
export function maskSecrets(text: string, secrets: Array<string | undefined>): string {
	let out = text;
	for (const secret of secrets)
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	return out;
}

/** Copies dist/ and package.json of the package into <userFolder>/.n8n/nodes/node_modules/<name>. */
export async function installPackage(packageDir: string, userFolder: string): Promise<string> {
	const dist = path.join(packageDir, 'dist');
	const manifest = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	for (const file of [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])]) {
		if (!existsSync(path.join(packageDir, file)))
			throw new Error(`${file} is missing; run \`npm run build\` first`);
	}
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	await fs.rm(target, { recursive: true, force: true });
	await fs.mkdir(target, { recursive: true });
	await fs.cp(dist, path.join(target, 'dist'), { recursive: true });
	await fs.copyFile(path.join(packageDir, 'package.json'), path.join(target, 'package.json'));
	return target;
}

/** The IRun JSON from `execute --rawOutput`: log lines come first; the JSON starts at the first line that is exactly "{". */
export function parseRunOutput(stdout: string): N8nRun | undefined {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line === '{');
	if (start < 0) return undefined;
	const rest = lines.slice(start);
	// Anything n8n logs after the JSON would break JSON.parse: cut after the last line that is exactly "}".
	const end = rest.lastIndexOf('}');
	try {
		return JSON.parse(rest.slice(0, end + 1).join('\n')) as N8nRun;
	} catch {
		return undefined;
	}
}

async function existingEncryptionKey(userFolder: string): Promise<string | undefined> {
	try {
		const config = JSON.parse(
			await fs.readFile(path.join(userFolder, '.n8n', 'config'), 'utf8'),
		) as { encryptionKey?: string };
		return config.encryptionKey;
	} catch {
		return undefined;
	}
}

export async function createN8nSandbox(options: SandboxOptions): Promise<N8nSandbox> {
	const runtime = await ensureN8nRuntime();
	const ownFolder = !options.userFolder;
	const userFolder =
		options.userFolder ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-celonis-')));
	await fs.mkdir(userFolder, { recursive: true });
	await installPackage(options.packageDir, userFolder);
	const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-celonis-io-'));

	// Not inherited: NODE_OPTIONS (meant for Node 20 tools) and the test runner's variables (NODE_ENV=test silences n8n's logger,
	// which is where `execute` prints its result).
	const inherited = Object.fromEntries(
		Object.entries(runtime.env).filter(
			([key]) => key !== 'NODE_OPTIONS' && key !== 'NODE_ENV' && !key.startsWith('JEST_'),
		),
	);
	const env: NodeJS.ProcessEnv = {
		...inherited,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY:
			(await existingEncryptionKey(userFolder)) ?? randomBytes(24).toString('hex'),
		N8N_RUNNERS_BROKER_PORT: String(options.brokerPort ?? (await freePort())),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info', // execute prints its result through logger.info
		DB_TYPE: 'sqlite',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		...options.env,
	};

	let counter = 0;
	const writeTemp = async (name: string, value: unknown) => {
		const file = path.join(scratch, `${++counter}-${name}.json`);
		await fs.writeFile(file, JSON.stringify(value, null, 2), { mode: 0o600 });
		return file;
	};

	// stdout goes to a file, not a pipe: n8n ends `execute` with process.exit(), which drops whatever of a large
	// result (--rawOutput of many items) is still queued for a pipe; writes to a file are synchronous.
	const n8n = async (args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> => {
		const outFile = path.join(scratch, `${++counter}-stdout.log`);
		const out = await fs.open(outFile, 'w', 0o600);
		try {
			const { exitCode, stderr } = await new Promise<{
				exitCode: number | null;
				stderr: string;
			}>((resolve, reject) => {
				const child = spawn(runtime.nodeBin, [runtime.n8nBin, ...args], {
					env,
					cwd: userFolder,
					stdio: ['ignore', out.fd, 'pipe'],
				});
				let stderr = '';
				child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
				const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
				child.on('error', (error) => {
					clearTimeout(timer);
					reject(error);
				});
				child.on('close', (code) => {
					clearTimeout(timer);
					resolve({ exitCode: code, stderr });
				});
			});
			return { exitCode, stdout: await fs.readFile(outFile, 'utf8'), stderr };
		} finally {
			await out.close();
			await fs.rm(outFile, { force: true });
		}
	};

	const mustSucceed = async (label: string, args: string[]): Promise<CliResult> => {
		const result = await n8n(args);
		if (result.exitCode !== 0) {
			const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
			throw new Error(`n8n ${label} failed (exit ${result.exitCode}):\n${tail}`);
		}
		return result;
	};

	return {
		userFolder,
		runtime,
		env,
		n8n,
		async importCredentials(credentials) {
			await mustSucceed('import:credentials', [
				'import:credentials',
				`--input=${await writeTemp('credentials', credentials)}`,
			]);
		},
		async importWorkflow(workflow) {
			await mustSucceed('import:workflow', [
				'import:workflow',
				`--input=${await writeTemp('workflow', workflow)}`,
			]);
		},
		async execute(workflowId) {
			const result = await n8n(['execute', `--id=${workflowId}`, '--rawOutput']);
			const run = parseRunOutput(result.stdout);
			const ok =
				result.exitCode === 0 &&
				run !== undefined &&
				(run.status === undefined || run.status === 'success') &&
				!run.data.resultData.error;
			return { ...result, ok, run };
		},
		async exportCredential(id) {
			const file = path.join(scratch, `${++counter}-export.json`);
			await mustSucceed('export:credentials', [
				'export:credentials',
				`--id=${id}`,
				'--decrypted',
				`--output=${file}`,
			]);
			const exported = JSON.parse(await fs.readFile(file, 'utf8')) as Array<{
				id: string;
				name: string;
				type: string;
				data: Record<string, unknown>;
			}>;
			await fs.rm(file, { force: true });
			if (!exported[0]) throw new Error(`credential ${id} not found`);
			return exported[0];
		},
		async startServer({ port, env: extraEnv, timeoutMs = 120_000 }) {
			const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], {
				env: {
					...env,
					N8N_PORT: String(port),
					N8N_LISTEN_ADDRESS: '127.0.0.1',
					N8N_HOST: 'localhost',
					N8N_EDITOR_BASE_URL: `http://localhost:${port}`,
					N8N_SECURE_COOKIE: 'false',
					...extraEnv,
				},
				cwd: userFolder,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let output = '';
			child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
			child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
			const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
			const url = `http://localhost:${port}`;
			const stop = async () => {
				if (child.exitCode === null && child.signalCode === null) {
					child.kill('SIGTERM');
					const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
					await exited;
					clearTimeout(timer);
				}
			};
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				if (child.exitCode !== null)
					throw new Error(
						`n8n start exited with ${child.exitCode}:\n${output.split('\n').slice(-25).join('\n')}`,
					);
				try {
					const res = await fetch(`http://127.0.0.1:${port}/healthz/readiness`);
					if (res.ok) break;
				} catch {
					// not listening yet
				}
				if (Date.now() > deadline) {
					await stop();
					throw new Error(
						`n8n did not become ready on ${url} within ${timeoutMs} ms:\n${output.split('\n').slice(-25).join('\n')}`,
					);
				}
				await new Promise((r) => setTimeout(r, 500));
			}
			return { url, process: child, output: () => output, stop };
		},
		async dispose() {
			await fs.rm(scratch, { recursive: true, force: true });
			if (ownFolder) await fs.rm(userFolder, { recursive: true, force: true });
		},
	};
}
