import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * "Since last run" exports. The position is the newest event timestamp exported so far (the watermark)
 * plus the fingerprints of the events exported AT that timestamp (the boundary). The next run asks
 * Celonis for events from the watermark on (`from` is inclusive) and skips what it already exported:
 * events before the watermark and boundary events it has a fingerprint for. So:
 * - events that arrive between runs are exported by the next run, including ones that share the
 *   watermark's timestamp (they have a new fingerprint);
 * - the watermark does not depend on n8n's clock or on the `to` of a window, only on exported events;
 * - the position is stored only after the whole run succeeded: a run that fails half way leaves it as
 *   it was, and the next run exports the same events again, so nothing is lost or exported twice by
 *   successful runs.
 * Fingerprints are counted, so two identical events at the same millisecond (login history has no ids)
 * are both exported, once each.
 */
export interface WatermarkState {
	/** ISO-8601 timestamp of the newest exported event */
	watermark: string;
	/** fingerprint → how many events with that fingerprint were exported at the watermark */
	boundary: Record<string, number>;
	/** the team the position belongs to; another team starts over */
	team: string;
	/** statistics, for people looking at the static data */
	updatedAt: string;
	exportedTotal: number;
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

/** Reads a stored position; anything malformed or from another team counts as "no position". */
export function readState(stored: unknown, team: string): WatermarkState | undefined {
	if (stored === null || typeof stored !== 'object') return undefined;
	const s = stored as Partial<WatermarkState>;
	if (typeof s.watermark !== 'string' || !Number.isFinite(Date.parse(s.watermark)))
		return undefined;
	if (s.team !== team) return undefined;
	const boundary = s.boundary !== null && typeof s.boundary === 'object' ? s.boundary : {};
	return {
		watermark: s.watermark,
		boundary: { ...boundary },
		team,
		updatedAt: String(s.updatedAt ?? ''),
		exportedTotal: Number(s.exportedTotal) || 0,
	};
}

/**
 * Decides event by event what a run exports and tracks the next position. Feed every event Celonis
 * returns, in order; `accept` says whether to export it.
 */
export class WatermarkTracker {
	private readonly since: number | undefined;
	/** boundary fingerprints of the previous run still to be matched */
	private readonly remaining: Map<string, number>;
	private maxTs: number | undefined;
	/** exported events at the current maximum timestamp (fingerprinted when the position is stored) */
	private atMax: IDataObject[] = [];
	private previous: WatermarkState | undefined;
	exported = 0;
	skipped = 0;

	constructor(
		previous: WatermarkState | undefined,
		private readonly timestampField = 'timestamp',
	) {
		this.previous = previous;
		this.since = previous ? Date.parse(previous.watermark) : undefined;
		this.remaining = new Map(Object.entries(previous?.boundary ?? {}));
		if (previous) {
			this.maxTs = this.since;
		}
	}

	/** The `from` to ask Celonis for: the previous watermark (inclusive), if any. */
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
			if (ts === this.since && this.remaining.size > 0) {
				const print = fingerprint(event);
				const left = this.remaining.get(print);
				if (left !== undefined) {
					if (left <= 1) this.remaining.delete(print);
					else this.remaining.set(print, left - 1);
					this.skipped++;
					return false;
				}
			}
		}
		this.exported++;
		if (ts !== undefined) {
			if (this.maxTs === undefined || ts > this.maxTs) {
				this.maxTs = ts;
				this.atMax = [event];
			} else if (ts === this.maxTs) {
				this.atMax.push(event);
			}
		}
		return true;
	}

	/**
	 * The position after this run, to store once the run succeeded. A first run that found no event
	 * starts the position at `emptyUntil` (the end of its window), so that the next run does not fall
	 * back to the initial window and skip what happened in between.
	 */
	next(team: string, emptyUntil?: number, now: Date = new Date()): WatermarkState | undefined {
		if (this.maxTs === undefined) {
			if (this.previous || emptyUntil === undefined) return this.previous;
			return {
				watermark: new Date(emptyUntil).toISOString(),
				boundary: {},
				team,
				updatedAt: now.toISOString(),
				exportedTotal: 0,
			};
		}
		const boundary: Record<string, number> = {};
		// Still at the previous watermark: the previous boundary events remain exported too.
		if (this.previous && this.maxTs === this.since) Object.assign(boundary, this.previous.boundary);
		for (const event of this.atMax) {
			const print = fingerprint(event);
			boundary[print] = (boundary[print] ?? 0) + 1;
		}
		return {
			watermark: new Date(this.maxTs).toISOString(),
			boundary,
			team,
			updatedAt: now.toISOString(),
			exportedTotal: (this.previous?.exportedTotal ?? 0) + this.exported,
		};
	}
}
