import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';

import {
	COLUMN_TYPES,
	RowWriter,
	SchemaBuilder,
	type ColumnType,
	formatDateTime,
	parseIsoDate,
	type ColumnSpec,
} from '../../nodes/Celonis/helpers/columns';
import { assertRowsFit, produceCsvChunks } from '../../nodes/Celonis/helpers/csvRows';
import {
	bareOrQuotedCsv,
	quoteCsv,
	writerCsvParsingOptions,
	type CsvChunk,
} from '../../nodes/Celonis/helpers/csvWriter';
import type { FileBody } from '../../nodes/Celonis/helpers/fileBody';

/** Reads CSV the way Celonis is told to (csvParsingOptions) and the emulator does: unquoted empty = null. */
function readCsv(text: string): (string | null)[][] {
	const o = writerCsvParsingOptions();
	return parse(text, {
		delimiter: o.separatorSequence,
		quote: o.quoteSequence,
		escape: o.escapeSequence,
		record_delimiter: o.lineEnding,
		cast: (value: string, context: { quoting: boolean }) =>
			value === '' && !context.quoting ? null : value,
	}) as (string | null)[][];
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const cell = fc.oneof(
	text,
	fc.constantFrom(
		'',
		' ',
		'"',
		'""',
		',',
		'\n',
		'\r\n',
		'\r',
		'\t',
		'a,b',
		'"quoted"',
		'é',
		'😀',
		'NULL',
		'null',
	),
	fc.constant(null),
);

describe('RFC 4180 writer round-trips through csv-parse', () => {
	it('any text (quotes, separators, CR/LF, tabs, unicode, empty vs null) comes back unchanged', () => {
		fc.assert(
			fc.property(
				fc.array(fc.array(cell, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 20 }),
				(rows) => {
					const width = Math.min(...rows.map((r) => r.length));
					const columns: ColumnSpec[] = Array.from({ length: width }, (_, c) => ({
						columnName: `c${c}`,
						columnType: 'STRING',
					}));
					const writer = new RowWriter(columns);
					const objects = rows.map((r) =>
						Object.fromEntries(r.slice(0, width).map((v, c) => [`c${c}`, v])),
					);
					const csv = writer.header + objects.map((o) => writer.record(o)).join('');
					const parsed = readCsv(csv);
					expect(parsed[0]).toEqual(columns.map((c) => c.columnName));
					expect(parsed.slice(1)).toEqual(rows.map((r) => r.slice(0, width)));
				},
			),
			{ numRuns: 300 },
		);
	});

	it('numbers, booleans and dates are written bare and parse back to the same values', () => {
		fc.assert(
			fc.property(
				fc.double({ noNaN: true, noDefaultInfinity: true }),
				fc.integer(),
				fc.boolean(),
				fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
				(f, n, b, d) => {
					const cols: ColumnSpec[] = [
						{ columnName: 'f', columnType: 'FLOAT' },
						{ columnName: 'n', columnType: 'INTEGER' },
						{ columnName: 'b', columnType: 'BOOLEAN' },
						{ columnName: 'd', columnType: 'DATETIME' },
					];
					const w = new RowWriter(cols);
					const [row] = readCsv(w.record({ f, n, b, d: d.toISOString() })) as string[][];
					expect(Number(row[0])).toBe(f === 0 ? 0 : f);
					expect(Number(row[1])).toBe(n);
					expect(row[2]).toBe(String(b));
					expect(row[3]).toBe(formatDateTime(d.getTime()));
					expect(Date.parse(`${row[3].replace(' ', 'T')}Z`)).toBe(d.getTime());
				},
			),
			{ numRuns: 200 },
		);
	});

	it('quotes exactly what needs quoting in bare fields', () => {
		expect(bareOrQuotedCsv('12')).toBe('12');
		expect(bareOrQuotedCsv('')).toBe('""');
		expect(bareOrQuotedCsv('1,5')).toBe('"1,5"');
		expect(bareOrQuotedCsv(' 1')).toBe('" 1"');
		expect(quoteCsv('say "hi"')).toBe('"say ""hi"""');
	});
});

/** All bytes of a body, read once. */
async function bytesOf(body: FileBody): Promise<Buffer> {
	const pieces: Uint8Array[] = [];
	for await (const piece of body.read()) pieces.push(piece);
	return Buffer.concat(pieces);
}

describe('produceCsvChunks (items into chunks)', () => {
	it('cuts at record boundaries, never exceeds the byte limit, repeats the header, keeps every row once, and writes the same bytes every time a chunk is read', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.option(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 })), {
					minLength: 1,
					maxLength: 200,
				}),
				fc.integer({ min: 200, max: 2000 }),
				async (values, limit) => {
					const columns: ColumnSpec[] = [{ columnName: 'v', columnType: 'STRING' }];
					// null stands for an item without fields: it is no row.
					const items = values.map((v) => ({ json: v === null ? {} : { v } }));
					const chunks: CsvChunk[] = [];
					await produceCsvChunks(
						items,
						columns,
						limit,
						async (c) => {
							chunks.push(c);
						},
						() => false,
					);
					const back: string[] = [];
					for (const [i, c] of chunks.entries()) {
						expect(c.index).toBe(i);
						const bytes = await bytesOf(c.body);
						expect(await bytesOf(c.body)).toEqual(bytes);
						expect(bytes.length).toBe(c.bytes);
						expect(c.body.size).toBe(c.bytes);
						expect(bytes.length).toBeLessThanOrEqual(limit);
						expect(createHash('md5').update(bytes).digest('hex')).toBe(c.md5);
						const rows = readCsv(bytes.toString('utf8'));
						expect(rows[0]).toEqual(['v']);
						expect(rows.length - 1).toBe(c.rows);
						const held = items.slice(c.items!.from, c.items!.to + 1).filter((it) => 'v' in it.json);
						expect(held.length).toBe(c.rows);
						back.push(...rows.slice(1).map((r) => r[0] as string));
					}
					expect(back).toEqual(values.filter((v) => v !== null));
				},
			),
			{ numRuns: 100 },
		);
	});

	it('a chunk whose items changed after it was measured fails to read instead of sending other bytes', async () => {
		const items = [{ json: { v: 'a' } as IDataObject }, { json: { v: 'b' } as IDataObject }];
		const chunks: CsvChunk[] = [];
		await produceCsvChunks(
			items,
			[{ columnName: 'v', columnType: 'STRING' }],
			1000,
			async (c) => {
				chunks.push(c);
			},
			() => false,
		);
		items[1].json.v = 'bbbb';
		await expect(bytesOf(chunks[0].body)).rejects.toThrow(/changed while it was uploaded/);
	});
});

describe('assertRowsFit', () => {
	const columns: ColumnSpec[] = [
		{ columnName: 'id', columnType: 'INTEGER' },
		{ columnName: 'text', columnType: 'STRING' },
	];
	const prepared = (rows: IDataObject[]) => {
		const schema = new SchemaBuilder({ nested: 'jsonText', inferDates: true });
		rows.forEach((r, i) => schema.observe(r, i));
		return { schema, columns, warnings: [] };
	};

	it('names the first row that does not fit with the header, whatever its bound', () => {
		const rows = [
			{ id: 1, text: 'ok' },
			{ id: 2, text: '€'.repeat(300) },
			{ id: 3, text: 'ok' },
		];
		const items = rows.map((json) => ({ json }));
		// header "id","text" CRLF = 13 bytes; row 2 = 2,"€…" CRLF = 2 + 902 + 2 = 906 bytes
		expect(() => assertRowsFit(items, prepared(rows), 13 + 905)).toThrow(
			/^\[item 1\] The row has 906 bytes as CSV, more than fits into a chunk of 918 bytes with the header \(13 bytes\)/,
		);
		expect(() => assertRowsFit(items, prepared(rows), 13 + 906)).not.toThrow();
	});

	it('the bound is never below the real size, whatever the column types (so rows it lets pass always fit)', () => {
		const value = fc.oneof(
			cell,
			fc.integer(),
			fc.double({ noNaN: true }),
			fc.boolean(),
			fc.array(fc.string(), { maxLength: 3 }),
			fc
				.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
				.map((d) => d.toISOString()),
			fc.constantFrom('2024-02-29', '2024-01-31 08:00', '+275760-09-13T00:00:00.000Z'),
		);
		const type = fc.constantFrom<ColumnType | 'auto'>('auto', ...COLUMN_TYPES);
		fc.assert(
			fc.property(
				fc.array(fc.record({ a: value, b: value }), { minLength: 1, maxLength: 30 }),
				type,
				type,
				(rows, typeA, typeB) => {
					const schema = new SchemaBuilder({ nested: 'jsonText', inferDates: true });
					rows.forEach((r, i) => schema.observe(r as IDataObject, i));
					const { columns: built } = schema.build(
						[
							{ column: 'a', type: typeA, fieldLength: 65000 },
							{ column: 'b', type: typeB, fieldLength: 65000 },
						],
						[],
					);
					const writer = new RowWriter(built);
					const largest = Math.max(
						...rows.map((r) => Buffer.byteLength(writer.record(r as IDataObject), 'utf8')),
					);
					expect(schema.maxRowBytesBound + built.length + 1).toBeGreaterThanOrEqual(largest);
				},
			),
			{ numRuns: 500 },
		);
	});
});

describe('SchemaBuilder', () => {
	const infer = (
		rows: Record<string, unknown>[],
		opts: { nested?: 'error' | 'jsonText'; inferDates?: boolean } = {},
	) => {
		const s = new SchemaBuilder({
			nested: opts.nested ?? 'error',
			inferDates: opts.inferDates ?? true,
		});
		rows.forEach((r, i) => s.observe(r as IDataObject, i));
		return s.build([], []).columns;
	};

	it('infers integer, float, boolean, date, datetime and string; mixed becomes string; nulls do not count', () => {
		const cols = infer([
			{ i: 1, f: 1, b: true, d: '2024-01-01', t: '2024-01-01T10:00:00Z', s: 'x', m: 1, n: null },
			{ i: 2, f: 1.5, b: false, d: null, t: '2024-01-01 10:00', s: '12', m: 'one', n: null },
		]);
		expect(Object.fromEntries(cols.map((c) => [c.columnName, c.columnType]))).toEqual({
			i: 'INTEGER',
			f: 'FLOAT',
			b: 'BOOLEAN',
			d: 'DATE',
			t: 'DATETIME',
			s: 'STRING',
			m: 'STRING',
			n: 'STRING',
		});
	});

	it('takes string lengths from the data in UTF-8 bytes, never below 80, and refuses values beyond 65000 bytes', () => {
		const cols = infer([{ short: 'a', long: 'x'.repeat(300), wide: '€'.repeat(100) }]);
		expect(cols.map((c) => c.fieldLength)).toEqual([80, 300, 300]);
		expect(() => infer([{}, { big: 'y'.repeat(65001) }])).toThrow(/\[item 1\].*65000 bytes/);
	});

	it('warns when an override fixes a length shorter than the data', () => {
		const s = new SchemaBuilder({ nested: 'error', inferDates: true });
		s.observe({ name: 'x'.repeat(120) }, 0);
		const { columns, warnings } = s.build([{ column: 'name', fieldLength: 50 }], []);
		expect(columns[0].fieldLength).toBe(50);
		expect(warnings[0]).toMatch(/"name".*length of 50.*item 0.*120 bytes/);
	});

	it('refuses nested values unless they are to be written as JSON text', () => {
		expect(() => infer([{ a: 1 }, { a: { b: 2 } }])).toThrow(
			/\[item 1\] The field "a" holds an object/,
		);
		expect(() => infer([{ a: [1, 2] }])).toThrow(/holds a list/);
		expect(infer([{ a: { b: 2 } }], { nested: 'jsonText' })[0]).toMatchObject({
			columnType: 'STRING',
		});
	});

	it('the fast paths for ISO date-times give what the general rules give', () => {
		// The rules as written before the fast paths: regular expressions, Date.parse, seven getters.
		const pad = (n: number, w = 2) => String(n).padStart(w, '0');
		const slowFormat = (ms: number) => {
			const d = new Date(ms);
			return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
		};
		const slowParse = (text: string) => {
			if (
				!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)
			)
				return undefined;
			const iso = text.replace(' ', 'T');
			const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
			return Number.isFinite(ms) ? ms : undefined;
		};
		fc.assert(
			fc.property(
				fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
				(d) => expect(formatDateTime(d.getTime())).toBe(slowFormat(d.getTime())),
			),
			{ numRuns: 2000 },
		);
		const digit = fc.constantFrom(...'0123456789');
		const near = fc.oneof(
			fc
				.date({ min: new Date(0), max: new Date(2 ** 42), noInvalidDate: true })
				.map((d) => d.toISOString()),
			// Canonical shape with any digits: invalid months, days 30/31 of February, hour 24, minute 60.
			fc
				.array(digit, { minLength: 17, maxLength: 17 })
				.map(
					(x) =>
						`${x.slice(0, 4).join('')}-${x.slice(4, 6).join('')}-${x.slice(6, 8).join('')}T${x.slice(8, 10).join('')}:${x.slice(10, 12).join('')}:${x.slice(12, 14).join('')}.${x.slice(14, 17).join('')}Z`,
				),
			fc.string({ minLength: 24, maxLength: 24 }),
		);
		const slowParseDate = (text: string) => {
			if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return slowParse(text);
			const ms = Date.parse(`${text}T00:00:00Z`);
			return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text
				? ms
				: undefined;
		};
		const dateOnly = fc.oneof(
			near.map((t) => t.slice(0, 10)),
			fc.constantFrom(
				'2024-02-29',
				'2023-02-29',
				'1900-02-29',
				'2000-02-29',
				'0099-12-31',
				'0100-01-01',
			),
		);
		const writer = new RowWriter([
			{ columnName: 'd', columnType: 'DATE' },
			{ columnName: 't', columnType: 'DATETIME' },
		]);
		fc.assert(
			fc.property(fc.oneof(near, dateOnly), (text) => {
				const ms = slowParseDate(text);
				expect(parseIsoDate(text)).toBe(ms);
				// What the writer makes of it: the formatted date (time), or the text as it is.
				const asText = bareOrQuotedCsv(text);
				expect(writer.record({ d: text, t: text })).toBe(
					`${ms === undefined ? asText : new Date(ms).toISOString().slice(0, 10)},${ms === undefined ? asText : slowFormat(ms)}\r\n`,
				);
			}),
			{ numRuns: 5000 },
		);
	});

	it('parses only real ISO dates', () => {
		expect(parseIsoDate('2024-02-30')).toBeUndefined();
		expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
		expect(parseIsoDate('2024-02-29T01:02:03+01:00')).toBe(Date.UTC(2024, 1, 29, 0, 2, 3));
	});
});
