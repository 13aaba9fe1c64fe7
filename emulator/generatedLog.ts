/**
 * A time-ordered event log made of N lazily generated events (produced by index, never materialised) plus events
 * appended at run time. Order key: (timestamp, source: generated before appended, index/sequence).
 * Range filters are `from` inclusive, `to` exclusive.
 */
export interface LogKey {
	ts: number;
	src: 0 | 1;
	n: number;
}
interface Appended<T> {
	ts: number;
	seq: number;
	event: T;
}

export class GeneratedLog<T> {
	private appended: Appended<T>[] = [];
	private appendSeq = 0;

	constructor(
		public count: number,
		/** timestamp (ms) of generated event i; must be non-decreasing in i */
		private tsAt: (i: number) => number,
		private make: (i: number, ts: number) => T,
		private tsOf: (e: T) => number,
	) {}

	append(events: T[]): void {
		for (const event of events) {
			const item = { ts: this.tsOf(event), seq: this.appendSeq++, event };
			// keep sorted by (ts, seq): insert after every entry with ts <= item.ts
			let lo = 0;
			let hi = this.appended.length;
			while (lo < hi) {
				const mid = (lo + hi) >>> 1;
				if ((this.appended[mid] as Appended<T>).ts <= item.ts) lo = mid + 1;
				else hi = mid;
			}
			this.appended.splice(lo, 0, item);
		}
	}

	get appendedCount(): number {
		return this.appended.length;
	}

	clearAppended(): void {
		this.appended = [];
	}

	get total(): number {
		return this.count + this.appended.length;
	}

	/** Generated events with ts < t (strict=true) or ts <= t. */
	private countA(t: number, inclusive: boolean): number {
		let lo = 0;
		let hi = this.count;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			const ts = this.tsAt(mid);
			if (ts < t || (inclusive && ts === t)) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	private countB(t: number, inclusive: boolean): number {
		let lo = 0;
		let hi = this.appended.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			const ts = (this.appended[mid] as Appended<T>).ts;
			if (ts < t || (inclusive && ts === t)) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** Merged position of the first event with ts >= t. */
	positionOfTime(t: number): number {
		return this.countA(t, false) + this.countB(t, false);
	}

	/** Number of events ordered at or before the key (i.e. position just after it). */
	positionAfterKey(k: LogKey): number {
		let a: number;
		let b: number;
		if (k.src === 0) {
			a = Math.min(k.n + 1, this.count);
			b = this.countB(k.ts, false);
		} else {
			a = this.countA(k.ts, true);
			b = this.countB(k.ts, false);
			while (b < this.appended.length) {
				const x = this.appended[b] as Appended<T>;
				if (x.ts === k.ts && x.seq <= k.n) b++;
				else break;
			}
		}
		return a + b;
	}

	/** Split merged position k into (generated index i, appended index j). */
	private split(k: number): [number, number] {
		const nA = this.count;
		const nB = this.appended.length;
		let lo = Math.max(0, k - nA);
		let hi = Math.min(k, nB);
		while (lo <= hi) {
			const j = (lo + hi) >>> 1;
			const i = k - j;
			if (j > 0 && i < nA && (this.appended[j - 1] as Appended<T>).ts >= this.tsAt(i)) hi = j - 1;
			else if (i > 0 && j < nB && this.tsAt(i - 1) > (this.appended[j] as Appended<T>).ts)
				lo = j + 1;
			else return [i, j];
		}
		return [k - lo, lo];
	}

	/** Events at merged positions [start, end), with their order keys. */
	slice(start: number, end: number): { event: T; key: LogKey }[] {
		const out: { event: T; key: LogKey }[] = [];
		if (end <= start) return out;
		let [i, j] = this.split(start);
		for (let k = start; k < end; k++) {
			const ta = i < this.count ? this.tsAt(i) : Infinity;
			const b = this.appended[j];
			if (i < this.count && (!b || ta <= b.ts)) {
				out.push({ event: this.make(i, ta), key: { ts: ta, src: 0, n: i } });
				i++;
			} else if (b) {
				out.push({ event: b.event, key: { ts: b.ts, src: 1, n: b.seq } });
				j++;
			} else break;
		}
		return out;
	}

	/** Merged [start, end) positions of the time range [from, to). */
	range(from?: number, to?: number): [number, number] {
		const start = from === undefined ? 0 : this.positionOfTime(from);
		const end = to === undefined ? this.total : this.positionOfTime(to);
		return [start, Math.max(start, end)];
	}
}

/** Every event in order (materialises them — for test comparisons, not for the request path). */
export function allEvents<T>(log: GeneratedLog<T>): T[] {
	return log.slice(0, log.total).map((x) => x.event);
}
