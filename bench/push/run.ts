/**
 * Push benchmark: a generated table (10 columns) and a generated CSV file into a data pool, through
 *   (a) the Celonis node's "Push Items to Table" at its defaults — at 200,000 rows and at BENCH_ROWS rows
 *       (default 1,000,000),
 *   (b) the stock n8n route at 200,000 rows: HTTP Request (create job) → rows → Convert to File (CSV) →
 *       HTTP Request (upload chunk) → HTTP Request (execute job), with the Celonis Application Key credential
 *       as predefined credential type (it does not finish 1,000,000 rows within 12 minutes),
 *   (c) the Celonis node's "Push File to Table" at its defaults, for a generated CSV file of about BENCH_FILE_MB
 *       MB (default 2,000) in n8n's filesystem binary data mode,
 * each in a fresh process (an in-process n8n-core WorkflowExecute, so one route's heap does not flatter the next),
 * against one emulator in its own process that parses and counts every row without keeping them
 * (dataPush.keepRows false).
 *
 * Measured: the execution time of the push nodes only (n8n's per-node executionTime; generating the input is
 * excluded), and the peak RSS growth of the process while they run, against the RSS just before the push (after a
 * full GC once the input exists; the peak mark VmHWM is reset there via /proc/self/clear_refs) — for items
 * relative to the items' own JSON size. Pushes end when the job is submitted ("Wait for Completion" off, as the
 * stock route does not wait); rows landed are counted in the emulator once the job is DONE.
 *
 * Usage: npx tsx bench/push/run.ts  (BENCH_ROWS=1000000, BENCH_FILE_MB=2000; BENCH_STOCK=0 skips the stock route)
 * The last line: {"rows","timeVsStock","peakRssGrowthVsItems","rowsLanded","fileBytes","filePeakRssGrowthMB",
 * "fileRowsLanded"} — timeVsStock at 200,000 rows, peakRssGrowthVsItems at BENCH_ROWS (200,000 on the line before).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { bigDataNodes, memory, peakGrowth } from '../../test/harness/bigData';
import { useFilesystemBinaryData } from '../../test/harness/binaryData';
import { Engine, type NodeSpec, type RunResult } from '../../test/harness/engine';
import { configureEmulator, ROOT, startEmulatorProcess } from '../shared/emulatorProcess';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const STOCK_ROWS = 200_000;
const FILE_BYTES = Number(process.env.BENCH_FILE_MB ?? 2000) * 1024 * 1024;
const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
const APP_KEY = 'demo-app-key';

type Route = 'items' | 'stock' | 'file';

interface Measured {
	route: Route;
	n: number;
	timeMs: number;
	peakRssGrowth: number;
	/** items: their JSON size; file: its size */
	inputBytes: number;
	landed: number;
	/** file: rows in the file */
	rows?: number;
	chunks?: number;
}

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

function baseNode(rel: string, name: string) {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const mod = require(`n8n-nodes-base/dist/nodes/${rel}`) as Record<string, new () => object>;
	return new mod[name]();
}

async function landedRows(url: string, table: string): Promise<number> {
	for (;;) {
		const jobs = (await (await fetch(`${url}/__emulator/jobs`)).json()) as Array<{
			status: string;
		}>;
		if (jobs.every((j) => ['DONE', 'ERROR', 'NEW', 'CANCELED'].includes(j.status))) break;
		await new Promise((r) => setTimeout(r, 200));
	}
	const tables = (await (await fetch(`${url}/__emulator/tables`)).json()) as Array<{
		poolId: string;
		name: string;
		rowCount: number;
	}>;
	return tables.find((t) => t.poolId === POOL && t.name === table)?.rowCount ?? 0;
}

function nodeTime(r: RunResult, names: string[]): number {
	return names.reduce(
		(sum, name) => sum + (r.run.data.resultData.runData[name]?.[0]?.executionTime ?? 0),
		0,
	);
}

const celonis = (parameters: Record<string, unknown>): NodeSpec => ({
	name: 'Celonis',
	type: 'n8n-nodes-celonis.celonis',
	parameters: {
		authentication: 'appKey',
		resource: 'dataPush',
		dataPool: { __rl: true, mode: 'id', value: POOL },
		mode: 'REPLACE',
		...parameters,
		options: { waitForCompletion: false },
	},
});

/** Child: one route, one push; prints what it measured as JSON. */
async function child(route: Route, url: string, n: number): Promise<void> {
	if (route === 'file') await useFilesystemBinaryData();
	const engine = await Engine.create({
		...bigDataNodes,
		'n8n-nodes-base.convertToFile': baseNode(
			'Files/ConvertToFile/ConvertToFile.node.js',
			'ConvertToFile',
		) as never,
	});
	const creds = engine.addCredential('celonisAppKeyApi', { teamUrl: url, appKey: APP_KEY });
	const table = `BENCH_${route.toUpperCase()}_${n}`;
	const rows: NodeSpec = { name: 'Input', type: 'test.generateRows', parameters: { rows: n } };
	let nodes: NodeSpec[];
	let pushNodes = ['Celonis'];
	if (route === 'items') nodes = [rows, celonis({ operation: 'pushItems', tableName: table })];
	else if (route === 'file')
		nodes = [
			{ name: 'Input', type: 'test.generateCsvFile', parameters: { bytes: n } },
			celonis({ operation: 'pushFile', tableName: table, csvOptions: { lineEnding: '\r\n' } }),
		];
	else {
		const jobs = `${url}/data-ingestion/api/v1/data-push/${POOL}/jobs`;
		const http = (name: string, target: string, extra: Record<string, unknown>): NodeSpec => ({
			name,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				url: target,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'celonisAppKeyApi',
				options: {},
				...extra,
			},
		});
		const jobId = "{{ $('Create Job').first().json.id }}";
		nodes = [
			http('Create Job', `${jobs}/`, {
				method: 'POST',
				sendBody: true,
				specifyBody: 'json',
				jsonBody: JSON.stringify({
					targetName: table,
					type: 'REPLACE',
					dataPoolId: POOL,
					fileType: 'CSV',
				}),
			}),
			rows,
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
		];
		pushNodes = ['Create Job', 'Convert to File', 'Upload Chunk', 'Execute Job'];
	}
	const result = await engine.runChain(
		nodes.map((node) => (node.name === 'Input' ? node : { ...node, credentials: creds })),
	);
	const peakRssGrowth = peakGrowth();
	if (result.error)
		throw new Error(`${table}: ${result.error.message} ${result.error.description ?? ''}`);
	const summary = result.json('Celonis')[0] ?? {};
	const measured: Measured = {
		route,
		n,
		timeMs: nodeTime(result, pushNodes),
		peakRssGrowth,
		inputBytes: route === 'file' ? (memory.fileBytes ?? 0) : (memory.jsonBytes ?? 0),
		landed: await landedRows(url, table),
		...(route === 'file' ? { rows: memory.fileRows, chunks: summary.chunks as number } : {}),
	};
	process.stdout.write(`${JSON.stringify(measured)}\n`);
}

async function run(route: Route, url: string, n: number): Promise<Measured> {
	const proc = spawn(
		process.execPath,
		[
			'--expose-gc',
			'--import',
			'tsx',
			join(ROOT, 'bench', 'push', 'run.ts'),
			'--child',
			route,
			'--url',
			url,
			'--n',
			String(n),
		],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
	);
	let out = '';
	proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
	const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
	if (code !== 0) throw new Error(`${route} (${n}) exited with ${code}: ${out}`);
	const measured = JSON.parse(out.trim().split('\n').pop() as string) as Measured;
	process.stderr.write(`${JSON.stringify(measured)}\n`);
	return measured;
}

const ratio = (x: number, y: number) => Math.round((x / y) * 1000) / 1000;
const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

async function main(): Promise<void> {
	const route = arg('child') as Route | undefined;
	if (route) return await child(route, arg('url') as string, Number(arg('n')));

	const emu = await startEmulatorProcess();
	try {
		await configureEmulator(emu.url, {
			jobDelays: { queuedMs: 0, runningMs: 0 },
			dataPush: { unlimited: true, keepRows: false },
		});
		const small = await run('items', emu.url, STOCK_ROWS);
		const stock =
			process.env.BENCH_STOCK === '0' ? undefined : await run('stock', emu.url, STOCK_ROWS);
		const large = ROWS === STOCK_ROWS ? small : await run('items', emu.url, ROWS);
		const file = await run('file', emu.url, FILE_BYTES);
		console.log(
			JSON.stringify({
				at200k: {
					rows: STOCK_ROWS,
					oursMs: small.timeMs,
					stockMs: stock?.timeMs ?? null,
					peakRssGrowthVsItems: ratio(small.peakRssGrowth, small.inputBytes),
					stockPeakRssGrowthVsItems: stock ? ratio(stock.peakRssGrowth, stock.inputBytes) : null,
					rowsLanded: small.landed,
					stockRowsLanded: stock?.landed ?? null,
				},
				atRows: {
					rows: ROWS,
					oursMs: large.timeMs,
					itemsJsonMB: mb(large.inputBytes),
					peakRssGrowthMB: mb(large.peakRssGrowth),
				},
				file: {
					ms: file.timeMs,
					rows: file.rows,
					chunks: file.chunks,
					mbPerSecond: Math.round(mb(file.inputBytes) / (file.timeMs / 1000)),
				},
			}),
		);
		console.log(
			JSON.stringify({
				rows: ROWS,
				timeVsStock: stock ? ratio(small.timeMs, stock.timeMs) : null,
				peakRssGrowthVsItems: ratio(large.peakRssGrowth, large.inputBytes),
				rowsLanded: large.landed,
				fileBytes: file.inputBytes,
				filePeakRssGrowthMB: mb(file.peakRssGrowth),
				fileRowsLanded: file.landed,
			}),
		);
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
