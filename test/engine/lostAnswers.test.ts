import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine } from '../harness/engine';
import {
	celonis as dataPush,
	engineWith,
	freshTable,
	input,
	jobsOf,
	POOL,
	tableRows,
} from './dataPushHelpers';
import { addFaults as addFaultRules, celonisRequest as request } from '../harness/builders';

const ctx = useEmulator();
const addFaults = (rules: unknown) => addFaultRules(ctx.emu.url, rules);

const JOBS = '^/data-ingestion/api/v1/data-push/[^/]+/jobs/?$';

beforeEach(() => {
	ctx.emu.store.faults.clear();
	ctx.emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 }, tokenLifetimeSeconds: 899 });
});

describe('a POST whose answer was lost', () => {
	it('is not called unreachable: the error says the request was sent and may have taken effect', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		await engine.runChain([request({ path: '/api/cloud/team' }, creds)]);
		await addFaults({ method: 'POST', path: JOBS, sequence: [{ dropResponse: true }] });
		const table = freshTable('LOST');
		const r = await engine.runChain([
			request(
				{
					method: 'POST',
					path: `/data-ingestion/api/v1/data-push/${POOL}/jobs/`,
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: JSON.stringify({ targetName: table, type: 'REPLACE', fileType: 'CSV' }),
				},
				creds,
			),
		]);
		expect(r.error?.message).toMatch(
			/POST \/data-ingestion\/api\/v1\/data-push\/[^ ]+\/jobs\/: the request was sent; Celonis may have acted on it/,
		);
		expect(r.error?.message).not.toMatch(/Could not reach/);
		expect(r.error?.description).toMatch(/connection was reset/);
		// and it did act on it
		expect(jobsOf(ctx.emu).filter((j) => j.targetName === table)).toHaveLength(1);
	});

	it('Push Items adopts the job its lost Create Job made: one job, no empty NEW job left behind', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('ADOPT');
		await addFaults({ method: 'POST', path: JOBS, sequence: [{ dropResponse: true }] });
		const rows = [
			{ id: 1, v: 'a' },
			{ id: 2, v: 'b' },
		];
		const r = await engine.runChain([
			input(rows),
			dataPush(creds, { operation: 'pushItems', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		const jobs = jobsOf(ctx.emu).filter((j) => j.targetName === table);
		expect(jobs.map((j) => j.status)).toEqual(['DONE']);
		expect(r.json('Celonis')[0]).toMatchObject({ jobId: jobs[0].id, rows: 2, status: 'DONE' });
		expect(tableRows(ctx.emu, table)).toEqual(rows);
	});

	it('even when it may not retry (no wait allowed), the job the lost attempt made is adopted, not left behind', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('ADOPT');
		await addFaults({ method: 'POST', path: JOBS, sequence: [{ dropResponse: true }] });
		const r = await engine.runChain([
			input([{ id: 1 }]),
			dataPush(creds, {
				operation: 'pushItems',
				tableName: table,
				options: { maxRateLimitWait: 0 },
			}),
		]);
		expect(r.error?.message).toBeUndefined();
		expect(
			jobsOf(ctx.emu)
				.filter((j) => j.targetName === table)
				.map((j) => j.status),
		).toEqual(['DONE']);
	});

	it('Create Job adopts the job too', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('ADOPT');
		await addFaults({ method: 'POST', path: JOBS, sequence: [{ dropResponse: true }] });
		const r = await engine.runChain([
			dataPush(creds, { operation: 'createJob', tableName: table }),
		]);
		expect(r.error?.message).toBeUndefined();
		const jobs = jobsOf(ctx.emu).filter((j) => j.targetName === table);
		expect(jobs).toHaveLength(1);
		expect(r.json('Celonis')[0]).toMatchObject({ id: jobs[0].id, status: 'NEW' });
	});
});

describe('timeouts are named as timeouts', () => {
	it('an API call: with the Timeout option and its value', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		await engine.runChain([request({ path: '/api/cloud/team' }, creds)]);
		await addFaults({
			method: 'GET',
			path: '/integration/api/pools',
			sequence: [{ delayMs: 3000 }],
		});
		const r = await engine.runChain([
			request({ path: '/integration/api/pools', options: { timeout: 500, maxRetries: 0 } }, creds),
		]);
		expect(r.error?.message).toMatch(
			/GET \/integration\/api\/pools timed out: Celonis did not answer within 0\.5 s/,
		);
		expect(r.error?.description).toMatch(/Timeout/);
	});

	it('a POST that timed out may have taken effect, and the error says so', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		await engine.runChain([request({ path: '/api/cloud/team' }, creds)]);
		await addFaults({ method: 'POST', path: JOBS, sequence: [{ delayMs: 2000 }] });
		const r = await engine.runChain([
			request(
				{
					method: 'POST',
					path: `/data-ingestion/api/v1/data-push/${POOL}/jobs/`,
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: JSON.stringify({ targetName: freshTable('TO'), type: 'REPLACE' }),
					options: { timeout: 300 },
				},
				creds,
			),
		]);
		expect(r.error?.message).toMatch(/timed out/);
		expect(r.error?.message).toMatch(/the request was sent; Celonis may have acted on it/);
	});

	it('the token request', async () => {
		// A token endpoint that accepts the connection and never answers.
		const sockets = new Set<import('node:net').Socket>();
		const silent = http.createServer(() => undefined);
		silent.on('connection', (s) => sockets.add(s));
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
		try {
			const engine = await Engine.create();
			const creds = engine.addCredential(
				'celonisOAuth2Api',
				oauthData(url, DEMO.client, { scopes: ['audit.log:read'] }),
			);
			const r = await engine.runChain([request({ path: '/api/cloud/team' }, creds)]);
			expect(r.error?.message).toMatch(/The token request to .* timed out: no answer within 30 s/);
		} finally {
			for (const s of sockets) s.destroy();
			await new Promise((resolve) => silent.close(resolve));
		}
	}, 90_000);
});
