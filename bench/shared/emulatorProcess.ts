import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/**
 * Starts the emulator in its own process (so it neither shares the benchmark's event loop nor its memory)
 * on a random free-ish port; resolves once it listens.
 */
export async function startEmulatorProcess(): Promise<{
	url: string;
	pid: number;
	stop: () => void;
}> {
	const port = 20000 + Math.floor(Math.random() * 20000);
	const child = spawn(
		process.execPath,
		['--import', 'tsx', join(ROOT, 'emulator', 'cli.ts'), '--port', String(port)],
		{
			cwd: ROOT,
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const url = await new Promise<string>((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d: Buffer) => {
			out += d.toString();
			const m = /listening on (http:\/\/\S+)/.exec(out);
			if (m) resolve(m[1] as string);
		});
		child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
	});
	child.stdout.resume();
	return { url, pid: child.pid as number, stop: () => child.kill('SIGTERM') };
}

export async function configureEmulator(url: string, patch: unknown): Promise<void> {
	const response = await fetch(`${url}/__emulator/config`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(patch),
	});
	if (!response.ok)
		throw new Error(`emulator config failed: ${response.status} ${await response.text()}`);
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}
