import { useEmulator } from '../harness/emulator';
import { celonis, engineWith, freshTable, input, jobsOf, POOL, tableRows } from './dataPushHelpers';
import { addFaults as addFaultRules } from '../harness/builders';

const ctx = useEmulator();
const addFaults = (rules: unknown[]) => addFaultRules(ctx.emu.url, rules);

const CHUNKS = '^/data-ingestion/api/v1/data-push/[^/]+/jobs/[^/]+/chunks/upserted$';
const EXECUTE = '^/data-ingestion/api/v1/data-push/[^/]+/jobs/[^/]+$';

const rows = Array.from({ length: 400 }, (_, i) => ({
	i,
	text: `row ${i}, "quoted" ${'ß'.repeat(i % 30)}`,
}));
const sorted = (t: Record<string, unknown>[] | undefined) =>
	[...(t ?? [])].sort((a, b) => (a.i as number) - (b.i as number));
const push = (
	creds: Parameters<typeof celonis>[0],
	table: string,
	options: Record<string, unknown> = {},
) =>
	celonis(creds, {
		operation: 'pushItems',
		tableName: table,
		options: { chunkSizeMb: 0.003, uploadConcurrency: 3, ...options },
	});

beforeEach(async () => {
	ctx.emu.store.faults.clear();
	ctx.emu.configure({
		jobDelays: { queuedMs: 5, runningMs: 10 },
		tokenLifetimeSeconds: 899,
		dataPush: { perHour: 250, perSecond: 10 },
	});
});

describe('under injected faults every row lands exactly once', () => {
	it('429 bursts, 503s and connection resets on chunk uploads and on execute', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('F');
		const limited = {
			status: 429,
			headers: {
				'x-ratelimit-reset': '0',
				'x-ratelimit-limit': '10',
				'x-ratelimit-remaining': '0',
			},
			body: 'Too many requests',
		};
		await addFaults([
			{
				method: 'POST',
				path: CHUNKS,
				sequence: [
					limited,
					limited,
					limited,
					{},
					{ status: 503, body: 'unavailable' },
					{},
					{ reset: true },
					{},
					{},
					{ status: 502 },
				],
			},
			{ method: 'POST', path: EXECUTE, sequence: [limited, { reset: true }] },
		]);
		const r = await engine.runChain([input(rows), push(creds, table)]);
		expect(r.error?.message).toBeUndefined();
		const summary = r.json('Celonis')[0];
		expect(summary).toMatchObject({ rows: 400, status: 'DONE' });
		const job = ctx.emu.store.pushJobs.get(summary.jobId as string)!;
		expect(job.chunks).toHaveLength(summary.chunks as number);
		expect(new Set(job.chunks.map((c) => c.checksum)).size).toBe(job.chunks.length);
		expect(sorted(tableRows(ctx.emu, table))).toEqual(rows);
		const faults = ctx.emu.store.faults.list();
		expect(faults.every((f) => f.consumed === (f.rule.sequence?.length ?? 0))).toBe(true);
	});

	it('answers lost after the request landed (chunks, identical chunks, execute): nothing sent twice, nothing skipped', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('L');
		// 400 equal rows: full chunks have identical content, told apart only by how many of them landed.
		const repeated = Array.from({ length: 400 }, () => ({ text: 'the same row' }));
		await addFaults([
			// chunk 1 lands; chunk 2 (identical to 1) is cut before it lands, then lands with its answer lost; chunk 3 lands.
			// Looking chunk 2 up by checksum must not mistake chunk 1 for it (rows lost), nor resend it once it landed (rows twice).
			{ method: 'POST', path: CHUNKS, sequence: [{}, { reset: true }, { dropResponse: true }, {}] },
			{ method: 'POST', path: EXECUTE, sequence: [{ dropResponse: true }] },
		]);
		const r = await engine.runChain([
			input(repeated),
			push(creds, table, { chunkSizeMb: 0.0025, uploadConcurrency: 1 }),
		]);
		expect(r.error?.message).toBeUndefined();
		const summary = r.json('Celonis')[0];
		const job = ctx.emu.store.pushJobs.get(summary.jobId as string)!;
		expect(job.chunks).toHaveLength(summary.chunks as number);
		expect(new Set(job.chunks.map((c) => c.checksum)).size).toBeLessThan(job.chunks.length); // identical chunks really occurred
		expect(tableRows(ctx.emu, table)).toHaveLength(400);
		expect(summary).toMatchObject({ rows: 400, status: 'DONE' });
		expect(ctx.emu.store.faults.list().map((f) => [f.consumed, f.rule.sequence?.length])).toEqual([
			[4, 4],
			[1, 1],
		]);
	});

	it('token expiry and revocation in the middle of a long upload lose and duplicate nothing', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		ctx.emu.configure({ tokenLifetimeSeconds: 2 });
		const table = freshTable('T');
		// Slow chunk uploads: the whole push takes longer than a token lives; one upload also finds all tokens revoked.
		await addFaults([
			{
				method: 'POST',
				path: CHUNKS,
				sequence: [
					{ delayMs: 250 },
					{ delayMs: 250 },
					{ delayMs: 250 },
					{ revokeTokens: true },
					...Array.from({ length: 10 }, () => ({ delayMs: 250 })),
				],
			},
		]);
		const r = await engine.runChain([input(rows), push(creds, table, { uploadConcurrency: 1 })]);
		expect(r.error?.message).toBeUndefined();
		const summary = r.json('Celonis')[0];
		expect(summary.chunks).toBeGreaterThanOrEqual(6);
		expect(ctx.emu.store.pushJobs.get(summary.jobId as string)!.chunks).toHaveLength(
			summary.chunks as number,
		);
		expect(sorted(tableRows(ctx.emu, table))).toEqual(rows);
		expect(ctx.emu.store.tokens.stats().issued).toBeGreaterThanOrEqual(2);
		const rejected = ctx.emu.store.requestLog
			.list()
			.filter((e) => e.path.endsWith('/chunks/upserted') && e.status === 401);
		expect(rejected.length).toBeGreaterThanOrEqual(1);
	});

	it('a chunk upload that keeps failing fails the push, deletes the job and lands nothing', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('X');
		await addFaults([
			{
				method: 'POST',
				path: CHUNKS,
				probability: 1,
				response: { status: 503, body: 'down for maintenance' },
			},
		]);
		const r = await engine.runChain([input(rows), push(creds, table, { maxRateLimitWait: 3 })]);
		expect(r.status).toBe('error');
		expect(r.error!.message).toMatch(
			/Celonis failed to answer POST .*chunks\/upserted \(HTTP 503\)/,
		);
		expect(r.error!.description).toMatch(/was deleted/);
		expect(tableRows(ctx.emu, table)).toBeUndefined();
		expect(jobsOf(ctx.emu).filter((j) => j.targetName === table)).toHaveLength(0);
	});

	it('when the hourly submission budget is used up, fails naming when it resets (and deletes the job)', async () => {
		// The budget window is the UTC hour: do not start a few seconds before it turns.
		const untilHour = 3600_000 - (Date.now() % 3600_000);
		if (untilHour < 15_000) await new Promise((resolve) => setTimeout(resolve, untilHour + 1000));
		const { engine, creds } = await engineWith(ctx.emu);
		ctx.emu.configure({ dataPush: { perHour: 1 } });
		const table = freshTable('H');
		// The budget of 1 is used by earlier pushes (or this one): push until refused.
		let r = await engine.runChain([
			input(rows.slice(0, 3)),
			push(creds, table, { maxRateLimitWait: 5 }),
		]);
		if (r.status !== 'error')
			r = await engine.runChain([
				input(rows.slice(0, 3)),
				push(creds, table, { maxRateLimitWait: 5 }),
			]);
		expect(r.status).toBe('error');
		// The reset is the next full UTC hour (shown to the second, so it may read hh:00:00 or hh:00:01).
		expect(r.error!.message).toMatch(
			/data push submission budget is used up \(1 jobs per hour for the team\); it resets at \d\d:00:0[01] UTC \(in \d+ (min|s)\)/,
		);
		expect(r.error!.description).toMatch(/250 per hour per team.*was deleted/);
		expect(
			jobsOf(ctx.emu).filter((j) => j.targetName === table && j.status === 'NEW'),
		).toHaveLength(0);
	});
});

export { POOL };
