import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { PagedByteStream } from '../helpers/byteStream';
import {
	CsvEventEncoder,
	FILE_TYPES,
	flattenEvent,
	JsonLinesEventEncoder,
	type EventFileFormat,
} from '../helpers/eventFile';
import { ParameterError, toNodeError } from '../helpers/nodeErrors';
import {
	iso,
	resolveWindow,
	windowQuery,
	type TimeWindow,
	type WindowPreset,
} from '../helpers/timeWindow';
import {
	readPosition,
	timestampOf,
	MAX_FINGERPRINTS,
	PositionError,
	WatermarkTracker,
	type WatermarkState,
} from '../helpers/watermark';
import {
	paginate,
	readTeamAuth,
	retryPolicyOf,
	type CelonisRequestOptions,
	type RetryOptionValues,
} from '../transport';
import { assertConfirmStepAfter, type ConfirmPosition } from '../helpers/confirmStep';
import { DatabasePositions } from '../helpers/databasePositions';
import { exportPositionStore, type PositionRead } from '../helpers/exportPositions';
import { DEFAULT_LOOKBACK_MINUTES, MAX_LOOKBACK_MINUTES } from '../helpers/watermark';

/** What an export operation tells the shared runner. */
export interface ExportTarget {
	/** e.g. "audit log", for messages */
	label: string;
	/** file name stem, e.g. celonis-audit-log */
	fileStem: string;
	path: string;
	style: 'pageNumber' | 'cursor';
	/** query parameters besides paging and the window (e.g. includeInternal) */
	qs?: IDataObject;
	/** documented record fields: the first CSV columns */
	knownColumns: readonly string[];
	/** the operation has a time window */
	window?: boolean;
	/** key of the "since last run" position in the node's static data; undefined = no incremental mode */
	stateKey?: string;
}

type Output = 'items' | EventFileFormat;

interface ExportOptions extends RetryOptionValues {
	escapeFormulas?: boolean;
	fileName?: string;
	lateEventLookback?: number;
	maxLockWait?: number;
	pageSize?: number;
	startOver?: boolean;
}

const MAX_PAGES = 10_000_000;

/** Reads the export parameters of item `i`, pages through Celonis and returns items or one file item. */
export async function runExport(
	this: IExecuteFunctions,
	i: number,
	target: ExportTarget,
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', i, {}) as ExportOptions;
	const output = this.getNodeParameter('output', i, 'items') as Output;
	const returnAll = this.getNodeParameter('returnAll', i, true) as boolean;
	const limit = returnAll
		? undefined
		: positiveInteger(this.getNodeParameter('limit', i, 50), 'Limit');
	const pageSize = pageSizeOf(options.pageSize);
	const incremental =
		target.stateKey !== undefined &&
		this.getNodeParameter('exportMode', i, 'window') === 'incremental';
	const confirm = incremental
		? (this.getNodeParameter('confirmPosition', i, 'nodeSucceeds') as ConfirmPosition)
		: undefined;
	const lookbackMinutes = incremental ? lookbackOf(options.lateEventLookback) : 0;
	if (confirm === 'laterStep') assertConfirmStepAfter(this);
	const inDatabase =
		confirm === 'nodeSucceeds' &&
		this.getNodeParameter('positionStore', i, 'staticData') === 'database';

	const now = Date.now();
	let window: TimeWindow = {};
	if (target.window) {
		window = resolveWindow(
			this.getNodeParameter('timeWindow', i, 'last24Hours') as WindowPreset,
			{
				from: this.getNodeParameter('from', i, ''),
				to: incremental ? '' : this.getNodeParameter('to', i, ''),
			},
			now,
			this.getTimezone(),
		);
	}

	if (inDatabase) {
		return await runDatabaseExport(this, i, target, {
			options,
			window,
			now,
			lookbackMs: lookbackMinutes * 60_000,
			output,
			limit,
			pageSize,
		});
	}

	let tracker: WatermarkTracker | undefined;
	let team = '';
	let previous: WatermarkState | undefined;
	const store = incremental ? exportPositionStore(this) : undefined;
	if (incremental) {
		team = (await readTeamAuth(this)).origin;
		let stored: PositionRead = { position: undefined, stagedHere: false };
		try {
			stored = await store!.read(target.stateKey!);
		} catch (error) {
			// Start Over ignores the stored position, also one that cannot be read: this run writes a new one.
			if (!(options.startOver && error instanceof PositionError))
				throw toNodeError(this.getNode(), error, i);
		}
		if (!options.startOver) {
			// A corrupted or future position throws here, before any request.
			const read = readPosition(stored.position, team, now);
			previous = read.state;
			if (read.otherTeam !== undefined)
				hint(
					this,
					`The stored position belongs to the team ${read.otherTeam}, not to ${team}: this run started from the Time Window, and its position replaces that one.`,
				);
		}
		// An unconfirmed run that exported nothing (so nothing ran after it) lost nothing: no hint for it.
		if (confirm === 'laterStep' && !stored.stagedHere && (stored.unconfirmed?.events ?? 0) > 0)
			hint(
				this,
				`The ${stored.unconfirmed!.events} event(s) exported by execution ${stored.unconfirmed!.executionId} (${stored.unconfirmed!.stagedAt}) were never confirmed — a later step failed or the Confirm step did not run — so they are exported again (at least once). If this happens on every run, check that an Export Position → Confirm node names "${this.getNode().name}" and runs in every successful execution.`,
			);
		if (this.getMode() === 'manual')
			hint(
				this,
				'Manual execution: n8n does not save workflow static data for manual executions, so this run read the stored position but does not move it. Scheduled, triggered and "n8n execute" runs do.',
				'info',
			);
		tracker = new WatermarkTracker(previous, {
			lookbackMs: lookbackMinutes * 60_000,
			windowFrom: window.from,
		});
		// Continue at the lookback before the last exported event (inclusive: events sharing its timestamp, and late
		// events, may have arrived since); the fingerprints tell which of them were exported already.
		if (tracker.from !== undefined) window = { from: tracker.from, to: window.to };
		if (window.to !== undefined && window.from !== undefined && window.to <= window.from)
			window = { from: window.from };
	}

	const { result, exported } = await exportPages(this, i, target, {
		output,
		options,
		limit,
		pageSize,
		window,
		checkOrder: incremental && limit !== undefined,
		select: (events) => (tracker ? events.filter((event) => tracker!.accept(event)) : events),
	});

	// Only now, after every page was read and the output exists, the position moves on (or waits for the
	// Confirm step).
	if (incremental && tracker) {
		const next = tracker.next(team, window.to);
		if (next) {
			if (confirm === 'laterStep')
				await store!.stage(target.stateKey!, next, {
					previousWatermark: previous?.watermark ?? null,
					events: tracker.exported,
				});
			else await store!.commit(target.stateKey!, next);
		}
		if (tracker.dropped > 0)
			hint(
				this,
				`More than ${MAX_FINGERPRINTS.toLocaleString('en-US')} events lie in the ${lookbackMinutes}-minute lookback: to keep the stored position small, the fingerprints of the oldest ${tracker.dropped} were dropped, so the next run looks for late events only from ${next?.seenFrom} on.`,
			);
		if (output !== 'items') {
			result[0].json.incremental = {
				previousWatermark: previous?.watermark ?? null,
				watermark: next?.watermark ?? null,
				exported,
				skippedAlreadyExported: tracker.skipped,
				lateEvents: tracker.late,
				lookbackMinutes,
				position: confirm === 'laterStep' ? 'waiting for the Confirm step' : 'saved',
			};
		}
	}
	return result;
}

interface PageRun {
	output: Output;
	options: ExportOptions;
	limit: number | undefined;
	pageSize: number;
	window: TimeWindow;
	/** an incremental run with a limit must see the events oldest first */
	checkOrder: boolean;
	/** which events of a page are exported (the rest were exported before), at most `room` of them */
	select: (events: IDataObject[], room: number) => IDataObject[] | Promise<IDataObject[]>;
}

/** Pages through the events of the window and returns them as items, or as one file item. */
async function exportPages(
	ctx: IExecuteFunctions,
	i: number,
	target: ExportTarget,
	run: PageRun,
): Promise<{ result: INodeExecutionData[]; exported: number }> {
	const request: CelonisRequestOptions = {
		method: 'GET',
		path: target.path,
		qs: { ...(target.qs ?? {}), ...windowQuery(run.window) },
		itemIndex: i,
		responseFormat: 'json',
		retry: retryPolicyOf(run.options),
	};
	const { limit } = run;
	const effectivePageSize =
		target.style === 'pageNumber' && limit !== undefined
			? Math.min(run.pageSize, limit)
			: run.pageSize;

	let exported = 0;
	// With a limit, an incremental run must export the OLDEST new events, or the position would jump over the
	// rest; Celonis does not document its order, so a run checks it and refuses to go on when it is not ascending.
	let previousTimestamp = Number.NEGATIVE_INFINITY;
	async function* pages(): AsyncGenerator<IDataObject[], void, undefined> {
		for await (const page of paginate(ctx, request, {
			style: target.style,
			itemsField: 'content',
			pageSize: effectivePageSize,
			maxPages: MAX_PAGES,
		})) {
			const events = page.items.map(
				(value) =>
					(value !== null && typeof value === 'object' && !Array.isArray(value)
						? value
						: { value }) as IDataObject,
			);
			if (run.checkOrder) {
				for (const event of events) {
					const ts = timestampOf(event) ?? previousTimestamp;
					if (ts < previousTimestamp) {
						throw new ParameterError(
							'Celonis returned the events newest first, so a Limit could skip events in incremental mode. Turn on "Return All" for incremental exports; nothing was exported and the position was kept.',
						);
					}
					previousTimestamp = ts;
				}
			}
			const room = limit === undefined ? Infinity : limit - exported;
			const accepted = (await run.select(events, room)).slice(0, room);
			exported += accepted.length;
			yield accepted;
			if (exported >= (limit ?? Infinity)) return;
		}
	}

	if (run.output === 'items') {
		const flatten = ctx.getNodeParameter('flatten', i, false) as boolean;
		const result: INodeExecutionData[] = [];
		for await (const page of pages()) {
			for (const event of page)
				result.push({ json: flatten ? flattenEvent(event) : event, pairedItem: { item: i } });
		}
		return { result, exported };
	}
	const file = await writeFile.call(
		ctx,
		i,
		target,
		run.output,
		run.options,
		pages(),
		run.window,
		() => exported,
	);
	return { result: [file], exported };
}

/**
 * An incremental export whose position is kept in n8n's database (queue mode, see helpers/databasePositions):
 * take the workflow's export lock, continue from the newest day reached (minus the lookback), export what the
 * database does not know yet, and record it — or, when the run fails or runs in the editor, take it back.
 */
async function runDatabaseExport(
	ctx: IExecuteFunctions,
	i: number,
	target: ExportTarget,
	run: Omit<PageRun, 'select' | 'checkOrder'> & { now: number; lookbackMs: number },
): Promise<INodeExecutionData[]> {
	const db = new DatabasePositions(ctx, {
		prefix: target.stateKey!,
		maxLockWaitMs: Math.max(0, run.options.maxLockWait ?? 600) * 1000,
		itemIndex: i,
	});
	if (run.options.startOver) await db.forget();
	await db.acquire();
	const manual = ctx.getMode() === 'manual';
	try {
		const newestDay = await db.newestDay(run.now);
		const from = newestDay === undefined ? run.window.from : newestDay - run.lookbackMs;
		const window: TimeWindow = { from, to: run.window.to };
		const seen = new Map<string, number>();
		let newest: number | undefined;
		const { result, exported } = await exportPages(ctx, i, target, {
			...run,
			window,
			checkOrder: run.limit !== undefined,
			select: async (events, room) => {
				const kept = await db.keepNew(events, seen, room);
				for (const event of kept)
					newest = Math.max(newest ?? -Infinity, timestampOf(event) ?? -Infinity);
				return kept;
			},
		});
		if (manual) {
			// As with static data, a run in the editor reads the position but does not move it.
			await db.undo();
			hint(
				ctx,
				'Manual execution: this run read what the export recorded in n8n\'s database but records nothing. Scheduled, triggered and "n8n execute" runs do.',
				'info',
			);
		} else await db.finish(newest);
		if (run.output !== 'items')
			result[0].json.incremental = {
				from: from !== undefined ? iso(from) : null,
				exported,
				position: manual ? 'unchanged (manual execution)' : "saved in n8n's database",
			};
		return result;
	} catch (error) {
		await db.undo();
		throw toNodeError(ctx.getNode(), error, i);
	} finally {
		await db.release();
	}
}

async function writeFile(
	this: IExecuteFunctions,
	i: number,
	target: ExportTarget,
	format: EventFileFormat,
	options: ExportOptions,
	pages: AsyncGenerator<IDataObject[], void, undefined>,
	window: TimeWindow,
	count: () => number,
): Promise<INodeExecutionData> {
	const property = (this.getNodeParameter('binaryPropertyName', i, 'data') as string).trim();
	if (property === '')
		throw new ParameterError(
			'"Put Output File in Field" is empty: enter the name of the binary field for the file, e.g. data.',
		);
	const { extension, mimeType } = FILE_TYPES[format];
	const fileName = options.fileName?.trim() || defaultFileName(target.fileStem, window, extension);
	const csv =
		format === 'csv'
			? new CsvEventEncoder({
					knownColumns: target.knownColumns,
					escapeFormulas: options.escapeFormulas,
				})
			: undefined;
	const jsonl = format === 'jsonl' ? new JsonLinesEventEncoder() : undefined;
	let bytes = 0;

	async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
		for await (const page of pages) {
			const text = csv ? csv.encode(page) : jsonl!.encode(page);
			if (text === '') continue;
			const chunk = Buffer.from(text, 'utf8');
			bytes += chunk.length;
			yield chunk;
		}
		// A CSV file without events still has its header.
		const tail = csv ? csv.encode([], true) : '';
		if (tail !== '') {
			bytes += Buffer.byteLength(tail);
			yield Buffer.from(tail, 'utf8');
		}
	}

	// The stream is consumed by n8n's binary data service while the pages are fetched.
	const binary = await this.helpers.prepareBinaryData(
		new PagedByteStream(chunks()) as unknown as Buffer,
		fileName,
		mimeType,
	);
	const json: IDataObject = {
		events: count(),
		format,
		fileName: binary.fileName ?? fileName,
		fileSize: bytes,
		from: window.from !== undefined ? iso(window.from) : null,
		to: window.to !== undefined ? iso(window.to) : null,
	};
	if (csv) {
		json.columns = [...(csv.header ?? [])];
		if (csv.unlistedFields.size > 0) {
			json.fieldsNotInCsv = [...csv.unlistedFields];
			json.notice = `Some events have fields that appeared after the CSV header was written (${[...csv.unlistedFields].join(', ')}); they are not in the file. Use JSON Lines to keep every field.`;
		}
	}
	return { json, binary: { [property]: binary }, pairedItem: { item: i } };
}

function defaultFileName(stem: string, window: TimeWindow, extension: string): string {
	const stamp = (ms: number) =>
		iso(ms)
			.replace(/\.\d{3}Z$/, 'Z')
			.replace(/:/g, '-');
	const parts = [stem];
	if (window.from !== undefined) parts.push(stamp(window.from));
	if (window.to !== undefined)
		parts.push(window.from !== undefined ? `to-${stamp(window.to)}` : `until-${stamp(window.to)}`);
	return `${parts.join('_')}.${extension}`;
}

function positiveInteger(value: unknown, field: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1)
		throw new ParameterError(
			`"${field}" must be a whole number of at least 1 (got ${JSON.stringify(value)}).`,
		);
	return n;
}

function lookbackOf(value: unknown): number {
	if (value === undefined || value === null || value === '') return DEFAULT_LOOKBACK_MINUTES;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0 || n > MAX_LOOKBACK_MINUTES) {
		throw new ParameterError(
			`"Late Event Lookback (Minutes)" must be a whole number from 0 to ${MAX_LOOKBACK_MINUTES} (got ${JSON.stringify(value)}).`,
		);
	}
	return n;
}

function hint(ctx: IExecuteFunctions, message: string, type: 'info' | 'warning' = 'warning'): void {
	ctx.addExecutionHints({ message, type, location: 'outputPane' });
}

function pageSizeOf(value: unknown): number {
	if (value === undefined || value === null || value === '') return 200;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1 || n > 200) {
		throw new ParameterError(
			`"Page Size" must be a whole number from 1 to 200 (got ${JSON.stringify(value)}): Celonis returns at most 200 events per page.`,
		);
	}
	return n;
}
