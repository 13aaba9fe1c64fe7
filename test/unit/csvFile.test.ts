import { createHash } from 'node:crypto';

import { parse } from 'csv-parse/sync';
import fc from 'fast-check';

import {
	csvFileChunks,
	planCsvChunks,
	unsplittableReason,
	type CsvDialect,
} from '../../nodes/Celonis/helpers/csvFile';
import type { InputFile } from '../../nodes/Celonis/helpers/inputFiles';

/** A file read in the given pieces (n8n's stream may hand out any sizes; its database mode one piece). */
function fileOf(bytes: Buffer, cuts: number[] = []): InputFile {
	const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
	return {
		itemIndex: 0,
		property: 'data',
		type: 'CSV',
		fileName: 'f.csv',
		mimeType: 'text/csv',
		size: bytes.length,
		async *read() {
			let from = 0;
			for (const to of [...at, bytes.length]) {
				if (to > from) yield bytes.subarray(from, to);
				from = Math.max(from, to);
			}
		},
	};
}

const DIALECT: CsvDialect = {
	separator: ',',
	quote: '"',
	escape: '"',
	lineEnding: '\r\n',
	charSet: 'UTF-8',
	headerRow: true,
};

/** How csv-parse (and the emulator) read a chunk or a file with this dialect. */
function read(text: string, d: CsvDialect): (string | null)[][] {
	return parse(text, {
		bom: true,
		delimiter: d.separator,
		quote: d.quote,
		escape: d.escape,
		record_delimiter: d.lineEnding,
		skip_empty_lines: true,
		cast: (value: string, context: { quoting: boolean }) =>
			value === '' && !context.quoting ? null : value,
	}) as (string | null)[][];
}

const word = fc.constantFrom(
	'a',
	'plain text',
	'comma, inside',
	'"',
	'""',
	'line\r\nbreak',
	'lf\nonly',
	'cr\ronly',
	'é€😀',
	' ',
	'\\',
	'\\"',
);
const field = fc.oneof(
	fc.constant(null),
	fc.array(word, { maxLength: 4 }).map((w) => w.join('')),
	fc.string({ unit: 'binary', maxLength: 30 }),
);

/** A file written for a dialect: every text field quoted (quote doubled, or escaped), null unquoted empty. */
function write(rows: (string | null)[][], d: CsvDialect, bom: boolean): Buffer {
	const cell = (v: string | null) => {
		if (v === null) return '';
		const inner =
			d.escape === d.quote
				? v.split(d.quote).join(d.quote + d.quote)
				: v
						.split(d.escape)
						.join(d.escape + d.escape)
						.split(d.quote)
						.join(d.escape + d.quote);
		return d.quote + inner + d.quote;
	};
	const text = rows.map((r) => r.map(cell).join(d.separator) + d.lineEnding).join('');
	return Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
}

async function cut(file: InputFile, d: CsvDialect, chunkBytes: number) {
	const plan = await planCsvChunks(file, d, chunkBytes);
	const chunks = [];
	for await (const chunk of csvFileChunks(file, plan, 0)) {
		const pieces: Uint8Array[] = [];
		for await (const piece of chunk.body.read()) pieces.push(piece);
		chunks.push({ ...chunk, data: Buffer.concat(pieces) });
	}
	return { plan, chunks };
}

describe('CSV files cut into chunks at row boundaries', () => {
	it('any file, read in any pieces, cut at any size: every chunk is a complete CSV of at most the size, and together they hold exactly the rows of the file', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 40 }),
				fc.constantFrom<Partial<CsvDialect>>(
					{},
					{ lineEnding: '\n' },
					{ separator: ';', escape: '\\' },
					{ separator: '\t', quote: "'", lineEnding: '\r' },
				),
				fc.boolean(),
				fc.array(fc.nat(), { maxLength: 12 }),
				fc.integer({ min: 0, max: 600 }),
				async (data, variant, bom, pieceCuts, extra) => {
					const d = { ...DIALECT, ...variant };
					const rows = [['c1', 'c2', 'c3'], ...data];
					const bytes = write(rows, d, bom);
					const expected = read(bytes.toString('utf8'), d);
					const longest = Math.max(...rows.slice(1).map((r) => write([r], d, false).length));
					const chunkBytes = write([rows[0]], d, false).length + longest + extra;
					const { plan, chunks } = await cut(fileOf(bytes, pieceCuts), d, chunkBytes);
					const back: (string | null)[][] = [];
					for (const [k, chunk] of chunks.entries()) {
						expect(chunk.index).toBe(k);
						expect(chunk.data.length).toBe(chunk.bytes);
						expect(chunk.bytes).toBeLessThanOrEqual(chunkBytes);
						expect(createHash('md5').update(chunk.data).digest('hex')).toBe(chunk.md5);
						const parsed = read(chunk.data.toString('utf8'), d);
						expect(parsed[0]).toEqual(['c1', 'c2', 'c3']);
						expect(parsed.length - 1).toBe(chunk.rows);
						back.push(...parsed.slice(1));
					}
					expect(back).toEqual(expected.slice(1));
					expect(plan.rows.reduce((a, b) => a + b, 0)).toBe(expected.length - 1);
				},
			),
			{ numRuns: 400 },
		);
	});

	it('cuts only where a row ends: a quoted line break, a doubled quote or an escaped quote never ends one', async () => {
		const text = 'id,note\r\n1,"a\r\nb"\r\n2,"x"",""y"\r\n3,"\r\n"\r\n';
		const { chunks } = await cut(fileOf(Buffer.from(text)), DIALECT, 22);
		expect(chunks.map((c) => c.data.toString())).toEqual([
			'id,note\r\n1,"a\r\nb"\r\n',
			'id,note\r\n2,"x"",""y"\r\n',
			'id,note\r\n3,"\r\n"\r\n',
		]);
	});

	it('drops a UTF-8 BOM (the header of every chunk is the same), keeps a last row without a line ending, skips empty lines', async () => {
		const text = '\uFEFF\r\nid,v\r\n1,a\r\n\r\n2,b';
		const { plan, chunks } = await cut(fileOf(Buffer.from(text)), DIALECT, 12);
		expect(plan.header.toString()).toBe('id,v\r\n');
		expect(chunks.map((c) => [c.data.toString(), c.rows])).toEqual([
			['id,v\r\n1,a\r\n', 1],
			['id,v\r\n\r\n2,b', 1],
		]);
	});

	it('without a header row, the columns are named COLUMN_1 … in every chunk', async () => {
		const text = '1,"a,b",x\n2,c,y\n';
		const { chunks } = await cut(
			fileOf(Buffer.from(text)),
			{ ...DIALECT, lineEnding: '\n', headerRow: false },
			38,
		);
		expect(chunks.map((c) => c.data.toString())).toEqual([
			'COLUMN_1,COLUMN_2,COLUMN_3\n1,"a,b",x\n',
			'COLUMN_1,COLUMN_2,COLUMN_3\n2,c,y\n',
		]);
	});

	it('a row that cannot fit is refused with its number and size, also when it never ends', async () => {
		const big = `id,v\r\n1,a\r\n2,"${'x'.repeat(100)}"\r\n3,b\r\n`;
		await expect(planCsvChunks(fileOf(Buffer.from(big)), DIALECT, 60)).rejects.toThrow(
			/^\[item 0\] Row 2 of f\.csv has 106 bytes, more than fits into a chunk of 60 bytes with the header \(6 bytes\)/,
		);
		// An unbalanced quote makes the rest of the file one row: refused once it outgrows a chunk, while reading.
		const open = Buffer.from(`id,v\r\n1,"${'y\r\n'.repeat(1000)}`);
		await expect(planCsvChunks(fileOf(open, [100, 200, 300]), DIALECT, 60)).rejects.toThrow(
			/Row 1 of f\.csv has more than \d+ bytes/,
		);
	});

	it('reading the file a second time and finding it shorter fails instead of sending a cut-off chunk', async () => {
		const bytes = Buffer.from('id\r\n1\r\n2\r\n3\r\n');
		const plan = await planCsvChunks(fileOf(bytes), DIALECT, 8);
		const chunks = csvFileChunks(fileOf(bytes.subarray(0, 9)), plan, 0);
		await expect(
			(async () => {
				for await (const _ of chunks) void _;
			})(),
		).rejects.toThrow(/changed during the push/);
	});

	it('says why a dialect cannot be cut byte-wise', () => {
		expect(unsplittableReason(DIALECT)).toBeUndefined();
		expect(unsplittableReason({ ...DIALECT, charSet: 'UTF-16LE' })).toMatch(/UTF-16LE/);
		expect(unsplittableReason({ ...DIALECT, separator: '||' })).toMatch(/separator/);
		expect(unsplittableReason({ ...DIALECT, lineEnding: '' })).toMatch(/line ending/);
	});
});
