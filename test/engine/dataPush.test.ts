import { useEmulator } from '../harness/emulator';
import { celonis, engineWith, expectedRows, freshTable, input, jobsOf, POOL, tableRows } from './dataPushHelpers';

const ctx = useEmulator();

const tricky = [
	{ id: 1, name: 'comma, "quotes" and\nnewline', note: 'tab\there', price: 12.5, active: true, day: '2024-01-31', at: '2024-01-31T08:15:00.000Z', empty: '' },
	{ id: 2, name: 'ünïcødé ✓ 𝄞 日本語', note: null, price: -0.001, active: false, day: '2023-12-01', at: '2023-12-01T23:59:59.999Z', empty: 'x' },
	{ id: 3, name: '  leading and trailing  ', note: '\r\nCRLF\r\n', price: 1e21, active: true, day: null, at: null, empty: '' },
	{ id: 4, name: '', price: 0, active: null, day: '2000-02-29', at: '1999-12-31T00:00:00.000Z' },
];

describe('Data Push → Push Items to Table', () => {
	beforeEach(() => {
		ctx.emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 } });
	});

	it('Replace: the table equals the input rows exactly and the summary says what happened', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([input(tricky), celonis(creds, { operation: 'pushItems', tableName: table, mode: 'REPLACE' })]);
		expect(r.error?.message).toBeUndefined();
		const [summary] = r.json('Celonis');
		expect(summary).toMatchObject({ poolId: POOL, table, mode: 'REPLACE', rows: 4, chunks: 1, status: 'DONE', logs: [] });
		expect(typeof summary.jobId).toBe('string');
		expect(summary.bytes).toBeGreaterThan(100);
		expect(tableRows(ctx.emu, table)).toEqual(expectedRows(tricky));
		const columns = ctx.emu.store.tables.find(POOL, table)!.columns;
		expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).toEqual({
			id: 'INTEGER', name: 'STRING', note: 'STRING', price: 'FLOAT', active: 'BOOLEAN', day: 'DATE', at: 'DATETIME', empty: 'STRING',
		});
		expect(r.items('Celonis')[0].pairedItem).toEqual(tricky.map((_, item) => ({ item })));
	});
});
