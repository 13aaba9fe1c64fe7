import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormData } from 'undici';
import type { Emulator } from '../../emulator';
import { appKey, bearer, call, DEMO, tokenFor, waitFor, withEmulator, type Json } from './helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await withEmulator();
	emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 } });
});
afterAll(() => emu.close());
const H = bearer(DEMO.apiKey);
const P = DEMO.pool1;

function fileForm(content: string | Buffer, name = 'chunk.csv'): FormData {
	const fd = new FormData();
	fd.set('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
	return fd;
}

async function createJob(body: Record<string, unknown>, prefix = '/data-ingestion'): Promise<Json> {
	const r = await call(`${emu.url}${prefix}/api/v1/data-push/${P}/jobs/`, {
		json: { dataPoolId: P, ...body },
		headers: H,
	});
	expect(r.status).toBe(200);
	return r.json;
}

async function upload(
	jobId: string,
	content: string | Buffer,
	kind = 'upserted',
	prefix = '/data-ingestion',
): Promise<Json> {
	return call(`${emu.url}${prefix}/api/v1/data-push/${P}/jobs/${jobId}/chunks/${kind}`, {
		method: 'POST',
		body: fileForm(content),
		headers: H,
	});
}

async function runJob(jobId: string, prefix = '/data-ingestion'): Promise<Json> {
	const r = await call(`${emu.url}${prefix}/api/v1/data-push/${P}/jobs/${jobId}`, {
		method: 'POST',
		headers: H,
	});
	expect(r.status).toBe(200);
	return waitFor(async () => {
		const j = await call(`${emu.url}${prefix}/api/v1/data-push/${P}/jobs/${jobId}`, { headers: H });
		return ['DONE', 'ERROR'].includes(j.json.status) ? j.json : undefined;
	});
}

async function table(name: string): Promise<Json> {
	return (await call(`${emu.url}/__emulator/tables/${P}/${name}`)).json;
}

describe('data push', () => {
	test('REPLACE with CSV: create → chunk → execute → DONE, types inferred, STRING cut at 80', async () => {
		const job = await createJob({ targetName: 'T_REPLACE', type: 'REPLACE', fileType: 'CSV' });
		expect(job).toMatchObject({
			status: 'NEW',
			targetName: 'T_REPLACE',
			type: 'REPLACE',
			logs: [],
		});
		const long = 'x'.repeat(100);
		const up = await upload(
			job.id,
			`ID,NAME,AMOUNT,FLAG,WHEN\n1,${long},1.5,true,2024-01-01T10:00:00Z\n2,"",2,false,\n3,,3.25,true,2024-01-02T00:00:00Z\n`,
		);
		expect(up.status).toBe(200);
		expect(up.json).toMatchObject({
			type: 'UPSERT',
			pushJobId: job.id,
			checksum: expect.any(String),
		});
		const chunks = await call(
			`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${job.id}/chunks`,
			{ headers: H },
		);
		expect(chunks.json).toHaveLength(1);
		const done = await runJob(job.id);
		expect(done.status).toBe('DONE');
		const t = await table('T_REPLACE');
		expect(t.columns).toEqual([
			{ name: 'ID', type: 'INTEGER', fieldLength: null },
			{ name: 'NAME', type: 'STRING', fieldLength: 80 },
			{ name: 'AMOUNT', type: 'FLOAT', fieldLength: null },
			{ name: 'FLAG', type: 'BOOLEAN', fieldLength: null },
			{ name: 'WHEN', type: 'DATETIME', fieldLength: null },
		]);
		expect(t.rows[0].NAME).toHaveLength(80);
		expect(t.rows[1].NAME).toBe('');
		expect(t.rows[2].NAME).toBeNull();
		expect(t.rows[1].WHEN).toBeNull();
		expect(t.rows[0].WHEN).toBe('2024-01-01T10:00:00.000Z');
	});
	test('DELTA upserts by keys and deleted chunks delete; integration prefix works the same', async () => {
		const pre = '/integration';
		const a = await createJob(
			{
				targetName: 'T_DELTA',
				type: 'DELTA',
				keys: ['ID'],
				fileType: 'CSV',
				tableSchema: {
					tableName: 'T_DELTA',
					columns: [
						{ columnName: 'ID', columnType: 'INTEGER' },
						{ columnName: 'NAME', columnType: 'STRING', fieldLength: 5 },
					],
				},
			},
			pre,
		);
		await upload(a.id, 'ID,NAME\n1,one\n2,two\n3,three-long\n', 'upserted', pre);
		expect((await runJob(a.id, pre)).status).toBe('DONE');
		const b = await createJob(
			{ targetName: 'T_DELTA', type: 'DELTA', keys: ['ID'], fileType: 'CSV' },
			pre,
		);
		await upload(b.id, 'ID,NAME\n2,TWO\n4,four\n', 'upserted', pre);
		await upload(b.id, 'ID\n1\n', 'deleted', pre);
		expect((await runJob(b.id, pre)).status).toBe('DONE');
		const t = await table('T_DELTA');
		expect(t.rows).toEqual([
			{ ID: 2, NAME: 'TWO' },
			{ ID: 3, NAME: 'three' },
			{ ID: 4, NAME: 'four' },
		]);
	});
	test('csvParsingOptions: separator, quote, decimal/thousand separators, dateFormat', async () => {
		const job = await createJob({
			targetName: 'T_CSVOPTS',
			type: 'REPLACE',
			fileType: 'CSV',
			csvParsingOptions: {
				separatorSequence: ';',
				quoteSequence: "'",
				decimalSeparator: ',',
				thousandSeparator: '.',
				dateFormat: 'dd.MM.yyyy HH:mm',
				lineEnding: '\\r\\n',
			},
			tableSchema: {
				columns: [
					{ columnName: 'AMOUNT', columnType: 'FLOAT' },
					{ columnName: 'D', columnType: 'DATETIME' },
					{ columnName: 'TXT', columnType: 'STRING' },
				],
			},
		});
		await upload(job.id, "AMOUNT;D;TXT\r\n1.234,5;31.12.2023 23:59;'a;b'\r\n");
		expect((await runJob(job.id)).status).toBe('DONE');
		expect((await table('T_CSVOPTS')).rows).toEqual([
			{ AMOUNT: 1234.5, D: '2023-12-31T23:59:00.000Z', TXT: 'a;b' },
		]);
	});
	test('Parquet chunk (fileType absent → sniffed)', async () => {
		const job = await createJob({ targetName: 'T_PARQUET', type: 'REPLACE' });
		expect(
			(await upload(job.id, readFileSync(join(__dirname, 'fixtures', 'small.parquet')))).status,
		).toBe(200);
		expect((await runJob(job.id)).status).toBe('DONE');
		const t = await table('T_PARQUET');
		expect(t.rows).toEqual([
			{ ID: 1, NAME: 'alpha', AMOUNT: 1.5, ACTIVE: true },
			{ ID: 2, NAME: 'beta', AMOUNT: 2.25, ACTIVE: false },
			{ ID: 3, NAME: 'gamma', AMOUNT: 3.75, ACTIVE: true },
		]);
	});
	test('invalid jobs end in ERROR with logs', async () => {
		const noKeys = await createJob({ targetName: 'T_ERR', type: 'DELTA', fileType: 'CSV' });
		await upload(noKeys.id, 'ID\n1\n');
		const e1 = await runJob(noKeys.id);
		expect(e1.status).toBe('ERROR');
		expect(e1.logs.join(' ')).toMatch(/DELTA requires 'keys'/);
		const badKey = await createJob({
			targetName: 'T_ERR',
			type: 'DELTA',
			keys: ['NOPE'],
			fileType: 'CSV',
		});
		await upload(badKey.id, 'ID\n1\n');
		expect((await runJob(badKey.id)).logs.join(' ')).toMatch(/key column 'NOPE' not found/);
		const badCsv = await createJob({ targetName: 'T_ERR', type: 'REPLACE', fileType: 'CSV' });
		await upload(badCsv.id, 'A,B\n1,2,3\n"unterminated\n');
		const e3 = await runJob(badCsv.id);
		expect(e3.status).toBe('ERROR');
		expect(e3.logs.join(' ')).toMatch(/CSV/);
		const badType = await createJob({
			targetName: 'T_ERR',
			type: 'REPLACE',
			fileType: 'CSV',
			tableSchema: { columns: [{ columnName: 'A', columnType: 'INTEGER' }] },
		});
		await upload(badType.id, 'A\nabc\n');
		expect((await runJob(badType.id)).logs.join(' ')).toMatch(/not an INTEGER/);
		expect(emu.store.tables.find(P, 'T_ERR')).toBeUndefined();
	});
	test('409 on execute/chunk when not NEW; 404s as JSON strings; 400s as FrontendHandledBackendError', async () => {
		const job = await createJob({ targetName: 'T_409', type: 'REPLACE', fileType: 'CSV' });
		await upload(job.id, 'A\n1\n');
		await runJob(job.id);
		const again = await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${job.id}`, {
			method: 'POST',
			headers: H,
		});
		expect(again.status).toBe(409);
		expect(again.json).toMatchObject({
			frontendErrorKey: expect.any(String),
			errorInformation: expect.stringContaining('NEW'),
		});
		expect((await upload(job.id, 'A\n2\n')).status).toBe(409);
		const nf = await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/nope`, {
			headers: H,
		});
		expect(nf.status).toBe(404);
		expect(typeof nf.json).toBe('string');
		const np = await call(`${emu.url}/data-ingestion/api/v1/data-push/unknown-pool/jobs/`, {
			headers: H,
		});
		expect(np.status).toBe(404);
		const bad = await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/`, {
			json: { type: 'UPSERT' },
			headers: H,
		});
		expect(bad.status).toBe(400);
		expect(bad.json).toMatchObject({
			frontendErrorKey: 'BAD_REQUEST',
			errorInformation: expect.stringContaining('targetName'),
		});
		const notJson = await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/`, {
			body: '{',
			headers: { ...H, 'content-type': 'application/json' },
		});
		expect(notJson.status).toBe(400);
		const raw = await call(
			`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${(await createJob({ targetName: 'X', type: 'REPLACE' })).id}/chunks/upserted`,
			{ body: 'A\n1\n', headers: { ...H, 'content-type': 'text/csv' } },
		);
		expect(raw.status).toBe(400);
		const noFile = new FormData();
		noFile.set('other', 'x');
		const nf2 = await call(
			`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${(await createJob({ targetName: 'X', type: 'REPLACE' })).id}/chunks/upserted`,
			{ method: 'POST', body: noFile, headers: H },
		);
		expect(nf2.status).toBe(400);
	});
	test('chunk larger than maxChunkBytes → 400', async () => {
		emu.configure({ maxChunkBytes: 1000 });
		const job = await createJob({ targetName: 'T_BIG', type: 'REPLACE', fileType: 'CSV' });
		const r = await upload(job.id, `A\n${'1\n'.repeat(2000)}`);
		expect(r.status).toBe(400);
		expect(r.json.errorInformation).toMatch(/maximum size/);
		emu.configure({ maxChunkBytes: 1024 ** 3 });
	});
	test('list, delete, and submission limiter (429 JSON string + x-ratelimit-*)', async () => {
		const list = await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs`, { headers: H });
		expect(Array.isArray(list.json)).toBe(true);
		const j = await createJob({ targetName: 'T_DEL', type: 'REPLACE' });
		expect(
			(
				await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${j.id}`, {
					method: 'DELETE',
					headers: H,
				})
			).status,
		).toBe(200);
		expect(
			(await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${j.id}`, { headers: H }))
				.status,
		).toBe(404);
		emu.store.pushLimiter.clear();
		emu.configure({ dataPush: { perSecond: 2, perHour: 250 } });
		const ids = await Promise.all(
			[1, 2, 3].map(async () => (await createJob({ targetName: 'T_RL', type: 'REPLACE' })).id),
		);
		const res = [];
		for (const id of ids)
			res.push(
				await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${id}`, {
					method: 'POST',
					headers: H,
				}),
			);
		expect(res.map((r) => r.status)).toEqual([200, 200, 429]);
		expect(typeof res[2]!.json).toBe('string');
		expect(res[2]!.headers['x-ratelimit-limit']).toBe('2');
		expect(res[2]!.headers['x-ratelimit-remaining']).toBe('0');
		expect(Number(res[2]!.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
		expect(res[0]!.headers['x-ratelimit-limit']).toBe('250');
		emu.store.pushLimiter.clear();
		emu.configure({ dataPush: { perSecond: 10, perHour: 1 } });
		const k = (await createJob({ targetName: 'T_RL', type: 'REPLACE' })).id;
		const k2 = (await createJob({ targetName: 'T_RL', type: 'REPLACE' })).id;
		expect(
			(
				await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${k}`, {
					method: 'POST',
					headers: H,
				})
			).status,
		).toBe(200);
		const h = await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs/${k2}`, {
			method: 'POST',
			headers: H,
		});
		expect(h.status).toBe(429);
		expect(Number(h.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(3600);
		emu.configure({ dataPush: { perSecond: 10, perHour: 250 } });
		emu.store.pushLimiter.clear();
	});
	test('scopes and permissions: data_push scope OK, other scope 403, no-permission app key 403', async () => {
		const t = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'integration.data-pools:data_push',
		);
		expect(
			(await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs`, { headers: bearer(t) }))
				.status,
		).toBe(200);
		const t2 = await tokenFor(emu, 'demo-client', 'demo-client-secret', 'audit.log:read');
		expect(
			(await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs`, { headers: bearer(t2) }))
				.status,
		).toBe(403);
		expect(
			(
				await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs`, {
					headers: appKey(DEMO.appKeyNoPerm),
				})
			).status,
		).toBe(403);
		expect((await call(`${emu.url}/data-ingestion/api/v1/data-push/${P}/jobs`)).status).toBe(401);
	});
});

describe('data push without keeping rows (dataPush.keepRows false)', () => {
	afterEach(() => emu.configure({ dataPush: { keepRows: true } }));

	test('a REPLACE job is parsed and counted chunk by chunk; the table lists the count and keeps no rows', async () => {
		emu.configure({ dataPush: { keepRows: false } });
		const job = await createJob({
			targetName: 'T_COUNTED',
			type: 'REPLACE',
			fileType: 'CSV',
			tableSchema: { columns: [{ columnName: 'ID', columnType: 'INTEGER' }] },
		});
		for (const part of ['ID,NOTE\n1,"a\nb"\n2,x\n', 'ID,NOTE\n3,y\n'])
			expect((await upload(job.id, part)).status).toBe(200);
		expect(await runJob(job.id)).toMatchObject({ status: 'DONE' });
		const listed = (await call(`${emu.url}/__emulator/tables`)).json as Json[];
		expect(listed.find((t) => t.name === 'T_COUNTED')).toMatchObject({ rowCount: 3 });
		expect((await table('T_COUNTED')).rows).toEqual([]);
	});

	test('still fails a job on a malformed record or a value its column type refuses, and refuses DELTA', async () => {
		emu.configure({ dataPush: { keepRows: false } });
		const ragged = await createJob({
			targetName: 'T_COUNTED_BAD',
			type: 'REPLACE',
			fileType: 'CSV',
		});
		await upload(ragged.id, 'ID,NOTE\n1,a,extra\n');
		expect((await runJob(ragged.id)).status).toBe('ERROR');
		const typed = await createJob({
			targetName: 'T_COUNTED_BAD',
			type: 'REPLACE',
			fileType: 'CSV',
			tableSchema: { columns: [{ columnName: 'ID', columnType: 'INTEGER' }] },
		});
		await upload(typed.id, 'ID\n1\nnot a number\n');
		expect((await runJob(typed.id)).status).toBe('ERROR');
		const delta = await createJob({
			targetName: 'T_COUNTED_BAD',
			type: 'DELTA',
			keys: ['ID'],
			fileType: 'CSV',
		});
		await upload(delta.id, 'ID\n1\n');
		expect(await runJob(delta.id)).toMatchObject({
			status: 'ERROR',
			logs: [expect.stringMatching(/only REPLACE jobs/)],
		});
	});
});

describe('continuous push', () => {
	test('upload → flushStatus new → flushed into the table; missing targetName → 400 text', async () => {
		const url = `${emu.url}/continuous-batch-processing/api/v1/${P}/items`;
		const r = await call(`${url}?targetName=CP_TABLE&clientId=test-client&primaryKeys=ID`, {
			method: 'POST',
			body: fileForm('ID,V\n1,a\n2,b\n'),
			headers: appKey(DEMO.appKey),
		});
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({
			id: expect.any(String),
			fileName: 'chunk.csv',
			bucketId: expect.any(String),
			flushStatus: 'new',
			clientId: 'test-client',
		});
		await call(`${url}?targetName=CP_TABLE&primaryKeys=ID`, {
			method: 'POST',
			body: fileForm('ID,V\n2,B\n'),
			headers: appKey(DEMO.appKey),
		});
		await waitFor(
			async () =>
				(await call(`${emu.url}/__emulator/continuous-pushes`)).json.every(
					(i: Json) => i.flushStatus === 'flushed',
				) || undefined,
		);
		expect((await table('CP_TABLE')).rows).toEqual([
			{ ID: 1, V: 'a' },
			{ ID: 2, V: 'B' },
		]);
		const fl = await call(
			`${emu.url}/continuous-batch-processing/api/v1/${P}/flushes?targetName=CP_TABLE`,
			{ headers: appKey(DEMO.appKey) },
		);
		expect(fl.json).toHaveLength(2);
		const bad = await call(url, {
			method: 'POST',
			body: fileForm('ID\n1\n'),
			headers: appKey(DEMO.appKey),
		});
		expect(bad.status).toBe(400);
		expect(bad.headers['content-type']).toContain('text/plain');
		const t = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'integration.data-pools:continuous_data_push',
		);
		expect(
			(
				await call(`${url}?targetName=X`, {
					method: 'POST',
					body: fileForm('ID\n1\n'),
					headers: bearer(t),
				})
			).status,
		).toBe(200);
		const t2 = await tokenFor(
			emu,
			'demo-client',
			'demo-client-secret',
			'integration.data-pools:data_push',
		);
		expect(
			(
				await call(`${url}?targetName=X`, {
					method: 'POST',
					body: fileForm('ID\n1\n'),
					headers: bearer(t2),
				})
			).status,
		).toBe(403);
	});
});
