/**
 * Emulator benchmark: (1) small authenticated requests/s with undici as client; (2) a 200 MB CSV chunk uploaded as a
 * stream while the emulator's peak RSS is measured. The emulator runs in its own process so its memory is measured alone.
 * Usage: npx tsx bench/emulator/run.ts [--requests 20000] [--concurrency 64] [--mb 200]
 * The last line of output is a JSON object with the figures.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Pool, request } from 'undici';

import { startEmulatorProcess } from '../shared/emulatorProcess';

function arg(name: string, def: number): number {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const REQUESTS = arg('requests', 20000);
const CONCURRENCY = arg('concurrency', 64);
const MB = arg('mb', 200);
const POOL_ID = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
const AUTH = { authorization: 'Bearer demo-user-api-key' };

function procMem(pid: number): { rssMB: number; peakMB: number } {
	const s = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
	return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

async function throughput(
	url: string,
): Promise<{ requests: number; durationMs: number; requestsPerSecond: number; errors: number }> {
	const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
	let next = 0;
	let errors = 0;
	const worker = async () => {
		while (next < REQUESTS) {
			next++;
			const r = await pool.request({ path: '/api/cloud/team', method: 'GET', headers: AUTH });
			await r.body.dump();
			if (r.statusCode !== 200) errors++;
		}
	};
	// warm-up
	for (let i = 0; i < 200; i++)
		await (
			await pool.request({ path: '/api/cloud/team', method: 'GET', headers: AUTH })
		).body.dump();
	const t0 = performance.now();
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	const durationMs = performance.now() - t0;
	await pool.close();
	return {
		requests: REQUESTS,
		durationMs: Math.round(durationMs),
		requestsPerSecond: Math.round((REQUESTS / durationMs) * 1000),
		errors,
	};
}

/** A multipart body whose CSV part is generated on the fly (never held in memory). */
function multipartCsv(totalBytes: number, boundary: string): { stream: Readable; length: number } {
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`,
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	const header = 'ID,NAME,AMOUNT,CREATED_AT\n';
	const line = (i: number) =>
		`${i},customer-${i % 9973},${(i % 100000) / 100},2024-01-01T00:00:00Z\n`;
	async function* gen(): AsyncGenerator<Buffer> {
		yield head;
		let sent = header.length;
		yield Buffer.from(header);
		let i = 0;
		while (sent < totalBytes) {
			const parts: string[] = [];
			let size = 0;
			while (size < 256 * 1024 && sent + size < totalBytes) {
				const l = line(i++);
				parts.push(l);
				size += l.length;
			}
			sent += size;
			yield Buffer.from(parts.join(''));
		}
		yield tail;
	}
	return { stream: Readable.from(gen()), length: -1 };
}

async function bigUpload(url: string, pid: number): Promise<Record<string, unknown>> {
	const job = await request(`${url}/data-ingestion/api/v1/data-push/${POOL_ID}/jobs/`, {
		method: 'POST',
		headers: { ...AUTH, 'content-type': 'application/json' },
		body: JSON.stringify({ targetName: 'BENCH_BIG', type: 'REPLACE', fileType: 'CSV' }),
	});
	const { id } = (await job.body.json()) as { id: string };
	const before = procMem(pid);
	let peak = before.rssMB;
	const sampler = setInterval(() => {
		try {
			peak = Math.max(peak, procMem(pid).rssMB);
		} catch {
			/* process gone */
		}
	}, 10);
	const boundary = `----emulatorbench${Date.now()}`;
	const bytes = MB * 1024 * 1024;
	const { stream } = multipartCsv(bytes, boundary);
	const t0 = performance.now();
	const r = await request(
		`${url}/data-ingestion/api/v1/data-push/${POOL_ID}/jobs/${id}/chunks/upserted`,
		{
			method: 'POST',
			headers: { ...AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` },
			body: stream,
			bodyTimeout: 0,
			headersTimeout: 0,
		},
	);
	const body = await r.body.text();
	const uploadMs = performance.now() - t0;
	clearInterval(sampler);
	const after = procMem(pid);
	const chunks = await request(`${url}/__emulator/jobs`);
	const jobs = (await chunks.body.json()) as { id: string; chunks: { size: number }[] }[];
	const stored = jobs.find((j) => j.id === id)?.chunks[0]?.size ?? 0;
	return {
		uploadStatus: r.statusCode,
		uploadOk: r.statusCode === 200 && stored >= bytes,
		uploadBytes: stored,
		uploadMs: Math.round(uploadMs),
		uploadMBps: Math.round((stored / 1024 / 1024 / (uploadMs / 1000)) * 10) / 10,
		emulatorRssBeforeMB: Math.round(before.rssMB),
		emulatorPeakRssDuringUploadMB: Math.round(Math.max(peak, after.rssMB)),
		peakRssDeltaMB: Math.round(Math.max(peak, after.rssMB) - before.rssMB),
		uploadResponse: body.slice(0, 200),
	};
}

async function main(): Promise<void> {
	const emu = await startEmulatorProcess();
	try {
		const tp = await throughput(emu.url);
		process.stdout.write(
			`throughput: ${tp.requestsPerSecond} req/s (${tp.requests} requests, ${tp.errors} errors)\n`,
		);
		const up = await bigUpload(emu.url, emu.pid);
		process.stdout.write(
			`upload: ${MB} MB in ${up.uploadMs} ms, emulator peak RSS delta ${up.peakRssDeltaMB} MB\n`,
		);
		const result = {
			...tp,
			targetRequestsPerSecond: 2000,
			throughputOk: tp.requestsPerSecond >= 2000 && tp.errors === 0,
			chunkMB: MB,
			...up,
			memoryOk: (up.peakRssDeltaMB as number) < MB / 2,
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} finally {
		emu.stop();
	}
}

main().catch((e: unknown) => {
	process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
	process.exit(1);
});
