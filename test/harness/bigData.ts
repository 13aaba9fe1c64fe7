import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/**
 * Big inputs for memory measurements (bench/push, the big-file test): a generated table as items and as a
 * CSV file, produced by two fixture nodes that afterwards mark the process's memory, so that what the next
 * node (the push) adds can be read off: `memory.before` is the RSS once the input exists (after a full GC
 * when --expose-gc is on), and the kernel's peak-RSS mark (VmHWM) is reset to it.
 */
export const memory: {
	before?: number;
	jsonBytes?: number;
	fileBytes?: number;
	fileRows?: number;
} = {};

/** A field of /proc/self/status in bytes (VmRSS, VmHWM). */
export function procStatusBytes(key: 'VmRSS' | 'VmHWM'): number {
	const status = readFileSync('/proc/self/status', 'utf8');
	return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
}

/** Peak RSS growth since the mark, in bytes. */
export function peakGrowth(): number {
	return procStatusBytes('VmHWM') - (memory.before ?? 0);
}

function markMemory(): void {
	(globalThis as { gc?: () => void }).gc?.();
	memory.before = procStatusBytes('VmRSS');
	writeFileSync('/proc/self/clear_refs', '5'); // VmHWM := VmRSS
}

const STATUSES = ['OPEN', 'SHIPPED', 'INVOICED', 'PAID', 'CANCELLED'];

/** Row i of the generated table: 10 columns of every inferred type, some text with commas and quotes. */
export function tableRow(i: number): IDataObject {
	return {
		ID: i,
		ORDER_ID: `SO-${String(i).padStart(8, '0')}`,
		CUSTOMER: i % 17 === 0 ? `Customer ${i % 9973}, "Premium"` : `Customer ${i % 9973}`,
		NET_VALUE: Math.round(i * 7.31) / 100,
		QUANTITY: (i * 13) % 250,
		ACTIVE: i % 3 !== 0,
		CREATED_AT: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
		DUE_DATE: new Date(Date.UTC(2024, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10),
		STATUS: STATUSES[i % STATUSES.length],
		NOTE: i % 11 === 0 ? '' : i % 13 === 0 ? `note ${i % 101}\nsecond line` : `note ${i % 101}`,
	};
}

const COLUMNS = Object.keys(tableRow(0));
const DAY_MS = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * The generated table as a CSV file of about `bytes` bytes (whole rows; header, CRLF, text quoted, quoted
 * line breaks in NOTE), in pieces of about 1 MB, written fast (dates from a per-day cache, no Date per row):
 * row i holds what tableRow(i) holds. `done` gets the rows and bytes once it ended.
 */
export function* generatedCsv(
	bytes: number,
	done: (rows: number, bytes: number) => void = () => {},
): Generator<Buffer> {
	const days = new Map<number, string>();
	const day = (n: number) => {
		let text = days.get(n);
		if (text === undefined)
			days.set(n, (text = new Date(START + n * DAY_MS).toISOString().slice(0, 10)));
		return text;
	};
	let text = `${COLUMNS.join(',')}\r\n`;
	let written = 0;
	let rows = 0;
	while (written + text.length < bytes) {
		const i = rows++;
		const minutes = i % 1440;
		const customer =
			i % 17 === 0 ? `"Customer ${i % 9973}, ""Premium"""` : `"Customer ${i % 9973}"`;
		const note =
			i % 11 === 0 ? '""' : i % 13 === 0 ? `"note ${i % 101}\nsecond line"` : `"note ${i % 101}"`;
		text +=
			`${i},SO-${String(i).padStart(8, '0')},${customer},${Math.round(i * 7.31) / 100},${(i * 13) % 250},` +
			`${i % 3 !== 0},${day(Math.floor(i / 1440))}T${two(Math.floor(minutes / 60))}:${two(minutes % 60)}:00.000Z,` +
			`${day(i % 365)},${STATUSES[i % STATUSES.length]},${note}\r\n`;
		if (text.length >= 1 << 20) {
			written += text.length;
			yield Buffer.from(text, 'latin1');
			text = '';
		}
	}
	written += text.length;
	yield Buffer.from(text, 'latin1');
	done(rows, written);
}

/** Test-only node `test.generateRows`: emits the generated table as `rows` items, then marks the memory. */
export class GenerateRows implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Generate Rows',
		name: 'generateRows',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Generate Rows' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Rows', name: 'rows', type: 'number', default: 10 }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const n = this.getNodeParameter('rows', 0) as number;
		const out: INodeExecutionData[] = new Array(n);
		let jsonBytes = 2;
		for (let i = 0; i < n; i++) {
			const json = tableRow(i);
			jsonBytes += Buffer.byteLength(JSON.stringify(json)) + (i > 0 ? 1 : 0);
			out[i] = { json, pairedItem: { item: 0 } };
		}
		memory.jsonBytes = jsonBytes;
		markMemory();
		return [out];
	}
}

/**
 * Test-only node `test.generateCsvFile`: one item with the generated table as a CSV file of about `bytes`
 * bytes, written into n8n's binary data store as a stream (in the filesystem mode it never is in memory),
 * then marks the memory.
 */
export class GenerateCsvFile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Generate CSV File',
		name: 'generateCsvFile',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Generate CSV File' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Bytes', name: 'bytes', type: 'number', default: 1000 },
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: 'generated.csv' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const bytes = this.getNodeParameter('bytes', 0) as number;
		const fileName = this.getNodeParameter('fileName', 0) as string;
		const stream = Readable.from(
			generatedCsv(bytes, (rows, written) => {
				memory.fileRows = rows;
				memory.fileBytes = written;
			}),
			{ objectMode: false },
		);
		const binary = await this.helpers.prepareBinaryData(
			stream as unknown as Buffer,
			fileName,
			'text/csv',
		);
		markMemory();
		return [
			[
				{
					json: { rows: memory.fileRows, bytes: memory.fileBytes },
					binary: { data: binary },
					pairedItem: { item: 0 },
				},
			],
		];
	}
}

/** The fixture nodes by type name, for Engine.create. */
export const bigDataNodes = {
	'test.generateRows': new GenerateRows(),
	'test.generateCsvFile': new GenerateCsvFile(),
};
