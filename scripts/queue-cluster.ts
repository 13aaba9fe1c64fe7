/**
 * n8n 2.41.1 in queue mode on one machine, with this package installed the way a user installs it.
 *
 *   const cluster = await startQueueCluster({ packageDir: repoRoot, workers: 2 });
 *   await cluster.installPackage();          // Settings → Community Nodes → Install, then every worker follows
 *   const creds = await cluster.createCredentials(emulatorCredentials(teamUrl));
 *   const wf = await cluster.createWorkflow(workflow, creds); await cluster.activate(wf.id);
 *   await cluster.webhook('celonis-queue', { ... });       // production webhook → Redis → a worker
 *   await cluster.executions(wf.id);                        // execution records, with the worker that ran each
 *   await cluster.stop();
 *
 * What runs (each in its own process group, stopped and removed on stop, Ctrl-C or crash; see queue-processes.ts):
 * Postgres and Redis (queue-services.ts), Verdaccio with the `npm pack` of the package (local-registry.ts),
 * `n8n start` (main: editor, REST, webhooks, triggers) and N × `n8n worker`, each with its own user folder (as on
 * separate machines), one encryption key, and its own task-runner broker port.
 *
 * The package reaches the workers only through n8n: the owner's `POST /rest/community-packages` on main makes main
 * npm-install it from the registry and publish `community-package-install` over Redis; each worker then installs the
 * version recorded in Postgres with npm itself. A worker started later gets it at start-up
 * (`N8N_REINSTALL_MISSING_PACKAGES=true`).
 *
 * About the registry: n8n 2.41.1 honours N8N_COMMUNITY_PACKAGES_REGISTRY only with an enterprise licence
 * (community-packages.service.js getNpmRegistry; without it the install answers HTTP 500 "Your license does not
 * allow for feat:communityNodes:customRegistry", and a worker skips the Redis command for the same reason). Unlicensed n8n always runs `npm … --registry=
 * https://registry.npmjs.org`, taking `npm` from PATH. So the n8n processes get an `npm` first on PATH that
 * forwards to the real npm with exactly that argument pointed at the local Verdaccio, which stands in for the public
 * registry; nothing else about n8n's installer changes. Set QUEUE_REGISTRY_MODE=licensed to use
 * N8N_COMMUNITY_PACKAGES_REGISTRY instead (for an n8n with that licence).
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { freePort, type CredentialInput } from './n8n-cli';
import { LOCAL_OWNER, ownerEnv } from './n8n-fixtures';
import { ensureN8nRuntime, type N8nRuntime } from './n8n-runtime';
import {
	npmPack,
	startLocalRegistry,
	type LocalRegistry,
	type PackedPackage,
} from './local-registry';
import { Supervisor, type Service } from './queue-processes';
import {
	ensureQueueServices,
	startPostgres,
	startRedis,
	type Postgres,
	type Redis,
} from './queue-services';

export const PUBLIC_REGISTRY = 'https://registry.npmjs.org';
/** Environment variable each worker carries with its name; workflows read it to record who ran them. */
export const WORKER_NAME_VARIABLE = 'N8N_CELONIS_QUEUE_WORKER';

export interface QueueClusterOptions {
	packageDir: string;
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`, default 10, n8n's default). */
	workerConcurrency?: number;
	/** Port of the main instance (default: a free port). */
	mainPort?: number;
	/** Extra environment for every n8n process. */
	env?: NodeJS.ProcessEnv;
	log?: (message: string) => void;
	/** Stop everything on SIGINT/SIGTERM (for scripts run from a terminal). */
	stopOnSignals?: boolean;
}

export interface N8nProcess {
	name: string;
	userFolder: string;
	service: Service;
	/** The environment it was started with. */
	env: NodeJS.ProcessEnv;
}

export interface ExecutionRecord {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	/** The worker that ran it, as recorded by the workflow in the execution's metadata (see tagWorker). */
	worker: string | null;
}

export interface QueueCluster {
	supervisor: Supervisor;
	runtime: N8nRuntime;
	postgres: Postgres;
	redis: Redis;
	registry: LocalRegistry;
	packed: PackedPackage;
	main: N8nProcess & { url: string };
	workers: Array<N8nProcess & { healthUrl: string }>;
	/** An owner-authenticated call to n8n's REST API (what the editor does). */
	rest<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
	/** Settings → Community Nodes → Install on main; resolves once every running worker has installed it too. */
	installPackage(timeoutMs?: number): Promise<unknown>;
	createCredentials(credentials: CredentialInput[]): Promise<Record<string, string>>;
	/** Creates a workflow (credential references mapped by credential id), returns its id and version. */
	createWorkflow(
		workflow: Record<string, unknown>,
		credentialIds?: Record<string, string>,
	): Promise<{ id: string; versionId: string }>;
	activate(workflowId: string): Promise<void>;
	deactivate(workflowId: string): Promise<void>;
	/** POST to a production webhook of main; resolves with status and parsed body. */
	webhook(
		pathName: string,
		body: unknown,
		opts?: { timeoutMs?: number },
	): Promise<{ status: number; body: unknown }>;
	executions(workflowId?: string): Promise<ExecutionRecord[]>;
	/** The stored run data of an execution (`execution_data.data`, unflattened). */
	executionData(executionId: string): Promise<Record<string, unknown>>;
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
	startWorker(name: string): Promise<N8nProcess & { healthUrl: string }>;
	stopWorker(name: string): Promise<void>;
	stop(): Promise<void>;
}

interface PgClient {
	connect(): Promise<void>;
	query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
	end(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of n8n child processes: Node 24 first on PATH, without the test runner's variables. */
function n8nBaseEnv(runtime: N8nRuntime): NodeJS.ProcessEnv {
	return Object.fromEntries(
		Object.entries(runtime.env).filter(
			([key]) => key !== 'NODE_OPTIONS' && key !== 'NODE_ENV' && !key.startsWith('JEST_'),
		),
	);
}

/** The `npm` n8n finds on PATH: the real one, with the public registry argument pointed at the local registry. */
async function writeNpmShim(dir: string, registryUrl: string, basePath: string): Promise<string> {
	const realNpm = execFileSync('sh', ['-c', 'command -v npm'], {
		env: { ...process.env, PATH: basePath },
	})
		.toString()
		.trim();
	const shimDir = path.join(dir, 'npm-shim');
	await fs.mkdir(shimDir, { recursive: true });
	const script = [
		'#!/usr/bin/env bash',
		'# Written by scripts/queue-cluster.ts: unlicensed n8n always passes the public registry; use the local one.',
		'args=()',
		'for a in "$@"; do',
		`  if [ "$a" = "--registry=${PUBLIC_REGISTRY}" ]; then a="--registry=${registryUrl}"; fi`,
		'  args+=("$a")',
		'done',
		`exec ${JSON.stringify(realNpm)} "\${args[@]}"`,
		'',
	].join('\n');
	await fs.writeFile(path.join(shimDir, 'npm'), script, { mode: 0o755 });
	return shimDir;
}

async function waitHttpOk(url: string, service: Service, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (service.exited())
			throw new Error(`${service.name} exited before it was ready:\n${service.tail(40)}`);
		const ok = await fetch(url)
			.then((r) => r.ok)
			.catch(() => false);
		if (ok) return;
		if (Date.now() > deadline)
			throw new Error(
				`${service.name} not ready at ${url} within ${timeoutMs} ms:\n${service.tail(40)}`,
			);
		await sleep(500);
	}
}

export async function startQueueCluster(options: QueueClusterOptions): Promise<QueueCluster> {
	const log = options.log ?? ((message: string) => process.stderr.write(`[queue] ${message}\n`));
	const supervisor = await Supervisor.create('n8n-celonis-queue-');
	if (options.stopOnSignals) supervisor.stopOnSignals(log);
	try {
		return await startIn(supervisor, options, log);
	} catch (error) {
		await supervisor.stopAll();
		throw error;
	}
}

async function startIn(
	supervisor: Supervisor,
	options: QueueClusterOptions,
	log: (message: string) => void,
): Promise<QueueCluster> {
	const started = Date.now();
	const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
	await ensureQueueServices(log);
	const runtime = await ensureN8nRuntime();
	const [postgres, redis] = await Promise.all([startPostgres(supervisor), startRedis(supervisor)]);
	log(`postgres on :${postgres.port}, redis on :${redis.port} (${since()})`);

	const registry = await startLocalRegistry(supervisor, runtime, log);
	const packed = await npmPack(options.packageDir, path.join(supervisor.dir, 'pack'));
	await registry.publish(packed.tarball);
	log(`${packed.name}@${packed.version} published to ${registry.url} (${since()})`);

	const base = n8nBaseEnv(runtime);
	const licensedRegistry = process.env.QUEUE_REGISTRY_MODE === 'licensed';
	const shimDir = licensedRegistry
		? undefined
		: await writeNpmShim(supervisor.dir, registry.url, base.PATH ?? '');
	const common: NodeJS.ProcessEnv = {
		...base,
		PATH: shimDir ? `${shimDir}${path.delimiter}${base.PATH ?? ''}` : base.PATH,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		// n8n 2.41 warns that this default (true) will become false; the package is an unverified community package.
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		// Editor runs go to the workers too (n8n keeps them on main otherwise).
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// Harness workflows record which worker ran them from $env (n8n blocks $env by default).
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		...(licensedRegistry ? { N8N_COMMUNITY_PACKAGES_REGISTRY: registry.url } : {}),
		...options.env,
	};

	const mainPort = options.mainPort ?? (await freePort());
	const mainFolder = path.join(supervisor.dir, 'main');
	await fs.mkdir(mainFolder, { recursive: true });
	const mainEnv: NodeJS.ProcessEnv = {
		...common,
		...(await ownerEnv(runtime)),
		N8N_USER_FOLDER: mainFolder,
		N8N_PORT: String(mainPort),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_EDITOR_BASE_URL: `http://localhost:${mainPort}`,
		WEBHOOK_URL: `http://localhost:${mainPort}/`,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
	};
	const mainService = await supervisor.spawn(
		'n8n-main',
		runtime.nodeBin,
		[runtime.n8nBin, 'start'],
		{
			env: mainEnv,
			cwd: mainFolder,
		},
	);
	// Workers start once main has migrated the database.
	await waitHttpOk(`http://127.0.0.1:${mainPort}/healthz/readiness`, mainService, 240_000);
	const main = {
		name: 'main',
		userFolder: mainFolder,
		service: mainService,
		env: mainEnv,
		url: `http://127.0.0.1:${mainPort}`,
	};
	log(`n8n main ready on ${main.url} (${since()})`);

	const workers: Array<N8nProcess & { healthUrl: string }> = [];
	const startWorker = async (name: string) => {
		const userFolder = path.join(supervisor.dir, name);
		await fs.mkdir(userFolder, { recursive: true });
		const healthPort = await freePort();
		const env: NodeJS.ProcessEnv = {
			...common,
			N8N_USER_FOLDER: userFolder,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			// A worker that starts after the install gets the package from the registry at start-up.
			N8N_REINSTALL_MISSING_PACKAGES: 'true',
			[WORKER_NAME_VARIABLE]: name,
		};
		const service = await supervisor.spawn(
			`n8n-${name}`,
			runtime.nodeBin,
			[runtime.n8nBin, 'worker', `--concurrency=${options.workerConcurrency ?? 10}`],
			{ env, cwd: userFolder },
		);
		const healthUrl = `http://127.0.0.1:${healthPort}`;
		await waitHttpOk(`${healthUrl}/healthz/readiness`, service, 240_000);
		const worker = { name, userFolder, service, env, healthUrl };
		workers.push(worker);
		return worker;
	};
	await Promise.all(
		Array.from({ length: options.workers ?? 2 }, (_, i) => startWorker(`worker-${i + 1}`)),
	);
	workers.sort((a, b) => a.name.localeCompare(b.name));
	log(`${workers.length} worker(s) ready (${since()})`);

	// n8n's own pg module (a dependency of n8n) reads the execution records.
	const requireFromN8n = createRequire(
		path.join(runtime.dir, 'n8n', 'node_modules', 'n8n', 'package.json'),
	);
	const { Client } = requireFromN8n('pg') as { Client: new (config: object) => PgClient };
	const { parse: unflatten } = requireFromN8n('flatted') as { parse(text: string): unknown };
	const db = new Client({
		host: postgres.host,
		port: postgres.port,
		user: postgres.user,
		password: postgres.password,
		database: postgres.database,
	});
	await db.connect();
	const query = async <T>(sql: string, params: unknown[] = []) =>
		(await db.query(sql, params)).rows as T[];

	let cookie: string | undefined;
	const login = async () => {
		const res = await fetch(`${main.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				emailOrLdapLoginId: LOCAL_OWNER.email,
				password: LOCAL_OWNER.password,
			}),
		});
		if (!res.ok)
			throw new Error(`login as the owner failed: HTTP ${res.status} ${await res.text()}`);
		const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (!setCookie) throw new Error('login returned no n8n-auth cookie');
		cookie = setCookie.split(';')[0];
	};
	const rest = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
		if (!cookie) await login();
		const res = await fetch(`${main.url}/rest${route}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: cookie as string },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok)
			throw new Error(`${method} /rest${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return (parsed.data ?? parsed) as T;
	};

	interface PublicationStatus {
		status: string;
		liveVersionId: string | null;
		triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
	}
	const waitForPublication = async (
		workflowId: string,
		done: (status: PublicationStatus) => boolean,
		timeoutMs = 60_000,
	) => {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const status = await rest<PublicationStatus>(
				'GET',
				`/workflows/${workflowId}/publication-status`,
			);
			if (done(status)) return;
			if (status.status === 'failed' || status.status === 'partial')
				throw new Error(
					`workflow ${workflowId} could not be published: ${status.triggers
						.map((t) => t.errorMessage)
						.filter(Boolean)
						.join('; ')}`,
				);
			if (Date.now() > deadline)
				throw new Error(
					`workflow ${workflowId} publication: ${JSON.stringify(status)} after ${timeoutMs} ms`,
				);
			await sleep(250);
		}
	};

	const stopWorker = async (name: string) => {
		const index = workers.findIndex((w) => w.name === name);
		if (index < 0) throw new Error(`no running worker ${name}`);
		const [worker] = workers.splice(index, 1);
		await worker?.service.stop();
	};

	return {
		supervisor,
		runtime,
		postgres,
		redis,
		registry,
		packed,
		main,
		workers,
		rest,
		async installPackage(timeoutMs = 180_000) {
			const installedPattern = new RegExp(`Community package installed: ${packed.name}\\b`);
			const installed = await rest('POST', '/community-packages', { name: packed.name });
			await Promise.all(
				workers.map((worker) =>
					worker.service.waitFor(installedPattern, timeoutMs).catch((error: Error) => {
						const skipped = /(Skipped|Failed to) install(ing)? community package.*/i.exec(
							worker.service.output(),
						);
						throw new Error(
							`${worker.name} did not install ${packed.name}${skipped ? `: ${skipped[0]}` : ''}\n${error.message}`,
						);
					}),
				),
			);
			return installed;
		},
		async createCredentials(credentials) {
			const ids: Record<string, string> = {};
			for (const credential of credentials) {
				const created = await rest<{ id: string }>('POST', '/credentials', {
					name: credential.name,
					type: credential.type,
					data: credential.data,
				});
				ids[credential.id] = created.id;
			}
			return ids;
		},
		async createWorkflow(workflow, credentialIds = {}) {
			const nodes = (workflow.nodes as Array<Record<string, unknown>>).map((node) => {
				const credentials = node.credentials as
					| Record<string, { id: string; name: string }>
					| undefined;
				if (!credentials) return node;
				return {
					...node,
					credentials: Object.fromEntries(
						Object.entries(credentials).map(([type, ref]) => [
							type,
							{ ...ref, id: credentialIds[ref.id] ?? ref.id },
						]),
					),
				};
			});
			// n8n assigns the id; activation is a separate call.
			const { id: _id, active: _active, ...body } = workflow;
			const created = await rest<{ id: string; versionId: string }>('POST', '/workflows', {
				...body,
				nodes,
			});
			return { id: created.id, versionId: created.versionId };
		},
		async activate(workflowId) {
			const { versionId } = await rest<{ versionId: string }>('GET', `/workflows/${workflowId}`);
			await rest('POST', `/workflows/${workflowId}/activate`, { versionId });
			// n8n 2.41 publishes through an outbox: triggers and webhooks go live a moment after the call returns.
			await waitForPublication(
				workflowId,
				(s) => s.status === 'published' && s.liveVersionId === versionId,
			);
		},
		async deactivate(workflowId) {
			await rest('POST', `/workflows/${workflowId}/deactivate`, {});
			await waitForPublication(workflowId, (s) => s.status === 'not_published');
		},
		async webhook(pathName, body, opts = {}) {
			const res = await fetch(`${main.url}/webhook/${pathName}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
				signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
			});
			const text = await res.text();
			let parsed: unknown = text;
			try {
				parsed = JSON.parse(text);
			} catch {
				// not JSON
			}
			return { status: res.status, body: parsed };
		},
		async executions(workflowId) {
			const rows = await query<{
				id: number | string;
				workflowId: string;
				status: string;
				mode: string;
				finished: boolean;
				worker: string | null;
			}>(
				`select e.id, e."workflowId", e.status, e.mode, e.finished, m.value as worker
				   from execution_entity e
				   left join execution_metadata m on m."executionId" = e.id and m.key = 'worker'
				  where ($1::text is null or e."workflowId" = $1)
				  order by e.id`,
				[workflowId ?? null],
			);
			return rows.map((row) => ({ ...row, id: String(row.id) }));
		},
		async executionData(executionId) {
			const [row] = await query<{ data: string }>(
				'select data from execution_data where "executionId" = $1',
				[Number(executionId)],
			);
			if (!row) throw new Error(`no data stored for execution ${executionId}`);
			return unflatten(row.data) as Record<string, unknown>;
		},
		query,
		async startWorker(name) {
			return await startWorker(name);
		},
		stopWorker,
		async stop() {
			await db.end().catch(() => undefined);
			await supervisor.stopAll();
		},
	};
}
