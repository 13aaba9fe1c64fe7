import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
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
	readPosition,
	readState,
	WatermarkTracker,
	type WatermarkState,
} from '../../nodes/Celonis/helpers/watermark';

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
	test('no position, a foreign position and a position of the previous format', () => {
		expect(readState(undefined, 't')).toBeUndefined();
		expect(
			readState({ watermark: '2025-01-01T00:00:00.000Z', boundary: {}, team: 'other' }, 't'),
		).toBeUndefined();
		expect(
			readPosition(
				{ watermark: '2025-01-01T00:00:00.000Z', boundary: {}, team: 'other' },
				't',
				NOW,
			),
		).toEqual({ otherTeam: 'other' });
		// The previous format: fingerprints only at the watermark, so they cover events from the watermark on.
		expect(
			readState({ watermark: '2025-01-01T00:00:00.000Z', boundary: { x: 1 }, team: 't' }, 't'),
		).toMatchObject({
			boundary: { x: 1 },
			recent: {},
			seenFrom: '2025-01-01T00:00:00.000Z',
			exportedTotal: 0,
		});
	});

	test('a malformed stored position is an error that says so and how to start over, never "no position"', () => {
		const valid = {
			watermark: '2025-01-01T00:00:00.000Z',
			boundary: { x: 1 },
			team: 't',
			updatedAt: '2025-01-01T00:00:01.000Z',
			exportedTotal: 3,
		};
		const v2 = { ...valid, version: 2, seenFrom: '2024-12-31T23:55:00.000Z', recent: {} };
		const cases: Array<[unknown, RegExp]> = [
			[null, /not an object/],
			['x', /not an object/],
			[[valid], /not an object/],
			[{ ...valid, watermark: 'nope' }, /"watermark" is not a date/],
			[{ ...valid, watermark: undefined }, /"watermark" is not a date/],
			[{ ...valid, boundary: { x: 0 } }, /"boundary"/],
			[{ ...valid, boundary: { x: 1.5 } }, /"boundary"/],
			[{ ...valid, boundary: 'x' }, /"boundary"/],
			[{ ...valid, team: null }, /"team"/],
			[{ ...valid, exportedTotal: -1 }, /"exportedTotal"/],
			[{ ...valid, exportedTotal: '3' }, /"exportedTotal"/],
			[{ ...valid, updatedAt: 5 }, /"updatedAt"/],
			[{ ...v2, seenFrom: 'later' }, /"seenFrom"/],
			[{ ...v2, seenFrom: '2025-01-01T00:00:00.001Z' }, /"seenFrom"/],
			[{ ...v2, recent: [] }, /"recent"/],
			[{ ...v2, recent: { 'not a date': { y: 1 } } }, /"recent"/],
			[{ ...v2, recent: { '2025-01-01T00:00:00.000Z': { y: 1 } } }, /"recent"/], // not before the watermark
			[{ ...v2, recent: { '2024-12-31T23:00:00.000Z': { y: 1 } } }, /"recent"/], // before seenFrom
			[{ ...v2, recent: { '2024-12-31T23:59:00.000Z': { y: -2 } } }, /"recent"/],
			[{ ...v2, version: 'two' }, /"version"/],
		];
		for (const [stored, detail] of cases) {
			expect(() => readState(stored, 't', NOW)).toThrow(
				/^The stored position of this export is corrupted \(.+\)[^]*Start Over/,
			);
			expect(() => readState(stored, 't', NOW)).toThrow(detail);
		}
		expect(() => readState({ ...v2, version: 3 }, 't', NOW)).toThrow(
			/written by a newer version of n8n-nodes-celonis[^]*Start Over/,
		);
		// Corrupted is corrupted, whichever team it names.
		expect(() => readState({ ...valid, team: 'other', exportedTotal: -1 }, 't', NOW)).toThrow(
			/corrupted/,
		);
		expect(readState(v2, 't', NOW)).toMatchObject(v2);
	});

	test('a position in the future is an error naming its date; a few minutes of clock skew are allowed', () => {
		const at = (ms: number) => ({
			watermark: new Date(ms).toISOString(),
			boundary: {},
			team: 't',
			updatedAt: '',
			exportedTotal: 0,
		});
		expect(() => readState(at(NOW + 3_600_000), 't', NOW)).toThrow(
			/^The stored position of this export \(2025-06-15T13:00:00\.000Z\) is in the future[^]*now is 2025-06-15T12:00:00\.000Z[^]*Start Over/,
		);
		expect(readState(at(NOW + 4 * 60_000), 't', NOW)).toMatchObject({
			watermark: at(NOW + 4 * 60_000).watermark,
		});
	});
	test('a first run without events starts the position at the end of its window', () => {
		const tracker = new WatermarkTracker(undefined);
		expect(tracker.next('t', NOW)).toMatchObject({
			watermark: new Date(NOW).toISOString(),
			boundary: {},
		});
		expect(new WatermarkTracker(undefined).next('t')).toBeUndefined();
		// With a lookback, late events of the lookback before that position are looked for by the next run.
		const looking = new WatermarkTracker(undefined, { lookbackMs: 600_000 });
		const empty = looking.next('t', NOW)!;
		expect(empty.seenFrom).toBe(new Date(NOW - 600_000).toISOString());
		expect(new WatermarkTracker(empty, { lookbackMs: 600_000 }).from).toBe(NOW - 600_000);
	});

	test('a position keeps the fingerprints of the lookback window before its watermark and asks from there', () => {
		const ts = (s: number) => new Date(NOW + s * 1000).toISOString();
		const e = (s: number, n: number) => ({ timestamp: ts(s), n });
		const first = new WatermarkTracker(undefined, { lookbackMs: 10_000 });
		for (const event of [e(0, 1), e(5, 2), e(8, 3), e(8, 4), e(15, 5)]) first.accept(event);
		const state = first.next('t', NOW + 20_000)!;
		expect(state).toMatchObject({
			version: 2,
			watermark: ts(15),
			boundary: { [fingerprint(e(15, 5))]: 1 },
			recent: {
				[ts(5)]: { [fingerprint(e(5, 2))]: 1 },
				[ts(8)]: { [fingerprint(e(8, 3))]: 1, [fingerprint(e(8, 4))]: 1 },
			},
			seenFrom: ts(5),
			exportedTotal: 5,
		});
		const second = new WatermarkTracker(state, { lookbackMs: 10_000 });
		expect(second.from).toBe(NOW + 5_000);
		const seen = [e(5, 2), e(6, 99), e(8, 3), e(8, 4), e(8, 4), e(15, 5), e(16, 6)];
		expect(seen.filter((event) => second.accept(event))).toEqual([e(6, 99), e(8, 4), e(16, 6)]);
		expect(second.late).toBe(2);
		expect(second.skipped).toBe(4);
		expect(second.next('t')).toMatchObject({
			watermark: ts(16),
			seenFrom: ts(6),
			recent: {
				[ts(6)]: { [fingerprint(e(6, 99))]: 1 },
				[ts(8)]: { [fingerprint(e(8, 3))]: 1, [fingerprint(e(8, 4))]: 2 },
				[ts(15)]: { [fingerprint(e(15, 5))]: 1 },
			},
			boundary: { [fingerprint(e(16, 6))]: 1 },
			exportedTotal: 8,
		});
		// Lookback 0: the previous behaviour, fingerprints only at the watermark.
		const zero = new WatermarkTracker(state, { lookbackMs: 0 });
		expect(zero.from).toBe(NOW + 15_000);
		expect(zero.accept(e(16, 6))).toBe(true);
		expect(zero.next('t')).toMatchObject({ recent: {}, seenFrom: ts(16) });
	});

	test('at most maxFingerprints are kept: the oldest timestamps go first and seenFrom follows them', () => {
		const ts = (ms: number) => new Date(NOW + ms).toISOString();
		const tracker = new WatermarkTracker(undefined, { lookbackMs: 600_000, maxFingerprints: 5 });
		for (let i = 0; i < 8; i++) tracker.accept({ timestamp: ts(i * 10), i });
		tracker.accept({ timestamp: ts(70), i: 'twin' });
		const state = tracker.next('t')!;
		const count = (s: WatermarkState) =>
			[state.boundary, ...Object.values(s.recent)].reduce(
				(n, group) => n + Object.values(group).reduce((a, b) => a + b, 0),
				0,
			);
		expect(count(state)).toBe(5);
		expect(Object.keys(state.recent)).toEqual([ts(40), ts(50), ts(60)]);
		expect(state.seenFrom).toBe(ts(40));
		expect(tracker.dropped).toBe(4);
		const next = new WatermarkTracker(state, { lookbackMs: 600_000, maxFingerprints: 5 });
		expect(next.from).toBe(NOW + 40);
		// A flood at one timestamp is never cut: the watermark's events are all kept.
		const flood = new WatermarkTracker(undefined, { lookbackMs: 600_000, maxFingerprints: 2 });
		for (let i = 0; i < 4; i++) flood.accept({ timestamp: ts(0), i });
		expect(Object.values(flood.next('t')!.boundary)).toHaveLength(4);
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

	/**
	 * The same model with late events: an arrival may carry a timestamp up to the lookback before the newest time
	 * so far (Celonis' ingestion delay). Property: every event is exported exactly once (late ones by a later run).
	 */
	test('property: late events within the lookback are exported exactly once', () => {
		const LOOKBACK = 6;
		const arrival = fc.record({
			dt: fc.constantFrom(0, 0, 1, 2),
			late: fc.option(fc.integer({ min: 0, max: LOOKBACK }), { nil: undefined, freq: 2 }),
			kind: fc.constantFrom('A', 'B'),
		});
		const step = fc.record({
			arrivals: fc.array(arrival, { maxLength: 8 }),
			failAt: fc.option(fc.nat(12), { nil: undefined }),
			limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
		});
		const key = (e: IDataObject) => `${e.timestamp as string}|${e.kind as string}`;
		const sorted = (events: IDataObject[]) => events.map(key).sort();
		fc.assert(
			fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
				const log: Array<{ ts: number; seq: number; event: IDataObject }> = [];
				let clock = 1_700_000_000_000;
				let seq = 0;
				let state: WatermarkState | undefined;
				const exported: IDataObject[] = [];
				const options = { lookbackMs: LOOKBACK };
				for (const s of steps) {
					for (const a of s.arrivals) {
						clock += a.dt;
						const ts = clock - (a.late ?? 0);
						log.push({
							ts,
							seq: seq++,
							event: { timestamp: new Date(ts).toISOString(), kind: a.kind },
						});
					}
					// Celonis answers in timestamp order; equal timestamps in arrival order.
					log.sort((x, y) => x.ts - y.ts || x.seq - y.seq);
					const tracker = new WatermarkTracker(state, options);
					const from = tracker.from;
					const visible = log.filter((e) => from === undefined || e.ts >= from).map((e) => e.event);
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
				const tracker = new WatermarkTracker(state, options);
				for (const e of log.filter((x) => tracker.from === undefined || x.ts >= tracker.from))
					if (tracker.accept(e.event)) exported.push(e.event);
				expect(sorted(exported)).toEqual(sorted(log.map((e) => e.event)));
			}),
			{ numRuns: 500 },
		);
	});
});

describe('event files', () => {
	test('CSV cells: text always quoted, null empty, numbers and booleans bare, objects as JSON', () => {
		expect(csvCell(null)).toBe('');
		expect(csvCell(undefined)).toBe('');
		expect(csvCell('')).toBe('""');
		expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
		expect(csvCell('line\r\nbreak')).toBe('"line\r\nbreak"');
		expect(csvCell(8080)).toBe('8080');
		expect(csvCell(-1.5e-7)).toBe('-1.5e-7');
		expect(csvCell(false)).toBe('false');
		expect(csvCell({ a: 'x"y' })).toBe('"{""a"":""x\\""y""}"');
		expect(csvCell(['a', 1])).toBe('"[""a"",1]"');
		expect(csvCell('=HYPERLINK("x")', true)).toBe('"\'=HYPERLINK(""x"")"');
		expect(csvCell('=1+1', false)).toBe('"=1+1"');
		expect(csvCell('@user', true)).toBe('"\'@user"');
		expect(csvCell('a=1', true)).toBe('"a=1"');
	});
	test('CSV cells outside ASCII keep their text; quotes are doubled anywhere', () => {
		expect(csvCell('Müller "M"')).toBe('"Müller ""M"""');
		expect(csvCell('"😀" 日本')).toBe('"""😀"" 日本"');
		expect(csvCell('=ü', true)).toBe('"\'=ü"');
		expect(csvCell('a\ud800"')).toBe('"a\ud800"""');
	});
	test('the CSV header is the known columns plus the first page; later fields are reported', () => {
		const enc = new CsvEventEncoder({ knownColumns: ['timestamp', 'event'] });
		expect(enc.encode([])).toBe('');
		expect(enc.encode([{ event: 'E', timestamp: 't', extra: 1 }])).toBe(
			'"timestamp","event","extra"\r\n"t","E",1\r\n',
		);
		expect(enc.encode([{ timestamp: 't2', late: true }])).toBe('"t2",,\r\n');
		expect(enc.encode([], true)).toBe('');
		expect([...enc.unlistedFields]).toEqual(['late']);
		expect(new CsvEventEncoder({ knownColumns: ['a'] }).encode([], true)).toBe('"a"\r\n');
		expect(new CsvEventEncoder({ knownColumns: ['a', 'b "q"'] }).encode([], true)).toBe(
			'"a","b ""q"""\r\n',
		);
		expect(new JsonLinesEventEncoder().encode([{ a: 1 }, { b: 'x\ny', c: 'ü' }])).toBe(
			'{"a":1}\n{"b":"x\\ny","c":"ü"}\n',
		);
	});
	test('property: CSV pages of any content parse back to their events with a CSV library (csv-parse)', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.array(
						fc.record(
							{
								a: fc.oneof(fc.string({ unit: 'binary' }), fc.constant(null)),
								b: fc.oneof(fc.integer(), fc.boolean(), fc.string({ unit: 'grapheme' })),
								c: fc.dictionary(fc.string(), fc.string({ unit: 'binary' })),
							},
							{ requiredKeys: [] },
						),
						{ maxLength: 30 },
					),
					{ maxLength: 8 },
				),
				(pages) => {
					const enc = new CsvEventEncoder({ knownColumns: ['a', 'b', 'c'] });
					const text = [...pages.map((p) => enc.encode(p)), enc.encode([], true)].join('');
					const rows = parse(text) as string[][];
					const events = pages.flat();
					expect(rows.length).toBe(events.length + 1);
					expect(rows[0]).toEqual(['a', 'b', 'c']);
					events.forEach((event, n) => {
						const expected = (v: unknown) =>
							v === undefined || v === null
								? ''
								: typeof v === 'string'
									? v
									: typeof v === 'object'
										? JSON.stringify(v)
										: String(v);
						expect(rows[n + 1]).toEqual([expected(event.a), expected(event.b), expected(event.c)]);
					});
				},
			),
			{ numRuns: 300 },
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
