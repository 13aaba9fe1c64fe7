/**
 * The audit-log file export keeps nothing per event (slow: about a minute; `npm run test:slow`, run by .ci/run).
 *
 * 1,000,000 events (5,000 pages) are exported as a CSV and as a JSON Lines file in n8n's filesystem binary-data mode by a process
 * whose V8 old space is capped at 128 MB. The engine, n8n and the node need about 67 MB of live heap; a node
 * that kept a 48-character string per event (tried), the pages or the file runs out of memory. Unconstrained,
 * V8 lets the heap grow with garbage it collects late, so peak RSS alone cannot tell (bench/audit measures it
 * against n8n's helper floor). Times are not asserted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { configureEmulator, ROOT, startEmulatorProcess } from '../../bench/shared/emulatorProcess';

const EVENTS = 1_000_000;
const OLD_SPACE_MB = 128;

let emu: Awaited<ReturnType<typeof startEmulatorProcess>>;

beforeAll(async () => {
	emu = await startEmulatorProcess();
	await configureEmulator(emu.url, { generated: { auditEvents: EVENTS } });
});
afterAll(() => emu?.stop());

/** The export as bench/audit runs it (its --child mode), in a process with a capped old space. */
async function exportInCappedHeap(
	subject: 'node' | 'floor',
	extra: string[] = [],
): Promise<{ code: number | null; out: string; err: string }> {
	const proc = spawn(
		process.execPath,
		[
			`--max-old-space-size=${OLD_SPACE_MB}`,
			'--import',
			'tsx',
			join(ROOT, 'bench', 'audit', 'run.ts'),
			'--child',
			emu.url,
			'--subject',
			subject,
			'--events',
			String(EVENTS),
			...extra,
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

test.each(['csv', 'jsonl'])(
	'1,000,000 audit events become one %s file in a process with a 128 MB heap',
	async (format) => {
		const { code, out, err } = await exportInCappedHeap('node', ['--format', format]);
		expect({ code, err: code === 0 ? '' : err.slice(-2000) }).toEqual({ code: 0, err: '' });
		const result = JSON.parse(out.trim().split('\n').pop() as string);
		expect(result).toMatchObject({
			subject: 'node',
			format,
			events: EVENTS,
			binaryDataMode: 'filesystem-v2',
			stored: true,
		});
		// about 215 bytes per generated event: the whole file went to n8n's store, not into the heap
		expect(result.fileBytes).toBeGreaterThan(EVENTS * 150);
	},
);

test('the cap is tight enough to catch retention: keeping the events as items runs out of memory', async () => {
	const { code, err } = await exportInCappedHeap('floor', ['--keep', 'items']);
	expect(code).not.toBe(0);
	expect(err).toMatch(/heap out of memory|Allocation failed/i);
});
