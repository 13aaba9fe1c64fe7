import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type ICheckProcessedOptions,
} from 'n8n-workflow';

import { fingerprint } from './watermark';

/**
 * "Keep Position In: n8n Database (Queue Mode)". In queue mode a worker runs an execution without the
 * workflow's static data (n8n 2.41 stores executions with a workflow snapshot that leaves it out), so a position
 * kept there is never read on a worker. This store keeps what an export did in n8n's own database, through its
 * deduplication helpers (the processed_data table, shared by main and every worker):
 *
 * - the events an export node exported so far: the node's own deduplication row, one entry per exported event (its
 *   fingerprint and how many identical ones came before it) and one per day the export reached, at most
 *   MAX_ENTRIES (the oldest go first).
 * - a lock: the workflow's deduplication row exists only while one of its Celonis exports runs. Creating a row is
 *   atomic (the table's primary key), so of two runs that start together one gets it; the other waits for it. The
 *   lock makes a run's check-and-record atomic against another run's: n8n's helpers read a row, then write it,
 *   without a lock of their own. (So the workflow's deduplication store at workflow scope is this lock's: a Remove
 *   Duplicates node with scope Workflow in the same workflow is refused, see `tryLock`.)
 *
 * A run asks Celonis from the start of the newest day it reached, minus the lookback, and keeps the events the
 * database does not know yet, recording them as it goes; a run that fails takes its records back. So every event
 * is exported once across runs, overlapping or not, on any worker.
 */
export const MAX_ENTRIES = 100_000;
const LOCK = 'celonis-export-lock';
const LOCK_OPTIONS: ICheckProcessedOptions = { mode: 'entries' };
const DATA_OPTIONS: ICheckProcessedOptions = { mode: 'entries', maxEntries: MAX_ENTRIES };
/** How far back the newest day an export reached is looked for. */
const MAX_DAYS_BACK = 100;
const DAY_MS = 86_400_000;

export interface DatabasePositionOptions {
	/** the operation (auditLog, loginHistory, ...), should one node ever run several */
	prefix: string;
	/** how long to wait for another run of this workflow's exports to finish */
	maxLockWaitMs: number;
	itemIndex: number;
}

export class DatabasePositions {
	private recorded: string[] = [];
	private locked = false;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly options: DatabasePositionOptions,
	) {}

	/** Waits until no other run of this export is exporting, then holds that until `release`. */
	async acquire(): Promise<void> {
		const started = Date.now();
		for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
			if (await this.tryLock()) {
				this.locked = true;
				return;
			}
			if (Date.now() - started >= this.options.maxLockWaitMs) {
				throw new NodeOperationError(
					this.ctx.getNode(),
					`Another run of this workflow's Celonis exports has been exporting for more than ${Math.round(this.options.maxLockWaitMs / 1000)} s: this run exported nothing and its position is unchanged`,
					{
						itemIndex: this.options.itemIndex,
						description:
							'Runs of this workflow\'s exports take turns (queue mode keeps the position in n8n\'s database). If no other run is active — a worker stopped in the middle of an export — run the workflow once with the option "Start Over", which releases it.',
					},
				);
			}
			await sleep(delay);
		}
	}

	private async tryLock(): Promise<boolean> {
		let result;
		try {
			result = await this.ctx.helpers.checkProcessedAndRecord([LOCK], 'workflow', LOCK_OPTIONS);
		} catch {
			// Another run created the row between our read and our insert: it holds the lock.
			return false;
		}
		if (result.processed.length > 0) return false;
		// New: this run created the row, unless the row was there with other entries (not a lock of ours).
		if ((await this.ctx.helpers.getProcessedDataCount('workflow', LOCK_OPTIONS)) === 1) return true;
		await this.ctx.helpers.removeProcessed([LOCK], 'workflow', LOCK_OPTIONS);
		throw new NodeOperationError(
			this.ctx.getNode(),
			"This workflow keeps other data in n8n's deduplication store at workflow scope (e.g. a Remove Duplicates node with scope Workflow), which the Celonis exports need for their lock in queue mode",
			{
				itemIndex: this.options.itemIndex,
				description:
					"Set that node's scope to Node, or move it to another workflow, then run this one again. Nothing was exported.",
			},
		);
	}

	async release(): Promise<void> {
		if (!this.locked) return;
		this.locked = false;
		await this.ctx.helpers.clearAllProcessedItems('workflow', LOCK_OPTIONS);
	}

	/**
	 * Start Over: forgets what this export recorded, and releases a lock a stopped run left behind (run it only
	 * when no other run of the workflow is active).
	 */
	async forget(): Promise<void> {
		await this.ctx.helpers.clearAllProcessedItems('node', DATA_OPTIONS);
		await this.ctx.helpers.clearAllProcessedItems('workflow', LOCK_OPTIONS);
	}

	/** The start of the newest day this export reached, or undefined when it never ran. */
	async newestDay(now: number): Promise<number | undefined> {
		for (
			let day = Math.floor(now / DAY_MS);
			day > Math.floor(now / DAY_MS) - MAX_DAYS_BACK;
			day--
		) {
			const token = this.dayToken(day);
			const { processed } = await this.ctx.helpers.checkProcessedAndRecord(
				[token],
				'node',
				DATA_OPTIONS,
			);
			if (processed.length > 0) return day * DAY_MS;
			// Looking it up recorded it: take it back.
			await this.ctx.helpers.removeProcessed([token], 'node', DATA_OPTIONS);
		}
		return undefined;
	}

	/**
	 * The events of a page this export did not export yet (at most `room`), recorded as exported from now on.
	 * Identical events (the same fingerprint) are told apart by their order, so two identical events are two
	 * entries.
	 */
	async keepNew(
		events: IDataObject[],
		seen: Map<string, number>,
		room: number,
	): Promise<IDataObject[]> {
		if (events.length === 0 || room <= 0) return [];
		const tokens = events.map((event) => {
			const print = fingerprint(event);
			const count = (seen.get(print) ?? 0) + 1;
			seen.set(print, count);
			return `${this.options.prefix}:e:${print}#${count}`;
		});
		const { new: fresh } = await this.ctx.helpers.checkProcessedAndRecord(
			tokens,
			'node',
			DATA_OPTIONS,
		);
		const isNew = new Set(fresh.map(String));
		const kept = tokens.filter((token) => isNew.has(token));
		// Beyond the limit, nothing is exported: what the check recorded for it is taken back.
		const surplus = kept.slice(room);
		if (surplus.length > 0) await this.ctx.helpers.removeProcessed(surplus, 'node', DATA_OPTIONS);
		const exported = new Set(kept.slice(0, room));
		this.recorded.push(...exported);
		return events.filter((_, index) => exported.has(tokens[index]));
	}

	/** The run succeeded: the day of the newest exported event is recorded, the next run starts there. */
	async finish(newest: number | undefined): Promise<void> {
		if (newest !== undefined && Number.isFinite(newest))
			await this.ctx.helpers.checkProcessedAndRecord(
				[this.dayToken(Math.floor(newest / DAY_MS))],
				'node',
				DATA_OPTIONS,
			);
		this.recorded = [];
	}

	/** The run failed: what it recorded is taken back, so the next run exports those events again. */
	async undo(): Promise<void> {
		if (this.recorded.length > 0)
			await this.ctx.helpers.removeProcessed(this.recorded, 'node', DATA_OPTIONS);
		this.recorded = [];
	}

	private dayToken(day: number): string {
		return `${this.options.prefix}:d:${new Date(day * DAY_MS).toISOString().slice(0, 10)}`;
	}
}
