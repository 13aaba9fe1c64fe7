/**
 * Big files, flat memory (slow: minutes, not part of `npm test`; `npm run test:slow`, run by .ci/run).
 *
 * A generated CSV file of about 2 GB in n8n's filesystem binary data mode is pushed with Push File to Table
 * at its defaults (50 MB chunks, two uploads at a time) into an emulator in its own process, which parses and
 * counts every row of every chunk without keeping them (dataPush.keepRows false). Asserted: every row landed,
 * in chunks of at most 50 MB, and the engine's peak memory grew by a bounded amount far below the file's size
 * (a whole-file buffer alone would be 2 GB). Times are not asserted.
 */
import { Readable } from 'node:stream';

import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { configureEmulator, startEmulatorProcess } from '../../bench/shared/emulatorProcess';
import { bigDataNodes, memory, peakGrowth } from '../harness/bigData';
import { useFilesystemBinaryData } from '../harness/binaryData';
import { DEMO } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';

const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
const MB = 1024 * 1024;
const FILE_BYTES = 2 * 1000 * MB;

/** `bytes` bytes that start and end with Parquet's PAR1 signature (zeros between), streamed into n8n's store. */
class GenerateParquetLike implements INodeType {
	description = {
		displayName: 'Generate Parquet-like File',
		name: 'generateParquetLike',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Generate Parquet-like File' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Bytes', name: 'bytes', type: 'number', default: 8 }],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const bytes = this.getNodeParameter('bytes', 0) as number;
		function* pieces() {
			yield Buffer.from('PAR1');
			const zeros = Buffer.alloc(MB);
			for (let left = bytes - 8; left > 0; left -= MB) yield zeros.subarray(0, Math.min(MB, left));
			yield Buffer.from('PAR1');
		}
		const binary = await this.helpers.prepareBinaryData(
			Readable.from(pieces(), { objectMode: false }) as unknown as Buffer,
			'huge.parquet',
			'application/vnd.apache.parquet',
		);
		return [[{ json: {}, binary: { data: binary }, pairedItem: { item: 0 } }]];
	}
}

let emu: Awaited<ReturnType<typeof startEmulatorProcess>>;
let binary: Awaited<ReturnType<typeof useFilesystemBinaryData>>;

beforeAll(async () => {
	binary = await useFilesystemBinaryData();
	emu = await startEmulatorProcess();
	await configureEmulator(emu.url, {
		jobDelays: { queuedMs: 0, runningMs: 0 },
		dataPush: { unlimited: true, keepRows: false },
	});
});
afterAll(() => {
	emu?.stop();
	binary?.cleanup();
});

async function engine() {
	const e = await Engine.create({
		...bigDataNodes,
		'test.generateParquetLike': new GenerateParquetLike(),
	});
	const creds = e.addCredential('celonisAppKeyApi', { teamUrl: emu.url, appKey: DEMO.appKey });
	return { e, creds };
}

const pushFile = (creds: NodeSpec['credentials'], table: string): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: {
		authentication: 'appKey',
		resource: 'dataPush',
		operation: 'pushFile',
		dataPool: { __rl: true, mode: 'id', value: POOL },
		tableName: table,
		mode: 'REPLACE',
		csvOptions: { lineEnding: '\r\n' },
		options: { waitTimeout: 1800 },
	},
	credentials: creds,
});

/** Requests to create a data push job the emulator answered so far. */
async function jobCreations(): Promise<number> {
	const log = (await (await fetch(`${emu.url}/__emulator/requests`)).json()) as Array<{
		method: string;
		path: string;
	}>;
	return log.filter((e) => e.method === 'POST' && /\/data-push\/[^/]+\/jobs\/?$/.test(e.path))
		.length;
}

async function landedRows(table: string): Promise<number> {
	const tables = (await (await fetch(`${emu.url}/__emulator/tables`)).json()) as Array<{
		poolId: string;
		name: string;
		rowCount: number;
	}>;
	return tables.find((t) => t.poolId === POOL && t.name === table)?.rowCount ?? 0;
}

it('a 2 GB CSV file (filesystem binary data) lands row for row, in 50 MB chunks, with the engine’s memory bounded', async () => {
	const { e, creds } = await engine();
	const r = await e.runChain([
		{
			name: 'File',
			type: 'test.generateCsvFile',
			parameters: { bytes: FILE_BYTES, fileName: 'orders.csv' },
		},
		pushFile(creds, 'BIG_FILE'),
	]);
	const growth = peakGrowth();
	expect(r.error?.message).toBeUndefined();
	const file = r.json('File')[0];
	expect(file.bytes as number).toBeGreaterThan(FILE_BYTES - MB);
	expect(r.items('File')[0].binary!.data.id).toMatch(/^filesystem/);
	const summary = r.json('Celonis')[0];
	expect(summary).toMatchObject({ status: 'DONE', rows: memory.fileRows, files: 1 });
	expect(await landedRows('BIG_FILE')).toBe(memory.fileRows);
	// 2,000 MB in chunks of at most 50 MiB: 39 or 40 of them.
	expect(summary.chunks).toBeGreaterThanOrEqual(Math.ceil(FILE_BYTES / (50 * MB)));
	expect(summary.chunks).toBeLessThanOrEqual(Math.ceil(FILE_BYTES / (50 * MB)) + 1);
	// At most two chunks of 50 MiB in flight and one being read: 3 × 50 MiB, plus the engine's own working set.
	process.stdout.write(
		`big file: peak RSS growth ${Math.round(growth / MB)} MB for ${Math.round((file.bytes as number) / MB)} MB\n`,
	);
	expect(growth).toBeLessThan(3 * 50 * MB + 100 * MB);
});

it('a Parquet file over 1 GB is refused before a job is created, naming the limit', async () => {
	const { e, creds } = await engine();
	const before = await jobCreations();
	const r = await e.runChain([
		{ name: 'File', type: 'test.generateParquetLike', parameters: { bytes: 1024 * MB } },
		pushFile(creds, 'BIG_PARQUET'),
	]);
	expect(r.error?.message).toMatch(
		/^\[item 0\] huge\.parquet has 1,073,741,824 bytes, but Celonis accepts at most 1,073,741,823 bytes \(1 GB\) in one upload\. A Parquet file is sent as it is/,
	);
	expect(await jobCreations()).toBe(before);
});
