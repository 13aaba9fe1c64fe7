/**
 * Push File to Table with n8n's filesystem binary data mode (the n8n 2.x default): files are read through
 * getBinaryStream, CSV files are cut into chunks at row boundaries (header in every chunk), Parquet files go
 * as they are, and everything that can be wrong with a file is found before a job is created.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import { useFilesystemBinaryData } from '../harness/binaryData';
import { useEmulator } from '../harness/emulator';
import {
	celonis,
	engineWith,
	freshTable,
	input,
	jobCreationsSince,
	requestSeq,
	tableRows,
	trickyCsv,
} from './dataPushHelpers';

const ctx = useEmulator();
let binary: Awaited<ReturnType<typeof useFilesystemBinaryData>>;

beforeAll(async () => {
	binary = await useFilesystemBinaryData();
});
afterAll(() => binary?.cleanup());

beforeEach(() => {
	ctx.emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 } });
});

const csvFile = (text: string | Buffer, fileName = 'rows.csv') => ({
	data: Buffer.from(text).toString('base64'),
	fileName,
	mimeType: 'text/csv',
});

/** Rows ordered by a numeric key (chunks land in the order their uploads finish). */
const byKey = <T extends Record<string, unknown>>(rows: T[], key: string): T[] =>
	[...rows].sort((a, b) => Number(a[key]) - Number(b[key]));

/** Every column as text, so the table holds exactly the strings (and nulls) of the file. */
const allText = (columns: string[]) => ({
	column: columns.map((column) => ({ column, type: 'STRING' })),
});

describe('Push File to Table (filesystem binary data)', () => {
	it('a CSV with a BOM, CRLF line ends, a header and quoted multi-line fields, cut into many small chunks, lands exactly as csv-parse reads it', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const { text, columns } = trickyCsv(400);
		const expected = parse(text, {
			bom: true,
			columns: true,
			record_delimiter: '\r\n',
			cast: (value: string, context: { quoting: boolean }) =>
				value === '' && !context.quoting ? null : value,
		}) as Array<Record<string, string | null>>;
		const chunkSizeMb = 0.001; // 1,048 bytes: dozens of chunks, many boundaries next to quoted line breaks
		const r = await engine.runChain([
			input([{}], { data: csvFile(text) }),
			celonis(creds, {
				operation: 'pushFile',
				tableName: table,
				csvOptions: { lineEnding: '\r\n' },
				columnTypes: allText(columns),
				options: { chunkSizeMb },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		const summary = r.json('Celonis')[0];
		expect(summary).toMatchObject({ status: 'DONE', rows: expected.length, files: 1 });
		expect(summary.chunks as number).toBeGreaterThan(20);
		const job = ctx.emu.store.pushJobs.get(summary.jobId as string)!;
		expect(job.chunks).toHaveLength(summary.chunks as number);
		for (const chunk of job.chunks) expect(chunk.size).toBeLessThanOrEqual(chunkSizeMb * 2 ** 20);
		expect(summary.bytes).toBe(job.chunks.reduce((sum, c) => sum + c.size, 0));
		// Chunks are uploaded two at a time: rows land in chunk order only by chance.
		expect(byKey(tableRows(ctx.emu, table)!, 'id')).toEqual(byKey(expected, 'id'));
	});

	it('several items and several binary fields: every file in one job', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const file = (from: number) =>
			csvFile(`id,name\n${[0, 1, 2].map((k) => `${from + k},"n ${from + k}"`).join('\n')}\n`);
		const r = await engine.runChain([
			input([{}, {}], { data: file(0), more: file(100) }),
			celonis(creds, {
				operation: 'pushFile',
				tableName: table,
				binaryPropertyName: 'data, more',
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ status: 'DONE', files: 4, rows: 12, chunks: 4 });
		const ids = tableRows(ctx.emu, table)!.map((row) => row.id);
		// Both items carry the same two files: each file's rows land once per item.
		expect(ids.sort((a, b) => Number(a) - Number(b))).toEqual([
			0, 0, 1, 1, 2, 2, 100, 100, 101, 101, 102, 102,
		]);
	});

	it('a Parquet file goes as it is, as its own chunk', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const parquet = readFileSync(path.join(__dirname, '../emulator/fixtures/small.parquet'));
		const r = await engine.runChain([
			input([{}, {}], {
				data: {
					data: parquet.toString('base64'),
					fileName: 'small.parquet',
					mimeType: 'application/octet-stream',
				},
			}),
			celonis(creds, { operation: 'pushFile', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		const summary = r.json('Celonis')[0];
		expect(summary).toMatchObject({
			status: 'DONE',
			chunks: 2,
			files: 2,
			bytes: 2 * parquet.length,
		});
		const job = ctx.emu.store.pushJobs.get(summary.jobId as string)!;
		expect(job.fileType).toBe('PARQUET');
		const md5 = createHash('md5').update(parquet).digest('hex');
		expect(job.chunks.map((c) => [c.size, c.checksum])).toEqual([
			[parquet.length, md5],
			[parquet.length, md5],
		]);
		expect(tableRows(ctx.emu, table)!.length).toBeGreaterThan(0);
	});

	it('a row larger than a chunk is refused before any job is created, naming the file and the row', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const since = requestSeq(ctx.emu);
		const text = `id,note\n1,short\n2,"${'long text, '.repeat(200)}"\n3,short\n`;
		const r = await engine.runChain([
			input([{}], { data: csvFile(text, 'notes.csv') }),
			celonis(creds, {
				operation: 'pushFile',
				tableName: freshTable(),
				options: { chunkSizeMb: 0.001 },
			}),
		]);
		expect(r.error?.message).toMatch(
			/^\[item 0\] Row 2 of notes\.csv has 2\d{3} bytes, more than fits into a chunk of 1048 bytes with the header/,
		);
		expect(jobCreationsSince(ctx.emu, since)).toBe(0);
	});

	it('a file without a header row: columns are named COLUMN_1, COLUMN_2, … in every chunk', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const rows = Array.from({ length: 200 }, (_, i) => `${i},"row ${i}, with a comma"`);
		const r = await engine.runChain([
			input([{}], { data: csvFile(`${rows.join('\n')}\n`) }),
			celonis(creds, {
				operation: 'pushFile',
				tableName: table,
				csvOptions: { headerRow: false },
				options: { chunkSizeMb: 0.001 },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ status: 'DONE', rows: 200 });
		expect(r.json('Celonis')[0].chunks as number).toBeGreaterThan(3);
		expect(byKey(tableRows(ctx.emu, table)!, 'COLUMN_1')).toEqual(
			Array.from({ length: 200 }, (_, i) => ({
				COLUMN_1: i,
				COLUMN_2: `row ${i}, with a comma`,
			})),
		);
	});

	it('a file of only a header: no job, the summary says 0 rows', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const since = requestSeq(ctx.emu);
		const r = await engine.runChain([
			input([{}], { data: csvFile('id,name\r\n') }),
			celonis(creds, { operation: 'pushFile', tableName: freshTable() }),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({
			jobId: null,
			rows: 0,
			chunks: 0,
			status: 'NO_ROWS',
		});
		expect(jobCreationsSince(ctx.emu, since)).toBe(0);
	});
});
