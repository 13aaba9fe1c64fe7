/**
 * Push benchmark: BENCH_ROWS rows x 10 columns (default 1,000,000) into a data pool table through
 *   (a) the Celonis node's "Push Items to Table", and
 *   (b) the stock n8n route: HTTP Request (create job) → rows → Convert to File (CSV) → HTTP Request (upload chunk)
 *       → HTTP Request (execute job), with the Celonis Application Key credential as predefined credential type,
 * in the same in-process n8n engine (n8n-core WorkflowExecute) against the same emulator. The emulator runs in its own
 * process so that its tables do not count towards the engine's memory.
 *
 * Measured per route: the execution time of the push nodes only (n8n's own per-node executionTime; generating the rows
 * is excluded from both), and the peak RSS growth of the engine process while they run (VmHWM after resetting it via
 * /proc/self/clear_refs once the rows exist), relative to the rows' own JSON size. Both routes end when the job is
 * submitted (ours with "Wait for Completion" off, as the stock route does not wait); rows landed are then counted in
 * the emulator after the job is DONE.
 *
 * Usage: BENCH_ROWS=1000000 npx tsx --expose-gc bench/push/run.ts   — the last line is a JSON object.
 * BENCH_STOCK=0 skips the stock route (it needs many minutes at 1,000,000 rows); timeVsStock is then null.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { Engine, type NodeSpec, type RunResult } from '../../test/harness/engine';
import { configureEmulator, startEmulatorProcess } from '../shared/emulatorProcess';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
const APP_KEY = 'demo-app-key';

const STATUSES = ['OPEN', 'SHIPPED', 'INVOICED', 'PAID', 'CANCELLED'];
/** Row i of the benchmark table: 10 columns of every inferred type, some text with commas and quotes. */
function row(i: number): IDataObject {
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
		NOTE: i % 11 === 0 ? '' : `note ${i % 101}`,
	};
}

const marks: { rssAfterRows?: number; jsonBytes?: number } = {};

function procStatusKb(key: string): number {
	const s = readFileSync('/proc/self/status', 'utf8');
	return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
}

/** Bench-only node: emits the benchmark rows, then records the RSS and resets the peak-RSS mark. */
class GenerateRows implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Generate Rows',
		name: 'generateRows',
		group: ['transform'],
		version: 1,
		description: 'Benchmark fixture',
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
			const json = row(i);
			jsonBytes += Buffer.byteLength(JSON.stringify(json)) + (i > 0 ? 1 : 0);
			out[i] = { json, pairedItem: { item: 0 } };
		}
		(globalThis as { gc?: () => void }).gc?.();
		marks.jsonBytes = jsonBytes;
		marks.rssAfterRows = procStatusKb('VmRSS');
		writeFileSync('/proc/self/clear_refs', '5'); // VmHWM := VmRSS
		return [out];
	}
}

function baseNode(rel: string, name: string): INodeType {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return new (require(`n8n-nodes-base/dist/nodes/${rel}`) as Record<string, new () => INodeType>)[
		name
	]();
}

const extraNodes = {
	'bench.generateRows': new GenerateRows(),
	'n8n-nodes-base.convertToFile': baseNode(
		'Files/ConvertToFile/ConvertToFile.node.js',
		'ConvertToFile',
	),
};

async function emulatorTableRows(url: string, table: string): Promise<number> {
	const list = (await (await fetch(`${url}/__emulator/tables`)).json()) as Array<{
		poolId: string;
		name: string;
		rowCount: number;
	}>;
	return list.find((t) => t.poolId === POOL && t.name === table)?.rowCount ?? 0;
}

async function waitForJobs(url: string): Promise<void> {
	for (;;) {
		const jobs = (await (await fetch(`${url}/__emulator/jobs`)).json()) as Array<{
			status: string;
		}>;
		if (jobs.every((j) => ['DONE', 'ERROR', 'NEW', 'CANCELED'].includes(j.status))) return;
		await new Promise((r) => setTimeout(r, 200));
	}
}

function nodeTime(r: RunResult, names: string[]): number {
	return names.reduce(
		(sum, name) => sum + (r.run.data.resultData.runData[name]?.[0]?.executionTime ?? 0),
		0,
	);
}

interface RouteResult {
	timeMs: number;
	peakRssGrowth: number;
	jsonBytes: number;
	rowsLanded: number;
}

async function measure(
	url: string,
	table: string,
	nodes: NodeSpec[],
	pushNodes: string[],
): Promise<RouteResult> {
	const engine = await Engine.create(extraNodes);
	const creds = engine.addCredential('celonisAppKeyApi', { teamUrl: url, appKey: APP_KEY });
	const withCreds = nodes.map((n) =>
		n.type === 'bench.generateRows' ? n : { ...n, credentials: creds },
	);
	const result = await engine.runChain(withCreds);
	const peak = procStatusKb('VmHWM');
	if (result.error)
		throw new Error(`${table}: ${result.error.message} ${result.error.description ?? ''}`);
	const timeMs = nodeTime(result, pushNodes);
	await waitForJobs(url);
	return {
		timeMs,
		peakRssGrowth: peak - (marks.rssAfterRows ?? 0),
		jsonBytes: marks.jsonBytes ?? 0,
		rowsLanded: await emulatorTableRows(url, table),
	};
}

async function main(): Promise<void> {
	const emu = await startEmulatorProcess();
	try {
		await configureEmulator(emu.url, {
			jobDelays: { queuedMs: 0, runningMs: 0 },
			dataPush: { unlimited: true },
		});
		const generate: NodeSpec = {
			name: 'Rows',
			type: 'bench.generateRows',
			parameters: { rows: ROWS },
		};

		const ours = await measure(
			emu.url,
			'BENCH_OURS',
			[
				generate,
				{
					name: 'Celonis',
					type: 'n8n-nodes-celonis.celonis',
					parameters: {
						authentication: 'appKey',
						resource: 'dataPush',
						operation: 'pushItems',
						dataPool: { __rl: true, mode: 'id', value: POOL },
						tableName: 'BENCH_OURS',
						mode: 'REPLACE',
						options: { waitForCompletion: false },
					},
				},
			],
			['Celonis'],
		);
		console.error(`ours: ${JSON.stringify(ours)}`);
		(globalThis as { gc?: () => void }).gc?.();

		if (process.env.BENCH_STOCK === '0') {
			console.log(
				JSON.stringify({
					rows: ROWS,
					timeVsStock: null,
					peakRssGrowthVsItems: Math.round((ours.peakRssGrowth / ours.jsonBytes) * 1000) / 1000,
					rowsLanded: ours.rowsLanded,
				}),
			);
			return;
		}
		const jobs = `${emu.url}/data-ingestion/api/v1/data-push/${POOL}/jobs`;
		const http = (name: string, url: string, extra: Record<string, unknown>): NodeSpec => ({
			name,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				url,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'celonisAppKeyApi',
				options: {},
				...extra,
			},
		});
		const jobId = "{{ $('Create Job').first().json.id }}";
		const stock = await measure(
			emu.url,
			'BENCH_STOCK',
			[
				http('Create Job', `${jobs}/`, {
					method: 'POST',
					sendBody: true,
					specifyBody: 'json',
					jsonBody: JSON.stringify({
						targetName: 'BENCH_STOCK',
						type: 'REPLACE',
						dataPoolId: POOL,
						fileType: 'CSV',
					}),
				}),
				generate,
				{
					name: 'Convert to File',
					type: 'n8n-nodes-base.convertToFile',
					typeVersion: 1.1,
					parameters: { operation: 'csv', binaryPropertyName: 'data', options: {} },
				},
				http('Upload Chunk', `=${jobs}/${jobId}/chunks/upserted`, {
					method: 'POST',
					sendBody: true,
					contentType: 'multipart-form-data',
					bodyParameters: {
						parameters: [
							{ parameterType: 'formBinaryData', name: 'file', inputDataFieldName: 'data' },
						],
					},
				}),
				http('Execute Job', `=${jobs}/${jobId}`, { method: 'POST' }),
			],
			['Create Job', 'Convert to File', 'Upload Chunk', 'Execute Job'],
		);

		const report = {
			rows: ROWS,
			timeVsStock: Math.round((ours.timeMs / stock.timeMs) * 1000) / 1000,
			peakRssGrowthVsItems: Math.round((ours.peakRssGrowth / ours.jsonBytes) * 1000) / 1000,
			rowsLanded: ours.rowsLanded,
		};
		console.log(
			JSON.stringify({
				detail: {
					ours: {
						...ours,
						peakRssGrowthMB: Math.round(ours.peakRssGrowth / 1e6),
						jsonMB: Math.round(ours.jsonBytes / 1e6),
					},
					stock: {
						...stock,
						peakRssGrowthMB: Math.round(stock.peakRssGrowth / 1e6),
						peakRssGrowthVsItems: Math.round((stock.peakRssGrowth / stock.jsonBytes) * 1000) / 1000,
					},
				},
			}),
		);
		console.log(JSON.stringify(report));
	} finally {
		emu.stop();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
