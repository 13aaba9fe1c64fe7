import { readFileSync } from 'node:fs';
import path from 'node:path';

import { useEmulator } from '../harness/emulator';
import {
	celonis,
	CONNECTION,
	DATA_JOB,
	engineWith,
	freshTable,
	input,
	jobCreationsSince,
	jobsOf,
	MODEL,
	POOL,
	requestSeq,
	tableRows,
} from './dataPushHelpers';

const ctx = useEmulator();

beforeEach(() => {
	ctx.emu.configure({
		jobDelays: { queuedMs: 5, runningMs: 10 },
		modelLoadMs: 50,
		dataJobDelays: { queuedMs: 10, runningMs: 20 },
		continuousFlushMs: 10,
	});
});

describe('bad input gets a clear error and creates no job', () => {
	const cases: Array<[string, unknown[], Record<string, unknown>, RegExp]> = [
		[
			'nested objects and lists',
			[{ a: 1 }, { a: [1, 2] }],
			{},
			/^\[item 1\] The field "a" holds a list, but a Celonis table column holds single values.*"Write as JSON Text"/,
		],
		[
			'key fields missing from some items',
			[{ id: 1, v: 'x' }, { v: 'y' }, { id: null, v: 'z' }],
			{ mode: 'DELTA', keyColumns: 'id' },
			/^\[item 1\] The key column "id" has no value in 2 of 3 items \(items 1, 2\)/,
		],
		[
			'a key column no item has',
			[{ id: 1 }],
			{ mode: 'DELTA', keyColumns: 'ID' },
			/The key column "ID" is not a field of any input item. Fields: id/,
		],
		[
			'Delta without key columns',
			[{ id: 1 }],
			{ mode: 'DELTA', keyColumns: ' , ' },
			/A Delta push needs "Key Columns"/,
		],
		[
			'an invalid table name',
			[{ a: 1 }],
			{ tableName: 'my table; DROP' },
			/"my table; DROP" is not a valid Celonis table name: use a letter or _ first/,
		],
		[
			'a chunk size above 1 GB',
			[{ a: 1 }],
			{ options: { chunkSizeMb: 2048 } },
			/"Chunk Size \(MB\)" must be between 0.001 \(1 KB\) and 1023.*it is 2048/,
		],
		[
			'a chunk size of 0',
			[{ a: 1 }],
			{ options: { chunkSizeMb: 0 } },
			/"Chunk Size \(MB\)" must be between/,
		],
		[
			'a row larger than a chunk',
			[{ a: 'x'.repeat(3000) }],
			{ options: { chunkSizeMb: 0.001 } },
			/^\[item 0\] The row has \d+ bytes as CSV, more than fits into a chunk of 1048 bytes/,
		],
		[
			'a null in a single-column table (its CSV line would be empty and skipped)',
			[{ a: 'x' }, { a: null }],
			{},
			/^\[item 1\] "a" is empty \(null\), and it is the only column/,
		],
		[
			'an override for a column that does not exist',
			[{ a: 1 }],
			{ columnTypes: { column: [{ column: 'b', type: 'STRING' }] } },
			/names "b", which is not a field of any input item/,
		],
	];

	it.each(cases)('%s', async (_name, rows, params, message) => {
		const { engine, creds } = await engineWith(ctx.emu);
		const before = jobsOf(ctx.emu).length;
		const since = requestSeq(ctx.emu);
		const r = await engine.runChain([
			input(rows),
			celonis(creds, { operation: 'pushItems', tableName: freshTable(), ...params }),
		]);
		expect(r.status).toBe('error');
		expect(r.error!.message).toMatch(message);
		expect(jobsOf(ctx.emu).length).toBe(before);
		// Not created and deleted again: never asked for.
		expect(jobCreationsSince(ctx.emu, since)).toBe(0);
	});

	it('items with differing fields: the union of columns, missing fields are null', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([
			input([{ a: 1 }, { b: 'x' }, { c: true, a: 2 }]),
			celonis(creds, { operation: 'pushItems', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(tableRows(ctx.emu, table)).toEqual([
			{ a: 1, b: null, c: null },
			{ a: null, b: 'x', c: null },
			{ a: 2, b: null, c: true },
		]);
	});

	it('nested values as JSON text when the user opts in', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([
			input([{ id: 1, tags: ['a', 'b'], meta: { x: 1 } }]),
			celonis(creds, {
				operation: 'pushItems',
				tableName: table,
				options: { nestedValues: 'jsonText' },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(tableRows(ctx.emu, table)).toEqual([{ id: 1, tags: '["a","b"]', meta: '{"x":1}' }]);
	});

	it('empty input: no job is created and the summary says 0 rows', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const before = jobsOf(ctx.emu).length;
		const requestsBefore = ctx.emu.store.requestLog
			.list()
			.filter((e) => e.path.includes('/data-push/')).length;
		const table = freshTable();
		const r = await engine.runChain([
			input([{}]),
			celonis(creds, { operation: 'pushItems', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')).toEqual([
			expect.objectContaining({
				jobId: null,
				poolId: POOL,
				table,
				rows: 0,
				chunks: 0,
				bytes: 0,
				status: 'NO_ROWS',
			}),
		]);
		expect(jobsOf(ctx.emu).length).toBe(before);
		expect(
			ctx.emu.store.requestLog.list().filter((e) => e.path.includes('/data-push/')),
		).toHaveLength(requestsBefore);
	});

	it('a binary property that is neither CSV nor Parquet is refused before anything is created', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const before = jobsOf(ctx.emu).length;
		const pdf = {
			data: {
				data: Buffer.from('%PDF-1.7\n%âãÏÓ\n').toString('base64'),
				fileName: 'report.pdf',
				mimeType: 'application/pdf',
			},
		};
		const r = await engine.runChain([
			input([{}], pdf),
			celonis(creds, { operation: 'pushFile', tableName: freshTable() }),
		]);
		expect(r.error!.message).toMatch(
			/^\[item 0\] The binary field "data" holds report.pdf \(application\/pdf\), which is neither CSV nor Parquet/,
		);
		const xlsx = {
			data: {
				data: Buffer.from('PK\u0003\u0004rest').toString('base64'),
				fileName: 'rows.csv',
				mimeType: 'text/csv',
			},
		};
		const r2 = await engine.runChain([
			input([{}], xlsx),
			celonis(creds, { operation: 'pushFile', tableName: freshTable() }),
		]);
		expect(r2.error!.message).toMatch(/neither CSV nor Parquet/);
		const missing = await engine.runChain([
			input([{ a: 1 }]),
			celonis(creds, { operation: 'pushFile', tableName: freshTable() }),
		]);
		expect(missing.error!.message).toMatch(/\[item 0\] The item has no binary field "data"/);
		expect(jobsOf(ctx.emu).length).toBe(before);
	});
});

describe('Push File to Table', () => {
	it('a CSV file with its own options (semicolons, decimal comma) lands, lengths from the file', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const csv = `id;name;amount\n1;"Müller; GmbH";1,5\n2;"${'long '.repeat(40)}";2\n`;
		const r = await engine.runChain([
			input([{}], { data: { text: csv, fileName: 'rows.csv', mimeType: 'text/csv' } }),
			celonis(creds, {
				operation: 'pushFile',
				tableName: table,
				csvOptions: { separatorSequence: ';', decimalSeparator: ',' },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ rows: 2, chunks: 1, files: 1, status: 'DONE' });
		expect(tableRows(ctx.emu, table)).toEqual([
			{ id: 1, name: 'Müller; GmbH', amount: 1.5 },
			{ id: 2, name: 'long '.repeat(40), amount: 2 },
		]);
	});

	it('a Parquet file lands', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const parquet = readFileSync(
			path.join(__dirname, '../emulator/fixtures/small.parquet'),
		).toString('base64');
		const r = await engine.runChain([
			input([{}], {
				data: { data: parquet, fileName: 'small.parquet', mimeType: 'application/octet-stream' },
			}),
			celonis(creds, { operation: 'pushFile', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ status: 'DONE', chunks: 1 });
		expect(ctx.emu.store.pushJobs.get(r.json('Celonis')[0].jobId as string)!.fileType).toBe(
			'PARQUET',
		);
		expect(tableRows(ctx.emu, table)!.length).toBeGreaterThan(0);
	});
});

describe('job operations for power users', () => {
	it('Create Job → Upload Chunk → Get Chunks → Execute Job → Get Job → Get Many Jobs → Delete Job', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const op = (operation: string, extra: Record<string, unknown> = {}) =>
			celonis(creds, { operation, ...extra });
		const created = await engine.runChain([
			op('createJob', {
				tableName: table,
				mode: 'DELTA',
				keyColumns: 'id',
				additionalFields: JSON.stringify({ connectionId: CONNECTION }),
			}),
		]);
		expect(created.error?.message).toBeUndefined();
		const job = created.json('Celonis')[0];
		expect(job).toMatchObject({
			status: 'NEW',
			type: 'DELTA',
			keys: ['id'],
			connectionId: CONNECTION,
			fileType: 'CSV',
		});
		const jobId = job.id as string;
		const up = await engine.runChain([
			input([{}], { data: { text: 'id,v\n1,a\n2,b\n', fileName: 'c.csv', mimeType: 'text/csv' } }),
			op('uploadChunk', { jobId }),
		]);
		expect(up.error?.message).toBeUndefined();
		expect(up.json('Celonis')[0]).toMatchObject({ jobId, type: 'UPSERT', bytes: 13 });
		const chunks = await engine.runChain([op('getChunks', { jobId })]);
		expect(chunks.json('Celonis')).toEqual([
			expect.objectContaining({ type: 'UPSERT', pushJobId: jobId }),
		]);
		const exec = await engine.runChain([op('executeJob', { jobId })]);
		expect(exec.error?.message).toBeUndefined();
		expect(exec.json('Celonis')[0]).toMatchObject({ id: jobId, status: 'DONE' });
		expect(ctx.emu.store.tables.get(POOL, table, CONNECTION)!.rows).toEqual([
			{ id: 1, v: 'a' },
			{ id: 2, v: 'b' },
		]);
		const again = await engine.runChain([op('executeJob', { jobId })]);
		expect(again.error!.message).toMatch(
			/refused to execute data push job .* \(HTTP 409\): it is no longer NEW/,
		);
		const get = await engine.runChain([op('getJob', { jobId })]);
		expect(get.json('Celonis')[0]).toMatchObject({ id: jobId, status: 'DONE' });
		const many = await engine.runChain([
			op('getManyJobs', { returnAll: true, filters: { targetName: table } }),
		]);
		expect(many.json('Celonis').map((j) => j.id)).toEqual([jobId]);
		const del = await engine.runChain([op('deleteJob', { jobId })]);
		expect(del.json('Celonis')[0]).toEqual({ jobId, deleted: true });
		expect(ctx.emu.store.pushJobs.has(jobId)).toBe(false);
		const bad = await engine.runChain([op('getJob', { jobId: '../../etc' })]);
		expect(bad.error!.message).toMatch(/is not a data push job ID/);
	});
});

describe('Continuous Push', () => {
	it('items go to the continuous-batch-processing endpoint and are flushed into the table', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const rows = [
			{ id: 1, name: 'a, "b"' },
			{ id: 2, name: 'ü'.repeat(100) },
		];
		const r = await engine.runChain([
			input(rows),
			celonis(creds, {
				operation: 'continuousPush',
				tableName: table,
				options: { primaryKeys: 'id' },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ poolId: POOL, table, rows: 2, uploads: 1 });
		const pushed = ctx.emu.store.continuousItems.filter((i) => i.targetName === table);
		expect(pushed).toHaveLength(1);
		expect(pushed[0]).toMatchObject({
			clientId: 'n8n-nodes-celonis',
			primaryKeys: ['id'],
			fallbackVarcharLength: 200,
		});
		for (let i = 0; i < 50 && pushed[0].flushStatus === 'new'; i++)
			await new Promise((res) => setTimeout(res, 20));
		expect(tableRows(ctx.emu, table)).toEqual(rows);
	});

	it('a file goes as it is', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([
			input([{}], { data: { text: 'x,y\n1,2\n', fileName: 'f.csv', mimeType: 'text/csv' } }),
			celonis(creds, { operation: 'continuousPush', tableName: table, source: 'file' }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ uploads: 1, bytes: 8 });
	});
});

describe('Data Model → Reload and Data Job → Execute', () => {
	const model = (creds: Parameters<typeof celonis>[0], extra: Record<string, unknown>) =>
		celonis(creds, {
			resource: 'dataModel',
			operation: 'reload',
			dataModel: { __rl: true, mode: 'id', value: MODEL },
			...extra,
		});

	it('complete reload, waiting for SUCCESS', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const r = await engine.runChain([model(creds, {})]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({
			poolId: POOL,
			dataModelId: MODEL,
			reloadType: 'complete',
			status: 'SUCCESS',
			loadType: 'COMPLETE',
		});
	});

	it('partial reload by table name or alias', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const r = await engine.runChain([
			model(creds, { reloadType: 'partial', tables: 'SALES_ORDERS, Activities' }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({
			status: 'SUCCESS',
			loadType: 'PARTIAL',
			tableIds: ['t0000000-0000-4000-8000-000000001011', 't0000000-0000-4000-8000-000000001012'],
		});
		const bad = await engine.runChain([model(creds, { reloadType: 'partial', tables: 'NOPE' })]);
		expect(bad.error!.message).toMatch(
			/The data model has no table "NOPE". Its tables: Sales Orders, Activities, CUSTOMERS/,
		);
	});

	it('data job execute (FULL), waiting for SUCCESS', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const r = await engine.runChain([
			celonis(creds, {
				resource: 'dataJob',
				operation: 'execute',
				dataJob: { __rl: true, mode: 'id', value: DATA_JOB },
				mode: 'FULL',
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({
			poolId: POOL,
			dataJobId: DATA_JOB,
			mode: 'FULL',
			status: 'SUCCESS',
			name: 'Extract O2C',
		});
	});
});

describe('a submitted job whose outcome is unknown is never deleted', () => {
	it('Wait Timeout: the node fails, the job stays and still lands', async () => {
		ctx.emu.configure({ jobDelays: { queuedMs: 50, runningMs: 2500 } });
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([
			input([{ id: 1 }, { id: 2 }]),
			celonis(creds, { operation: 'pushItems', tableName: table, options: { waitTimeout: 1 } }),
		]);
		expect(r.error?.message).toMatch(/is still (QUEUED|RUNNING) after 1 s/);
		expect(r.error?.description).toMatch(
			/had been submitted and was not deleted: Celonis may still be loading it/,
		);
		const job = jobsOf(ctx.emu).find((j) => (j as { targetName?: string }).targetName === table);
		expect(job).toBeDefined();
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(tableRows(ctx.emu, table)).toHaveLength(2);
	});
});
