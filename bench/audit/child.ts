import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { ROOT } from '../shared/emulatorProcess';

/** V8 old-space cap (MB) of bench/audit's capped 10x run and of test/slow/auditFileMemory. */
export const CAPPED_OLD_SPACE_MB = 128;

/**
 * Runs one export of bench/audit/run.ts's --child mode in a fresh process (its own peak RSS, its own heap
 * limit): `args` choose what it runs (--subject node|floor, --format csv|jsonl, --keep items), `nodeOptions`
 * go to node itself (e.g. --max-old-space-size).
 */
export async function spawnExportChild(
	url: string,
	events: number,
	args: string[],
	nodeOptions: string[] = [],
): Promise<{ code: number | null; out: string; err: string }> {
	const proc = spawn(
		process.execPath,
		[
			...nodeOptions,
			'--import',
			'tsx',
			join(ROOT, 'bench', 'audit', 'run.ts'),
			'--child',
			url,
			'--events',
			String(events),
			...args,
		],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let out = '';
	let err = '';
	proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
	proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
	const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
	return { code, out, err };
}

/** The child's result: the JSON object on the last line it printed. */
export function childResult<T>(out: string): T {
	return JSON.parse(out.trim().split('\n').pop() as string) as T;
}
