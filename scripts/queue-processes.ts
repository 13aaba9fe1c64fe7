/**
 * Child processes that never outlive the queue-mode harness.
 *
 * Every service (Postgres, Redis, Verdaccio, n8n main and workers) runs in its own process group, recorded in
 * `<state dir>/pgids`. Stopping is done here in reverse start order (SIGTERM to the group, SIGKILL after a grace
 * period), then the state dir is removed. If the harness itself dies without stopping (SIGKILL, a crashed jest
 * worker), a small detached reaper that watches the harness's pid does the same: no service and no temp folder is
 * left on the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SpawnOptions {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	/** Run as this user (only possible as root; Postgres refuses to run as root). */
	uid?: number;
	gid?: number;
	/** Signal that asks the service to stop (default SIGTERM). */
	stopSignal?: NodeJS.Signals;
	/** Grace period between that signal and SIGKILL when stopping (default 15 s). */
	stopGraceMs?: number;
}

export interface Service {
	name: string;
	process: ChildProcess;
	/** Everything the process printed so far (stdout and stderr interleaved). */
	output(): string;
	/** Resolves with the first match of `pattern` in the output (waiting for it); rejects on exit or timeout. */
	waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
	/** Last lines of the output, for error messages. */
	tail(lines?: number): string;
	exited(): boolean;
	stop(): Promise<void>;
}

/** bash (dash's kill takes no `--`): SIGINT first (Postgres' fast shutdown), then SIGTERM, then SIGKILL. */
const REAPER = `
owner="$1"; dir="$2"
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
if [ -f "$dir/pgids" ]; then
	for signal in INT TERM KILL; do
		for g in $(cat "$dir/pgids"); do kill -s "$signal" -- "-$g" 2>/dev/null; done
		[ "$signal" = KILL ] || sleep 4
	done
fi
rm -rf "$dir"
`;

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

export class Supervisor {
	private readonly services: Service[] = [];

	private readonly groups = new Set<number>();

	private stopping?: Promise<void>;

	private constructor(
		/** Temp folder of this harness run; removed on stop. */
		readonly dir: string,
		private readonly reaper: ChildProcess,
	) {}

	static async create(prefix: string): Promise<Supervisor> {
		const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
		// Traversable (not listable) by the postgres user, whose data folder lives inside.
		await fs.chmod(dir, 0o711);
		await fs.writeFile(path.join(dir, 'pgids'), '');
		const reaper = spawn('bash', ['-c', REAPER, 'reaper', String(process.pid), dir], {
			detached: true,
			stdio: 'ignore',
		});
		reaper.unref();
		return new Supervisor(dir, reaper);
	}

	private async writeGroups(): Promise<void> {
		await fs.writeFile(path.join(this.dir, 'pgids'), [...this.groups].join('\n'));
	}

	/** Starts `cmd` in its own process group; its output goes to memory and to `<dir>/logs/<name>.log`. */
	async spawn(
		name: string,
		cmd: string,
		args: string[],
		opts: SpawnOptions = {},
	): Promise<Service> {
		if (this.stopping) throw new Error(`cannot start ${name}: the harness is stopping`);
		await fs.mkdir(path.join(this.dir, 'logs'), { recursive: true });
		const log: WriteStream = createWriteStream(path.join(this.dir, 'logs', `${name}.log`));
		const child = spawn(cmd, args, {
			env: opts.env ?? process.env,
			cwd: opts.cwd ?? this.dir,
			uid: opts.uid,
			gid: opts.gid,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const pid = child.pid;
		if (pid === undefined) {
			const error = await new Promise<Error>((resolve) => child.once('error', resolve));
			throw new Error(`could not start ${name} (${cmd}): ${error.message}`);
		}
		this.groups.add(pid);
		await this.writeGroups();

		let output = '';
		const listeners = new Set<() => void>();
		const onData = (chunk: string) => {
			output += chunk;
			log.write(chunk);
			for (const listener of listeners) listener();
		};
		child.stdout?.setEncoding('utf8').on('data', onData);
		child.stderr?.setEncoding('utf8').on('data', onData);
		let hasExited = false;
		const exit = new Promise<void>((resolve) =>
			child.once('exit', () => {
				hasExited = true;
				this.groups.delete(pid);
				void this.writeGroups().catch(() => undefined);
				for (const listener of listeners) listener();
				resolve();
			}),
		);
		const tail = (lines = 30) => output.trimEnd().split('\n').slice(-lines).join('\n');
		const service: Service = {
			name,
			process: child,
			output: () => output,
			tail,
			exited: () => hasExited,
			waitFor: (pattern, timeoutMs) =>
				new Promise((resolve, reject) => {
					const check = () => {
						const match = pattern.exec(output);
						if (match) return done(() => resolve(match));
						if (hasExited)
							return done(() =>
								reject(
									new Error(
										`${name} exited (code ${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${tail()}`,
									),
								),
							);
					};
					const timer = setTimeout(
						() =>
							done(() =>
								reject(
									new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${tail()}`),
								),
							),
						timeoutMs,
					);
					const done = (settle: () => void) => {
						clearTimeout(timer);
						listeners.delete(check);
						settle();
					};
					listeners.add(check);
					check();
				}),
			stop: async () => {
				if (!hasExited) {
					signalGroup(pid, opts.stopSignal ?? 'SIGTERM');
					const killed = await Promise.race([
						exit.then(() => false),
						sleep(opts.stopGraceMs ?? 15_000).then(() => true),
					]);
					if (killed) signalGroup(pid, 'SIGKILL');
					await exit;
				}
				// Helpers a service started in its group (n8n's task runner) go with it.
				signalGroup(pid, 'SIGKILL');
				await new Promise<void>((resolve) => log.end(resolve));
			},
		};
		this.services.push(service);
		return service;
	}

	/** Stops every service (last started first), removes the state dir and the reaper. Safe to call twice. */
	stopAll(): Promise<void> {
		this.stopping ??= (async () => {
			for (const service of [...this.services].reverse()) {
				await service.stop().catch(() => undefined);
			}
			// QUEUE_KEEP_LOGS=<folder> keeps every service's output for a look after the run.
			const keep = process.env.QUEUE_KEEP_LOGS;
			if (keep)
				await fs
					.cp(path.join(this.dir, 'logs'), path.join(keep, path.basename(this.dir)), {
						recursive: true,
					})
					.catch(() => undefined);
			await fs.rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
			if (this.reaper.pid) signalGroup(this.reaper.pid, 'SIGKILL');
		})();
		return this.stopping;
	}

	/** For scripts run from a terminal: Ctrl-C and SIGTERM stop everything, then exit. */
	stopOnSignals(log: (message: string) => void = () => undefined): void {
		const handler = (signal: NodeJS.Signals) => {
			log(`${signal}: stopping every service…`);
			void this.stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
		};
		process.once('SIGINT', handler);
		process.once('SIGTERM', handler);
	}
}
