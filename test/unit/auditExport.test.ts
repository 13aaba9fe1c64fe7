import fc from 'fast-check';
import { writeFile, readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { PagedByteStream } from '../../nodes/Celonis/helpers/byteStream';
import {
	csvCell,
	CsvEventEncoder,
	flattenEvent,
	JsonLinesEventEncoder,
} from '../../nodes/Celonis/helpers/eventFile';
import {
	parseDateParameter,
	resolveWindow,
	windowQuery,
} from '../../nodes/Celonis/helpers/timeWindow';
import {
	canonicalJson,
	fingerprint,
	readState,
	WatermarkTracker,
	type WatermarkState,
} from '../../nodes/Celonis/shared/watermark';

const NOW = Date.parse('2025-06-15T12:00:00.000Z');

describe('time windows', () => {
	test('presets end now and start the span before', () => {
		expect(resolveWindow('lastHour', {}, NOW, 'UTC')).toEqual({ from: NOW - 3_600_000, to: NOW });
		expect(resolveWindow('last7Days', {}, NOW, 'UTC')).toEqual({
			from: NOW - 7 * 86_400_000,
			to: NOW,
		});
		expect(resolveWindow('all', {}, NOW, 'UTC')).toEqual({ to: NOW });
		expect(windowQuery({ from: NOW - 1, to: NOW })).toEqual({
			from: '2025-06-15T11:59:59.999Z',
			to: '2025-06-15T12:00:00.000Z',
		});
	});
	test('custom: dates in the workflow time zone, epoch ms, Date and DateTime; To capped at now', () => {
		expect(
			resolveWindow(
				'custom',
				{ from: '2025-06-01T00:00:00', to: '2025-06-02' },
				NOW,
				'Europe/Berlin',
			),
		).toEqual({
			from: Date.parse('2025-05-31T22:00:00Z'),
			to: Date.parse('2025-06-01T22:00:00Z'),
		});
		expect(
			resolveWindow(
				'custom',
				{ from: '2025-06-01T00:00:00Z', to: '2030-01-01T00:00:00Z' },
				NOW,
				'UTC',
			).to,
		).toBe(NOW);
		expect(parseDateParameter(NOW, 'From', 'UTC')).toBe(NOW);
		expect(parseDateParameter(String(NOW), 'From', 'UTC')).toBe(NOW);
		expect(parseDateParameter(new Date(NOW), 'From', 'UTC')).toBe(NOW);
		expect(parseDateParameter(DateTime.fromMillis(NOW), 'From', 'UTC')).toBe(NOW);
		expect(parseDateParameter('', 'From', 'UTC')).toBeUndefined();
	});
	test('clear errors: invalid dates, From after To, a window in the future', () => {
		expect(() => resolveWindow('custom', { from: '31/01/2025' }, NOW, 'UTC')).toThrow(
			/"From" is not a valid date: "31\/01\/2025"\. Use ISO-8601/,
		);
		expect(() => resolveWindow('custom', { to: {} }, NOW, 'UTC')).toThrow(
			/"To" is not a valid date: \{\}/,
		);
		expect(() =>
			resolveWindow('custom', { from: '2025-06-02', to: '2025-06-01' }, NOW, 'UTC'),
		).toThrow(/must be before "To"/);
		expect(() =>
			resolveWindow('custom', { from: '2025-06-01', to: '2025-06-01' }, NOW, 'UTC'),
		).toThrow(/must be before "To"/);
		expect(() => resolveWindow('custom', { from: '2025-07-01' }, NOW, 'UTC')).toThrow(
			/starts in the future/,
		);
	});
});

describe('watermark', () => {
	test('fingerprints ignore key order, not values', () => {
		expect(fingerprint({ a: 1, b: { c: [1, { d: 2, e: null }] } })).toBe(
			fingerprint({ b: { c: [1, { e: null, d: 2 }] }, a: 1 }),
		);
		expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: '1' }));
		expect(canonicalJson({ b: 1, a: [true] })).toBe('{"a":[true],"b":1}');
	});
	test('a malformed or foreign stored position means "no position"', () => {
		expect(readState(undefined, 't')).toBeUndefined();
		expect(readState({ watermark: 'nope', boundary: {}, team: 't' }, 't')).toBeUndefined();
		expect(
			readState({ watermark: '2025-01-01T00:00:00.000Z', boundary: {}, team: 'other' }, 't'),
		).toBeUndefined();
		expect(
			readState({ watermark: '2025-01-01T00:00:00.000Z', boundary: { x: 1 }, team: 't' }, 't'),
		).toMatchObject({ boundary: { x: 1 } });
	});
	test('a first run without events starts the position at the end of its window', () => {
		const tracker = new WatermarkTracker(undefined);
		expect(tracker.next('t', NOW)).toMatchObject({
			watermark: new Date(NOW).toISOString(),
			boundary: {},
		});
		expect(new WatermarkTracker(undefined).next('t')).toBeUndefined();
	});

	/**
	 * Model: a log in timestamp order where events arrive between runs (at or after the newest timestamp,
	 * identical copies included); runs read events from the stored watermark on and may fail anywhere.
	 * Property: the successful runs' outputs, concatenated, are the log.
	 */
	test('property: every event exactly once across arrivals, equal timestamps and failed runs', () => {
		const event = fc.record({
			dt: fc.constantFrom(0, 0, 0, 1, 2),
			kind: fc.constantFrom('A', 'B', 'C'),
			copyLast: fc.boolean(),
		});
		const step = fc.record({
			arrivals: fc.array(event, { maxLength: 8 }),
			failAt: fc.option(fc.nat(12), { nil: undefined }),
			limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
		});
		fc.assert(
			fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
				const log: IDataObject[] = [];
				let clock = 1_700_000_000_000;
				let state: WatermarkState | undefined;
				const exported: IDataObject[] = [];
				for (const s of steps) {
					for (const a of s.arrivals) {
						clock += a.dt;
						const last = log[log.length - 1];
						log.push(
							a.copyLast && last && Date.parse(last.timestamp as string) === clock
								? { ...last }
								: { timestamp: new Date(clock).toISOString(), kind: a.kind },
						);
					}
					const tracker = new WatermarkTracker(state);
					const from = tracker.from;
					const visible = log.filter(
						(e) => from === undefined || Date.parse(e.timestamp as string) >= from,
					);
					const out: IDataObject[] = [];
					let failed = false;
					for (let i = 0; i < visible.length; i++) {
						if (s.failAt !== undefined && i === s.failAt) {
							failed = true;
							break;
						}
						if (tracker.accept(visible[i])) out.push(visible[i]);
						if (s.limit !== undefined && out.length >= s.limit) break;
					}
					if (failed) continue;
					exported.push(...out);
					state = tracker.next('team');
				}
				// a last run without limit or failure catches up
				const tracker = new WatermarkTracker(state);
				for (const e of log.filter(
					(x) => tracker.from === undefined || Date.parse(x.timestamp as string) >= tracker.from,
				))
					if (tracker.accept(e)) exported.push(e);
				expect(exported).toEqual(log);
			}),
			{ numRuns: 500 },
		);
	});
});

describe('event files', () => {
	test('CSV cells: text always quoted, null empty, numbers and booleans bare, objects as JSON', () => {
		expect(csvCell(null)).toBe('');
		expect(csvCell('')).toBe('""');
		expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
		expect(csvCell(8080)).toBe('8080');
		expect(csvCell(false)).toBe('false');
		expect(csvCell({ a: 'x"y' })).toBe('"{""a"":""x\\""y""}"');
		expect(csvCell('=HYPERLINK("x")', true)).toBe('"\'=HYPERLINK(""x"")"');
		expect(csvCell('=1+1', false)).toBe('"=1+1"');
	});
	test('the CSV header is the known columns plus the first page; later fields are reported', () => {
		const enc = new CsvEventEncoder({ knownColumns: ['timestamp', 'event'] });
		expect(enc.encode([])).toBe('');
		expect(enc.encode([{ event: 'E', timestamp: 't', extra: 1 }])).toBe(
			'"timestamp","event","extra"\r\n"t","E",1\r\n',
		);
		expect(enc.encode([{ timestamp: 't2', late: true }])).toBe('"t2",,\r\n');
		expect([...enc.unlistedFields]).toEqual(['late']);
		expect(new CsvEventEncoder({ knownColumns: ['a'] }).encode([], true)).toBe('"a"\r\n');
		expect(new JsonLinesEventEncoder().encode([{ a: 1 }, { b: 'x\ny' }])).toBe(
			'{"a":1}\n{"b":"x\\ny"}\n',
		);
	});
	test('flatten: nested objects to dotted keys, lists and empty objects kept', () => {
		expect(flattenEvent({ a: 1, message: { x: { y: 2 }, list: [1] }, empty: {}, n: null })).toEqual(
			{ a: 1, 'message.x.y': 2, 'message.list': [1], empty: {}, n: null },
		);
	});
});

describe('PagedByteStream', () => {
	async function* chunks(fail = false) {
		yield Buffer.from('one,');
		yield Buffer.from('two');
		if (fail) throw new Error('page 3 failed');
	}
	test('fs.writeFile pulls it chunk by chunk (n8n filesystem mode)', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'paged-'));
		await writeFile(path.join(dir, 'f'), new PagedByteStream(chunks()));
		expect(await readFile(path.join(dir, 'f'), 'utf8')).toBe('one,two');
		await expect(writeFile(path.join(dir, 'g'), new PagedByteStream(chunks(true)))).rejects.toThrow(
			'page 3 failed',
		);
	});
	test('data/end/error events (n8n streamToBuffer in memory, database and S3 modes)', async () => {
		const collect = async (s: PagedByteStream) =>
			await new Promise<string>((resolve, reject) => {
				const parts: Buffer[] = [];
				s.on('data', (c) => parts.push(c as Buffer));
				s.once('end', () => resolve(Buffer.concat(parts).toString()));
				s.once('error', reject);
			});
		expect(await collect(new PagedByteStream(chunks()))).toBe('one,two');
		await expect(collect(new PagedByteStream(chunks(true)))).rejects.toThrow('page 3 failed');
	});
});
