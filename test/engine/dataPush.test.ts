import fc from 'fast-check';

import { useEmulator } from '../harness/emulator';
import {
	celonis,
	engineWith,
	expectedRows,
	freshTable,
	input,
	jobsOf,
	POOL,
	tableRows,
	type Row,
} from './dataPushHelpers';

const ctx = useEmulator();

const tricky = [
	{
		id: 1,
		name: 'comma, "quotes" and\nnewline',
		note: 'tab\there',
		price: 12.5,
		active: true,
		day: '2024-01-31',
		at: '2024-01-31T08:15:00.000Z',
		empty: '',
	},
	{
		id: 2,
		name: 'ünïcødé ✓ 𝄞 日本語',
		note: null,
		price: -0.001,
		active: false,
		day: '2023-12-01',
		at: '2023-12-01T23:59:59.999Z',
		empty: 'x',
	},
	{
		id: 3,
		name: '  leading and trailing  ',
		note: '\r\nCRLF\r\n',
		price: 1e21,
		active: true,
		day: null,
		at: null,
		empty: '',
	},
	{ id: 4, name: '', price: 0, active: null, day: '2000-02-29', at: '1999-12-31T00:00:00.000Z' },
];

beforeEach(() => {
	ctx.emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 } });
});

describe('Push Items to Table', () => {
	it('Replace: the table equals the input rows exactly and the summary says what happened', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([
			input(tricky),
			celonis(creds, { operation: 'pushItems', tableName: table, mode: 'REPLACE' }),
		]);
		expect(r.error?.message).toBeUndefined();
		const [summary] = r.json('Celonis');
		expect(summary).toMatchObject({
			poolId: POOL,
			table,
			mode: 'REPLACE',
			rows: 4,
			chunks: 1,
			status: 'DONE',
			logs: [],
		});
		expect(Object.keys(summary).sort()).toEqual([
			'bytes',
			'chunks',
			'durationMs',
			'jobId',
			'logs',
			'mode',
			'poolId',
			'rows',
			'status',
			'table',
		]);
		expect(summary.bytes).toBeGreaterThan(100);
		expect(tableRows(ctx.emu, table)).toEqual(expectedRows(tricky));
		const columns = ctx.emu.store.tables.find(POOL, table)!.columns;
		expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).toEqual({
			id: 'INTEGER',
			name: 'STRING',
			note: 'STRING',
			price: 'FLOAT',
			active: 'BOOLEAN',
			day: 'DATE',
			at: 'DATETIME',
			empty: 'STRING',
		});
		expect(r.items('Celonis')[0].pairedItem).toEqual(tricky.map((_, item) => ({ item })));
		// The job says how the CSV is to be read, explicitly.
		const job = ctx.emu.store.pushJobs.get(summary.jobId as string)!;
		expect(job.csvParsingOptions).toMatchObject({
			separatorSequence: ',',
			quoteSequence: '"',
			escapeSequence: '"',
			lineEnding: '\r\n',
			charSet: 'UTF-8',
			decimalSeparator: '.',
		});
		expect(job.fileType).toBe('CSV');
	});

	it('never cuts long text at VARCHAR(80): lengths come from the data', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const rows = [
			{ k: 1, text: 'a'.repeat(500) },
			{ k: 2, text: 'ü'.repeat(300) },
		];
		const r = await engine.runChain([
			input(rows),
			celonis(creds, { operation: 'pushItems', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(tableRows(ctx.emu, table)).toEqual(rows);
		expect(ctx.emu.store.tables.find(POOL, table)!.column('text')!.fieldLength).toBe(600);
	});

	it('warns (and Celonis cuts) when the user fixes a shorter length', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const rows = [{ text: 'x'.repeat(20) }];
		const r = await engine.runChain([
			input(rows),
			celonis(creds, {
				operation: 'pushItems',
				tableName: table,
				columnTypes: { column: [{ column: 'text', type: 'auto', fieldLength: 10 }] },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0].warnings).toEqual([
			expect.stringMatching(/"text" is set to a length of 10, but item 0 has a value of 20 bytes/),
		]);
		expect(tableRows(ctx.emu, table)).toEqual([{ text: 'x'.repeat(10) }]);
	});

	it('column types can be overridden (numbers kept as text, dates as text)', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const rows = [{ zip: 1234, day: '2024-01-31' }];
		const r = await engine.runChain([
			input(rows),
			celonis(creds, {
				operation: 'pushItems',
				tableName: table,
				columnTypes: { column: [{ column: 'zip', type: 'STRING' }] },
				options: { inferDates: false },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(tableRows(ctx.emu, table)).toEqual([{ zip: '1234', day: '2024-01-31' }]);
		expect(ctx.emu.store.tables.find(POOL, table)!.columns.map((c) => c.type)).toEqual([
			'STRING',
			'STRING',
		]);
	});

	it('splits into byte-sized chunks uploaded in parallel, each row exactly once', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const rows = Array.from({ length: 500 }, (_, i) => ({
			i,
			text: `row ${i} ${'é'.repeat(i % 50)}`,
		}));
		const r = await engine.runChain([
			input(rows),
			celonis(creds, {
				operation: 'pushItems',
				tableName: table,
				options: { chunkSizeMb: 0.004, uploadConcurrency: 4 },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		const summary = r.json('Celonis')[0];
		expect(summary.chunks).toBeGreaterThan(5);
		const job = ctx.emu.store.pushJobs.get(summary.jobId as string)!;
		expect(job.chunks).toHaveLength(summary.chunks as number);
		expect(Math.max(...job.chunks.map((c) => c.size))).toBeLessThanOrEqual(
			Math.floor(0.004 * 1024 * 1024),
		);
		expect(job.chunks.reduce((s, c) => s + c.size, 0)).toBe(summary.bytes);
		// Chunks land in any order (parallel uploads); every row exactly once.
		expect(
			[...tableRows(ctx.emu, table)!].sort((x, y) => (x.i as number) - (y.i as number)),
		).toEqual(rows);
	});

	it('Delta upserts by key; Delete Rows removes by key', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const first = [
			{ id: 'a', v: 1, t: 'one' },
			{ id: 'b', v: 2, t: 'two' },
			{ id: 'c', v: 3, t: 'three' },
		];
		await engine.runChain([
			input(first),
			celonis(creds, { operation: 'pushItems', tableName: table }),
		]);
		const delta = [
			{ id: 'b', v: 20, t: 'TWO, "updated"' },
			{ id: 'd', v: 4, t: null },
		];
		const r = await engine.runChain([
			input(delta),
			celonis(creds, { operation: 'pushItems', tableName: table, mode: 'DELTA', keyColumns: 'id' }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ mode: 'DELTA', rows: 2, status: 'DONE' });
		expect(tableRows(ctx.emu, table)).toEqual([first[0], delta[0], first[2], delta[1]]);
		const d = await engine.runChain([
			input([{ id: 'a', other: 'ignored' }, { id: 'd' }]),
			celonis(creds, { operation: 'deleteRows', tableName: table, keyColumns: 'id' }),
		]);
		expect(d.error?.message).toBeUndefined();
		expect(d.json('Celonis')[0]).toMatchObject({ mode: 'DELTA', rows: 2, status: 'DONE' });
		expect(tableRows(ctx.emu, table)).toEqual([delta[0], first[2]]);
		expect(
			ctx.emu.store.pushJobs.get(d.json('Celonis')[0].jobId as string)!.chunks.map((c) => c.type),
		).toEqual(['DELETE']);
	});

	it('property: generated rows land exactly for Replace, Delta upsert and Delete Rows', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const value = {
			s: fc.option(fc.string({ unit: 'binary', maxLength: 30 }), { nil: null }),
			f: fc.option(
				fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)),
				{ nil: null },
			),
			b: fc.option(fc.boolean(), { nil: null }),
			d: fc.option(
				fc
					.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
					.map((x) => x.toISOString()),
				{ nil: null },
			),
		};
		const rowsFor = (keys: number[]) =>
			fc.tuple(...keys.map((k) => fc.record(value).map((r) => ({ k, ...r }))));
		const scenario = fc
			.tuple(
				fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 25 }),
				fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 25 }),
				fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 10 }),
			)
			.chain(([a, b, del]) => fc.tuple(rowsFor(a), rowsFor(b), fc.constant(del)));
		await fc.assert(
			fc.asyncProperty(scenario, async ([a, b, del]) => {
				const table = freshTable('P');
				const A = a as Row[];
				const B = b as Row[];
				const r1 = await engine.runChain([
					input(A),
					celonis(creds, {
						operation: 'pushItems',
						tableName: table,
						columnTypes: {
							column: [
								{ column: 's', type: 'STRING' },
								{ column: 'f', type: 'FLOAT' },
								{ column: 'b', type: 'BOOLEAN' },
								{ column: 'd', type: 'DATETIME' },
							],
						},
					}),
				]);
				expect(r1.error?.message).toBeUndefined();
				expect(tableRows(ctx.emu, table)).toEqual(A);
				const r2 = await engine.runChain([
					input(B),
					celonis(creds, {
						operation: 'pushItems',
						tableName: table,
						mode: 'DELTA',
						keyColumns: 'k',
					}),
				]);
				expect(r2.error?.message).toBeUndefined();
				const model = new Map<unknown, Row>(A.map((r) => [r.k, r]));
				for (const r of B) model.set(r.k, r);
				expect(new Set(tableRows(ctx.emu, table))).toEqual(new Set(model.values()));
				if (del.length > 0) {
					const r3 = await engine.runChain([
						input(del.map((k) => ({ k }))),
						celonis(creds, { operation: 'deleteRows', tableName: table, keyColumns: 'k' }),
					]);
					expect(r3.error?.message).toBeUndefined();
					for (const k of del) model.delete(k);
					expect(new Set(tableRows(ctx.emu, table))).toEqual(new Set(model.values()));
				}
			}),
			{ numRuns: 6 },
		);
	});

	it('does not wait when told so, and can keep nothing but the submitted job', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		ctx.emu.configure({ jobDelays: { queuedMs: 300, runningMs: 10 } });
		const r = await engine.runChain([
			input([{ a: 1 }]),
			celonis(creds, {
				operation: 'pushItems',
				tableName: freshTable(),
				options: { waitForCompletion: false },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0].status).toBe('QUEUED');
	});

	it('an ERROR job fails the node with the job log and is deleted; "Keep Failed Job" keeps it', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const params = (keep: boolean) => ({
			operation: 'pushItems',
			tableName: freshTable(),
			columnTypes: { column: [{ column: 'n', type: 'INTEGER' }] },
			options: { keepFailedJob: keep },
		});
		const before = jobsOf(ctx.emu).length;
		const r = await engine.runChain([
			input([{ n: 'not a number' }]),
			celonis(creds, params(false)),
		]);
		expect(r.status).toBe('error');
		expect(r.error!.message).toMatch(
			/could not load the pushed data into table .*ended with status ERROR/,
		);
		expect(r.error!.description).toMatch(
			/job's log: .*'not a number' is not an INTEGER.*was deleted/,
		);
		expect(jobsOf(ctx.emu).length).toBe(before);
		const kept = await engine.runChain([input([{ n: 'nope' }]), celonis(creds, params(true))]);
		expect(kept.error!.description).toMatch(/was kept/);
		expect(jobsOf(ctx.emu).filter((j) => j.status === 'ERROR')).toHaveLength(1);
	});

	it('with "Continue On Fail" a failure becomes one error item paired with the inputs', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const r = await engine.runChain([
			input([{ a: 1 }, { a: { nested: true } }]),
			celonis(creds, { operation: 'pushItems', tableName: freshTable() }, { continueOnFail: true }),
		]);
		expect(r.status).toBe('success');
		expect(r.items('Celonis')).toEqual([
			{
				json: expect.objectContaining({
					error: expect.stringMatching(/^\[item 1\] The field "a" holds an object/),
				}),
				pairedItem: [{ item: 0 }, { item: 1 }],
			},
		]);
	});

	it('a credential without the data push scope is refused before any request, naming the scope', async () => {
		const { engine, creds } = await engineWith(ctx.emu, ['audit.log:read']);
		const before = ctx.emu.store.requestLog
			.list()
			.filter((e) => e.path.includes('data-push')).length;
		const r = await engine.runChain([
			input([{ a: 1 }]),
			celonis(creds, { operation: 'pushItems', tableName: freshTable() }),
		]);
		expect(r.error!.message).toMatch(
			/Missing OAuth scope: Data Push API .* needs integration\.data-pools:data_push or integration\.data-pools/,
		);
		expect(ctx.emu.store.requestLog.list().filter((e) => e.path.includes('data-push')).length).toBe(
			before,
		);
	});
});
