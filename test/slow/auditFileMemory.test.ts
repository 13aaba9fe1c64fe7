/**
 * The audit-log file export keeps nothing per event (slow: about a minute; `npm run test:slow`, run by .ci/run).
 *
 * 1,000,000 events (5,000 pages) are exported as a CSV and as a JSON Lines file in n8n's filesystem binary-data
 * mode by a process whose V8 old space is capped at 128 MB. The engine, n8n and the node need about 67 MB of live heap; a node
 * that kept a 48-character string per event (tried), the pages or the file runs out of memory. Unconstrained,
 * V8 lets the heap grow with garbage it collects late, so peak RSS alone cannot tell (bench/audit measures it
 * against n8n's helper floor). Times are not asserted.
 */
import { CAPPED_OLD_SPACE_MB, childResult, spawnExportChild } from '../../bench/audit/child';
import { configureEmulator, startEmulatorProcess } from '../../bench/shared/emulatorProcess';

const EVENTS = 1_000_000;

let emu: Awaited<ReturnType<typeof startEmulatorProcess>>;

beforeAll(async () => {
	emu = await startEmulatorProcess();
	await configureEmulator(emu.url, { generated: { auditEvents: EVENTS } });
});
afterAll(() => emu?.stop());

/** The export as bench/audit runs it (its --child mode), in a process with a capped old space. */
const exportInCappedHeap = (args: string[]) =>
	spawnExportChild(emu.url, EVENTS, args, [`--max-old-space-size=${CAPPED_OLD_SPACE_MB}`]);

test.each(['csv', 'jsonl'])(
	'1,000,000 audit events become one %s file in a process with a 128 MB heap',
	async (format) => {
		const { code, out, err } = await exportInCappedHeap(['--subject', 'node', '--format', format]);
		expect({ code, err: code === 0 ? '' : err.slice(-2000) }).toEqual({ code: 0, err: '' });
		const result = childResult<Record<string, unknown>>(out);
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
	const { code, err } = await exportInCappedHeap(['--subject', 'floor', '--keep', 'items']);
	expect(code).not.toBe(0);
	expect(err).toMatch(/heap out of memory|Allocation failed/i);
});
