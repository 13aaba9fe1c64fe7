import { sleep, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { RowWriter, SchemaBuilder, type ColumnSpec } from './columns';
import { CsvChunker, type CsvChunk } from './csvWriter';
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

/** Pass 2: CSV records into byte-sized chunks, handed to the uploader as they fill. */
export async function produceCsvChunks(
	items: INodeExecutionData[],
	columns: ColumnSpec[],
	chunkBytes: number,
	sink: (chunk: CsvChunk) => Promise<void>,
	busy: () => boolean,
): Promise<void> {
	const writer = new RowWriter(columns);
	const headerBytes = Buffer.byteLength(writer.header, 'utf8');
	if (headerBytes >= chunkBytes)
		throw new ParameterError(
			`"Chunk Size (MB)" is too small: the header row alone has ${headerBytes} bytes.`,
		);
	const chunker = new CsvChunker(writer.header, chunkBytes);
	// Which items each chunk holds, so a failure can say which items landed.
	let first = -1;
	let previous = -1;
	for (let i = 0; i < items.length; i++) {
		const row = items[i].json;
		if (!hasFields(row)) continue;
		const record = writer.record(row);
		const recordBytes =
			record.length * 3 + headerBytes <= chunkBytes ? 0 : Buffer.byteLength(record, 'utf8');
		if (recordBytes + headerBytes > chunkBytes) {
			throw new ParameterError(
				`The row has ${recordBytes} bytes as CSV, more than fits into a chunk of ${chunkBytes} bytes: raise "Chunk Size (MB)".`,
				i,
			);
		}
		const done = chunker.add(record);
		if (first < 0) first = i;
		if (done) {
			await sink({ ...done, items: { from: first, to: previous } });
			first = i;
		}
		// Let uploads in flight make progress while the next chunk is built.
		else if ((i & 8191) === 0 && busy()) await sleep(0);
		previous = i;
	}
	const last = chunker.finish();
	if (last) await sink({ ...last, items: { from: first, to: previous } });
}
