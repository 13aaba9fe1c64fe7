import { sleep, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { createHash } from 'crypto';

import { csvBytesBound, RowWriter, SchemaBuilder, type ColumnSpec } from './columns';
import type { CsvChunk } from './csvWriter';
import { checkedBody, type FileBody } from './fileBody';
import { ParameterError } from './nodeErrors';
import type { PushOptions } from './pushParameters';

/**
 * Items as CSV rows for a push, in two passes: the columns (types, lengths, keys present) from all items,
 * then the records, cut into byte-sized chunks as they are written.
 */
export interface PreparedRows {
	schema: SchemaBuilder;
	columns: ColumnSpec[];
	warnings: string[];
}

/** Pass 1 over the items: columns, types, lengths; key columns present in every row. */
export function prepareRows(
	items: INodeExecutionData[],
	options: PushOptions,
	keys: string[],
	overrides: Parameters<SchemaBuilder['build']>[0],
): PreparedRows {
	const schema = new SchemaBuilder({
		nested: options.nestedValues ?? 'error',
		inferDates: options.inferDates !== false,
	});
	const missing: Record<string, number[]> = {};
	let missingCount = 0;
	for (let i = 0; i < items.length; i++) {
		const row = items[i].json;
		if (!schema.observe(row, i)) continue;
		for (const k of keys) {
			if (row[k] === null || row[k] === undefined || row[k] === '') {
				(missing[k] ??= []).push(i);
				missingCount++;
			}
		}
	}
	if (schema.rows === 0) return { schema, columns: [], warnings: [] };
	for (const k of keys) {
		if (!schema.columns.includes(k)) {
			throw new ParameterError(
				`The key column "${k}" is not a field of any input item. Fields: ${schema.columns.join(', ')}.`,
			);
		}
	}
	if (missingCount > 0) {
		const [k, list] = Object.entries(missing)[0];
		throw new ParameterError(
			`The key column "${k}" has no value in ${list.length} of ${schema.rows} items (items ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}). ` +
				'Rows are matched by their keys: give every item a value for each key column, or remove the items without one (e.g. with the Filter node).',
			list[0],
		);
	}
	if (schema.columns.length === 1) {
		// With one column a null is an empty CSV line, which CSV readers skip: the row would be lost.
		const [only] = schema.columns;
		const at = items.findIndex(
			({ json }) => hasFields(json) && (json[only] === null || json[only] === undefined),
		);
		if (at >= 0) {
			throw new ParameterError(
				`"${only}" is empty (null), and it is the only column: its CSV line would be empty and Celonis skips empty lines, so the row would be lost. Give it a value, or push a second column (e.g. a load timestamp).`,
				at,
			);
		}
	}
	const { columns, warnings } = schema.build(overrides, keys);
	return { schema, columns, warnings };
}

function hasFields(row: IDataObject): boolean {
	for (const _ in row) return true;
	return false;
}

/**
 * Refuses, before anything is sent, a row that does not fit into a chunk together with the header. Rows
 * are measured only when the schema's bound says one might not fit, and then serialised only if their
 * own bound says so.
 */
export function assertRowsFit(
	items: INodeExecutionData[],
	{ schema, columns }: PreparedRows,
	chunkBytes: number,
): void {
	const writer = new RowWriter(columns);
	const headerBytes = Buffer.byteLength(writer.header, 'utf8');
	if (headerBytes >= chunkBytes)
		throw new ParameterError(
			`"Chunk Size (MB)" is too small: the header row alone has ${headerBytes} bytes.`,
		);
	const separators = columns.length + 1;
	if (schema.maxRowBytesBound + separators + headerBytes <= chunkBytes) return;
	for (let i = 0; i < items.length; i++) {
		const row = items[i].json;
		let bound = separators;
		for (const name in row) bound += csvBytesBound(row[name]);
		if (bound + headerBytes <= chunkBytes) continue;
		const recordBytes = Buffer.byteLength(writer.record(row), 'utf8');
		if (recordBytes + headerBytes > chunkBytes) {
			throw new ParameterError(
				`The row has ${recordBytes} bytes as CSV, more than fits into a chunk of ${chunkBytes} bytes with the header (${headerBytes} bytes): raise "Chunk Size (MB)".`,
				i,
			);
		}
	}
}

/** Records are written and hashed in pieces of about this many characters. */
const PIECE_CHARS = 64 * 1024;

/**
 * Pass 2: the rows cut into chunks of at most `chunkBytes` bytes, each a complete CSV file starting with
 * the header. A chunk is handed over as the range of items it holds, its size and its MD5 — its bytes are
 * written again from the items while it is uploaded (and for every retry), so no chunk is ever held in
 * memory, whatever its size and however many are in flight.
 */
export async function produceCsvChunks(
	items: INodeExecutionData[],
	columns: ColumnSpec[],
	chunkBytes: number,
	sink: (chunk: CsvChunk) => Promise<void>,
	busy: () => boolean,
): Promise<void> {
	const writer = new RowWriter(columns);
	const headerBytes = Buffer.byteLength(writer.header, 'utf8');
	let index = 0;
	let first = -1;
	let last = -1;
	let rows = 0;
	let bytes = 0;
	let text = '';
	let hash = createHash('md5');
	const finish = async () => {
		hash.update(text, 'utf8');
		const chunk: CsvChunk = {
			index: index++,
			body: rowsBody(items, writer, first, last, bytes),
			bytes,
			rows,
			md5: hash.digest('hex'),
			items: { from: first, to: last },
		};
		rows = 0;
		text = '';
		await sink(chunk);
	};
	for (let i = 0; i < items.length; i++) {
		const row = items[i].json;
		if (!hasFields(row)) continue;
		const record = writer.record(row);
		const recordBytes = Buffer.byteLength(record, 'utf8');
		// assertRowsFit found every row fitting before the push began; this only guards the invariant.
		if (headerBytes + recordBytes > chunkBytes)
			throw new ParameterError(
				`The row has ${recordBytes} bytes as CSV, more than fits into a chunk of ${chunkBytes} bytes with the header (${headerBytes} bytes): raise "Chunk Size (MB)".`,
				i,
			);
		if (rows > 0 && bytes + recordBytes > chunkBytes) await finish();
		if (rows === 0) {
			hash = createHash('md5');
			text = writer.header;
			bytes = headerBytes;
			first = i;
		}
		text += record;
		bytes += recordBytes;
		rows++;
		last = i;
		if (text.length >= PIECE_CHARS) {
			hash.update(text, 'utf8');
			text = '';
		}
		// Let uploads in flight make progress while the next chunk is measured.
		if ((i & 8191) === 0 && busy()) await sleep(0);
	}
	if (rows > 0) await finish();
}

/** The bytes of the chunk holding items `from`..`to`, written from the items each time they are read. */
function rowsBody(
	items: INodeExecutionData[],
	writer: RowWriter,
	from: number,
	to: number,
	size: number,
): FileBody {
	return checkedBody(
		{
			size,
			type: 'text/csv',
			async *read() {
				let text = writer.header;
				for (let i = from; i <= to; i++) {
					const row = items[i].json;
					if (!hasFields(row)) continue;
					text += writer.record(row);
					if (text.length >= PIECE_CHARS) {
						yield Buffer.from(text, 'utf8');
						text = '';
					}
				}
				if (text !== '') yield Buffer.from(text, 'utf8');
			},
		},
		`The rows of items ${from} to ${to}`,
	);
}
