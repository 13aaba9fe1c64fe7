import { useEmulator } from '../harness/emulator';
import { celonis, engineWith, freshTable, input, tableRows } from './dataPushHelpers';
import { addFaults as addFaultRules } from '../harness/builders';

const ctx = useEmulator();
const addFaults = (rules: unknown[]) => addFaultRules(ctx.emu.url, rules);

const ITEMS = '^/continuous-batch-processing/api/v1/[^/]+/items$';

/** Uploads the emulator received for a table (one per batch that landed). */
const uploadsOf = (table: string) =>
	ctx.emu.store.continuousItems.filter((i) => i.targetName === table);

async function flushed(table: string) {
	for (let i = 0; i < 100 && uploadsOf(table).some((u) => u.flushStatus === 'new'); i++)
		await new Promise((resolve) => setTimeout(resolve, 20));
	return tableRows(ctx.emu, table) ?? [];
}

// 93 rows of ~28 bytes in 1 KB batches: three batches (36, 35 and 22 rows).
const rows = Array.from({ length: 93 }, (_, id) => ({
	id,
	text: `row number ${id} ${'x'.repeat(8)}`,
}));
const push = (
	creds: Parameters<typeof celonis>[0],
	table: string,
	options: Record<string, unknown> = {},
	extra: Parameters<typeof celonis>[2] = {},
) =>
	celonis(
		creds,
		{ operation: 'continuousPush', tableName: table, options: { chunkSizeMb: 0.001, ...options } },
		extra,
	);

beforeEach(() => {
	ctx.emu.store.faults.clear();
	ctx.emu.configure({ continuousFlushMs: 10 });
});

describe('Continuous Push: a batch that fails after others landed', () => {
	it('a 503 on batch 2 of 3 is retried; every row lands exactly once', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('C');
		await addFaults([{ method: 'POST', path: ITEMS, sequence: [{}, { status: 503 }] }]);
		const r = await engine.runChain([input(rows), push(creds, table)]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ rows: 93, uploads: 3 });
		expect(uploadsOf(table)).toHaveLength(3);
		expect(await flushed(table)).toHaveLength(93);
	});

	it('when retries are used up, the error says which batches and rows landed, also in the error item', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('C');
		await addFaults([
			{ method: 'POST', path: ITEMS, sequence: [{}, { status: 503 }, { status: 503 }] },
		]);
		const failed = await engine.runChain([input(rows), push(creds, table, { maxRetries: 1 })]);
		expect(failed.error?.message).toMatch(/HTTP 503/);
		expect(failed.error?.description).toMatch(
			/1 batch \(36 rows, items 0–35\) had landed in Celonis before the failure\. Batch 2 \(items 36–70\) did not land\. Items 71–92 were not sent\./,
		);
		expect(uploadsOf(table)).toHaveLength(1);

		await addFaults([
			{ method: 'POST', path: ITEMS, sequence: [{}, { status: 503 }, { status: 503 }] },
		]);
		const table2 = freshTable('C');
		const tolerant = await engine.runChain([
			input(rows),
			push(creds, table2, { maxRetries: 1 }, { continueOnFail: true }),
		]);
		expect(tolerant.error).toBeUndefined();
		const [item] = tolerant.json('Celonis');
		expect(item.error).toMatch(/HTTP 503/);
		expect(item.landed).toEqual({ batches: 1, rows: 36, items: { from: 0, to: 35 } });
		expect(item.notLanded).toEqual({ batch: 2, items: { from: 36, to: 70 } });
		expect(item.notSent).toEqual({ items: { from: 71, to: 92 } });
		expect(tolerant.items('Celonis')[0].pairedItem).toHaveLength(93);
	});

	it('a lost answer (the batch may have landed) is not resent without primary keys, and the error says so', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('C');
		await addFaults([{ method: 'POST', path: ITEMS, sequence: [{}, { dropResponse: true }] }]);
		const r = await engine.runChain([input(rows), push(creds, table)]);
		expect(r.error?.message).toMatch(/the request was sent; Celonis may have acted on it/);
		expect(r.error?.description).toMatch(
			/Batch 2 \(items 36–70\) may have landed: its answer was lost/,
		);
		expect(r.error?.description).not.toMatch(/retried/);
		expect(r.error?.description).toMatch(/Primary Keys/);
		// batch 1 and (answer lost) batch 2 landed; nothing was sent twice
		expect(uploadsOf(table)).toHaveLength(2);
		expect(await flushed(table)).toHaveLength(71);
	});

	it('with primary keys a resend is an upsert: a lost answer is retried and no row is doubled', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable('C');
		await addFaults([
			{ method: 'POST', path: ITEMS, sequence: [{}, { dropResponse: true }, { reset: true }] },
		]);
		const r = await engine.runChain([input(rows), push(creds, table, { primaryKeys: 'id' })]);
		expect(r.error?.message).toBeUndefined();
		const landed = await flushed(table);
		expect(landed).toHaveLength(93);
		expect(new Set(landed.map((row) => row.id)).size).toBe(93);
		expect(
			ctx.emu.store.continuousItems.filter((i) => i.targetName === table).length,
		).toBeGreaterThan(3);
	});
});
