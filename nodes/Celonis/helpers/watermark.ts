import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { ParameterError } from './nodeErrors';

/**
 * "Since last run" exports. The position is the newest event timestamp exported so far (the watermark) plus the
 * fingerprints of the events exported in the lookback before it. The next run asks Celonis for events from
 * (watermark − lookback) on (`from` is inclusive) and skips every event it has a fingerprint for. So:
 * - events that arrive between runs are exported by the next run: new ones, ones that share the watermark's
 *   timestamp, and late ones (Celonis ingests with a delay) whose timestamp lies up to the lookback before the
 *   watermark. An event whose timestamp is older than that when it arrives is not exported (the documented limit).
 *   Measured from the watermark, the lookback covers every event ingested at most `lookback` late: the watermark is
 *   never later than the run that stored it.
 * - the watermark does not depend on n8n's clock or on the `to` of a window, only on exported events;
 * - the position is stored only after the whole run succeeded (or, with "In a Later Step", after a later step
 *   confirmed it): a run that fails half way leaves it as it was.
 * Fingerprints are counted, so two identical events at the same millisecond (login history has no ids) are both
 * exported, once each.
 *
 * Size: about 60 bytes per event exported in the lookback window (a 22-character fingerprint and its count, grouped
 * by timestamp), at most MAX_FINGERPRINTS events: a team with N events per lookback stores ≈ 60·N bytes, never more
 * than ≈ 0.6 MB. Above the cap the oldest timestamps are dropped and `seenFrom` moves up, which shortens the
 * lookback of the next run (the run says so).
 *
 * Format 2 keeps `watermark` and `boundary` as format 1 had them (a reader of format 1 still finds its position)
 * and adds `recent`, `seenFrom` and `version`. A stored position of format 1 is read as "fingerprints from the
 * watermark on", so its first run continues exactly as before and builds the lookback from there.
 */
export interface WatermarkState {
	version: 2;
	/** ISO-8601 timestamp of the newest exported event */
	watermark: string;
	/** fingerprint → how many events with that fingerprint were exported at the watermark */
	boundary: Record<string, number>;
	/** ISO timestamp before the watermark → fingerprints of the events exported at it, from `seenFrom` on */
	recent: Record<string, Record<string, number>>;
	/** every event exported at or after this time has a fingerprint here; the next run asks from no earlier */
	seenFrom: string;
	/** the team the position belongs to; another team starts over */
	team: string;
	/** statistics, for people looking at the static data */
	updatedAt: string;
	exportedTotal: number;
}

export const POSITION_VERSION = 2;
/** Cap of the fingerprints a position keeps (boundary and recent together). */
export const MAX_FINGERPRINTS = 10_000;
/** How far ahead of this clock a stored watermark may be (another machine's clock) before it counts as wrong. */
export const CLOCK_SKEW_MS = 5 * 60_000;

const START_OVER =
	'Turn on "Start Over" (Options) for one run with a Time Window that starts where your last export ended (e.g. Custom, From = the time of the last event you have); it exports that window and stores a new position. Then turn "Start Over" off again.';

/** A stored position that cannot be used; the message says why and how to start over. */
export class PositionError extends ParameterError {
	constructor(message: string) {
		super(message);
		this.name = 'PositionError';
	}
}

export function corruptedPosition(detail: string): PositionError {
	return new PositionError(
		`The stored position of this export is corrupted (${detail}), so it is not known which events were already exported; nothing was exported. ${START_OVER}`,
	);
}

/** SHA-256 (truncated) of the event as canonical JSON (keys sorted at every level). */
export function fingerprint(event: unknown): string {
	return createHash('sha256').update(canonicalJson(event)).digest('base64url').slice(0, 22);
}

export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	const keys = Object.keys(value as IDataObject)
		.filter((k) => (value as IDataObject)[k] !== undefined)
		.sort();
	return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as IDataObject)[k])}`).join(',')}}`;
}

export function timestampOf(event: IDataObject, field = 'timestamp'): number | undefined {
	const raw = event[field];
	if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
	const ms = typeof raw === 'number' ? raw : Date.parse(raw);
	return Number.isFinite(ms) ? ms : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	value !== null && typeof value === 'object' && !Array.isArray(value);
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
const show = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

function dateField(value: unknown, field: string): number {
	const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
	if (!Number.isFinite(ms)) throw corruptedPosition(`"${field}" is not a date: ${show(value)}`);
	return ms;
}

function counts(value: unknown, field: string, at?: string): Record<string, number> {
	const where = `"${field}"${at === undefined ? '' : ` at ${at}`}`;
	if (!isObject(value))
		throw corruptedPosition(`${where} is not an object of fingerprint counts: ${show(value)}`);
	for (const [print, n] of Object.entries(value)) {
		if (!isCount(n))
			throw corruptedPosition(
				`${where} counts ${show(n)} events for ${show(print)}, not a whole number above 0`,
			);
	}
	return { ...(value as Record<string, number>) };
}

/** What a stored position says: nothing, a position of this team, or one of another team. */
export interface ReadPosition {
	state?: WatermarkState;
	otherTeam?: string;
}

/**
 * Reads a stored position (`undefined` = none). Anything malformed is a PositionError, never "no position": a
 * silent fresh start would export everything again. A position in the future (beyond the clock-skew allowance) is
 * an error too: no event could ever come after it. A position of another team is returned as `otherTeam`.
 */
export function readPosition(stored: unknown, team: string, now = Date.now()): ReadPosition {
	if (stored === undefined) return {};
	if (!isObject(stored)) throw corruptedPosition(`it is not an object but ${show(stored)}`);
	const version = stored.version ?? 1;
	if (version !== 1 && version !== POSITION_VERSION) {
		if (typeof version === 'number' && Number.isInteger(version) && version > POSITION_VERSION)
			throw new PositionError(
				`The stored position of this export was written by a newer version of n8n-nodes-celonis (format ${version}). Update the package, or: ${START_OVER}`,
			);
		throw corruptedPosition(`"version" is ${show(version)}`);
	}
	const watermarkMs = dateField(stored.watermark, 'watermark');
	const boundary = counts(stored.boundary, 'boundary');
	if (typeof stored.team !== 'string') throw corruptedPosition(`"team" is ${show(stored.team)}`);
	if (stored.updatedAt !== undefined && typeof stored.updatedAt !== 'string')
		throw corruptedPosition(`"updatedAt" is ${show(stored.updatedAt)}`);
	const total = stored.exportedTotal ?? 0;
	if (!Number.isInteger(total) || (total as number) < 0)
		throw corruptedPosition(`"exportedTotal" is ${show(total)}, not a whole number of 0 or more`);

	let seenFrom = stored.watermark as string;
	const recent: WatermarkState['recent'] = {};
	if (version === POSITION_VERSION) {
		const seenFromMs = dateField(stored.seenFrom, 'seenFrom');
		if (seenFromMs > watermarkMs)
			throw corruptedPosition(
				`"seenFrom" ${show(stored.seenFrom)} is after the watermark ${show(stored.watermark)}`,
			);
		seenFrom = stored.seenFrom as string;
		if (!isObject(stored.recent))
			throw corruptedPosition(`"recent" is not an object: ${show(stored.recent)}`);
		for (const [at, group] of Object.entries(stored.recent)) {
			const ms = Date.parse(at);
			if (!Number.isFinite(ms) || ms < seenFromMs || ms >= watermarkMs)
				throw corruptedPosition(
					`"recent" has fingerprints at ${show(at)}, which is not a date from "seenFrom" up to the watermark`,
				);
			recent[at] = counts(group, 'recent', at);
		}
	}

	// Another team's position is not used, so its date does not matter.
	if (stored.team !== team) return { otherTeam: stored.team };
	if (watermarkMs > now + CLOCK_SKEW_MS) {
		throw new PositionError(
			`The stored position of this export (${stored.watermark as string}) is in the future: now is ${new Date(now).toISOString()}. No event could be exported after it, so every run would export nothing; this run stops instead. If that date is wrong (a clock was off, or the position was edited): ${START_OVER}`,
		);
	}
	return {
		state: {
			version: POSITION_VERSION,
			watermark: stored.watermark as string,
			boundary,
			recent,
			seenFrom,
			team,
			updatedAt: (stored.updatedAt as string | undefined) ?? '',
			exportedTotal: total as number,
		},
	};
}

/** The stored position of this team, or undefined (none, or another team's); PositionError when it cannot be used. */
export function readState(
	stored: unknown,
	team: string,
	now = Date.now(),
): WatermarkState | undefined {
	return readPosition(stored, team, now).state;
}

export interface TrackerOptions {
	/** how far before the watermark late events are looked for (ms); 0 = only from the watermark on */
	lookbackMs?: number;
	/** `from` of the first run's window (undefined = from the oldest event) */
	windowFrom?: number;
	maxFingerprints?: number;
	timestampField?: string;
}

type Groups = Map<number, Map<string, number>>;

/**
 * Decides event by event what a run exports and tracks the next position. Feed every event Celonis returns, in
 * order; `accept` says whether to export it.
 */
export class WatermarkTracker {
	private readonly since: number | undefined;
	/** fingerprints of the previous position at or after `from`, still to be matched */
	private readonly remaining: Groups;
	private readonly lookbackMs: number;
	private readonly maxFingerprints: number;
	private readonly timestampField: string;
	private readonly initialSeenFrom: number;
	/** exported events by timestamp, fingerprinted in `next` once it is known which fall in the lookback */
	private readonly exportedAt = new Map<number, IDataObject[]>();
	private maxTs: number | undefined;
	/** size of exportedAt at which older timestamps are let go (doubles while the lookback holds more) */
	private pruneAt = 4096;
	exported = 0;
	skipped = 0;
	/** exported events with a timestamp before the previous watermark */
	late = 0;
	/** fingerprints that did not fit under maxFingerprints in `next` */
	dropped = 0;

	constructor(
		private readonly previous: WatermarkState | undefined,
		options: TrackerOptions = {},
	) {
		this.lookbackMs = Math.max(0, options.lookbackMs ?? 0);
		this.maxFingerprints = options.maxFingerprints ?? MAX_FINGERPRINTS;
		this.timestampField = options.timestampField ?? 'timestamp';
		this.remaining = new Map();
		if (previous) {
			const watermark = Date.parse(previous.watermark);
			this.initialSeenFrom = Date.parse(previous.seenFrom);
			this.since = Math.max(watermark - this.lookbackMs, this.initialSeenFrom);
			for (const [ms, group] of groupsOf(previous))
				if (ms >= this.since) this.remaining.set(ms, new Map(group));
			this.maxTs = watermark;
		} else {
			this.initialSeenFrom = options.windowFrom ?? Number.NEGATIVE_INFINITY;
		}
	}

	/** The `from` to ask Celonis for: the lookback before the previous watermark (inclusive), if any. */
	get from(): number | undefined {
		return this.since;
	}

	accept(event: IDataObject): boolean {
		const ts = timestampOf(event, this.timestampField);
		if (ts !== undefined && this.since !== undefined) {
			if (ts < this.since) {
				this.skipped++;
				return false;
			}
			const group = this.remaining.get(ts);
			if (group) {
				const print = fingerprint(event);
				const left = group.get(print);
				if (left !== undefined) {
					if (left <= 1) group.delete(print);
					else group.set(print, left - 1);
					if (group.size === 0) this.remaining.delete(ts);
					this.skipped++;
					return false;
				}
			}
		}
		this.exported++;
		if (ts !== undefined) {
			if (this.previous && ts < Date.parse(this.previous.watermark)) this.late++;
			if (this.maxTs === undefined || ts > this.maxTs) this.maxTs = ts;
			const at = this.exportedAt.get(ts);
			if (at) at.push(event);
			else this.exportedAt.set(ts, [event]);
			// Events older than the lookback before the newest one so far are never fingerprinted: let them go.
			if (this.exportedAt.size > this.pruneAt) {
				this.forgetBefore(this.maxTs - this.lookbackMs);
				this.pruneAt = Math.max(4096, 2 * this.exportedAt.size);
			}
		}
		return true;
	}

	private forgetBefore(cutoff: number): void {
		for (const ts of this.exportedAt.keys()) if (ts < cutoff) this.exportedAt.delete(ts);
	}

	/**
	 * The position after this run, to store once the run succeeded. A first run that found no event starts the
	 * position at `emptyUntil` (the end of its window), so that the next run does not fall back to the initial
	 * window and skip what happened in between.
	 */
	next(team: string, emptyUntil?: number, now: Date = new Date()): WatermarkState | undefined {
		if (this.exportedAt.size === 0) {
			if (this.previous || emptyUntil === undefined) return this.previous;
			return serialize({
				watermark: emptyUntil,
				groups: new Map(),
				seenFrom: Math.max(this.initialSeenFrom, emptyUntil - this.lookbackMs),
				team,
				now,
				exportedTotal: 0,
			});
		}
		const watermark = this.maxTs!;
		const cutoff = watermark - this.lookbackMs;
		this.forgetBefore(cutoff);
		const groups: Groups = new Map();
		for (const [ms, group] of this.previous ? groupsOf(this.previous) : [])
			if (ms >= cutoff) groups.set(ms, new Map(group));
		for (const [ms, events] of this.exportedAt) {
			const group = groups.get(ms) ?? new Map<string, number>();
			for (const event of events) {
				const print = fingerprint(event);
				group.set(print, (group.get(print) ?? 0) + 1);
			}
			groups.set(ms, group);
		}
		let seenFrom = Math.max(this.initialSeenFrom, cutoff);
		// Over the cap: drop whole timestamps, oldest first, never the watermark's.
		let total = 0;
		for (const group of groups.values()) for (const n of group.values()) total += n;
		if (total > this.maxFingerprints) {
			for (const ms of [...groups.keys()].sort((a, b) => a - b)) {
				if (total <= this.maxFingerprints || ms === watermark) break;
				const size = [...groups.get(ms)!.values()].reduce((a, b) => a + b, 0);
				groups.delete(ms);
				total -= size;
				this.dropped += size;
			}
			seenFrom = Math.max(seenFrom, Math.min(...groups.keys()));
		}
		return serialize({
			watermark,
			groups,
			seenFrom,
			team,
			now,
			exportedTotal: (this.previous?.exportedTotal ?? 0) + this.exported,
		});
	}
}

/** boundary (at the watermark) and recent of a position as one map by epoch ms */
function groupsOf(state: WatermarkState): Groups {
	const groups: Groups = new Map();
	for (const [at, group] of Object.entries(state.recent))
		groups.set(Date.parse(at), new Map(Object.entries(group)));
	if (Object.keys(state.boundary).length > 0)
		groups.set(Date.parse(state.watermark), new Map(Object.entries(state.boundary)));
	return groups;
}

function serialize(p: {
	watermark: number;
	groups: Groups;
	seenFrom: number;
	team: string;
	now: Date;
	exportedTotal: number;
}): WatermarkState {
	const recent: WatermarkState['recent'] = {};
	for (const ms of [...p.groups.keys()].sort((a, b) => a - b))
		if (ms !== p.watermark)
			recent[new Date(ms).toISOString()] = Object.fromEntries(p.groups.get(ms)!);
	return {
		version: POSITION_VERSION,
		watermark: new Date(p.watermark).toISOString(),
		boundary: Object.fromEntries(p.groups.get(p.watermark) ?? []),
		recent,
		seenFrom: new Date(Math.min(p.seenFrom, p.watermark)).toISOString(),
		team: p.team,
		updatedAt: p.now.toISOString(),
		exportedTotal: p.exportedTotal,
	};
}

/** "Late Event Lookback (Minutes)": sized to Celonis' ingestion delay (an event can appear minutes after its time). */
export const DEFAULT_LOOKBACK_MINUTES = 10;
export const MAX_LOOKBACK_MINUTES = 1440;
