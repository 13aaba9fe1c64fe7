/** Sliding-window counters: the generic per-team limiter, the data-push submission limiter, the Intelligence limits. */

/** Counts events in a sliding window of `windowMs` (timestamps kept in a ring; cheap at thousands of req/s). */
export class RateWindow {
	private stamps: number[] = [];
	private head = 0;
	constructor(public windowMs: number) {}

	private prune(now: number): void {
		const min = now - this.windowMs;
		while (this.head < this.stamps.length && (this.stamps[this.head] as number) <= min) this.head++;
		if (this.head > 4096 && this.head * 2 > this.stamps.length) {
			this.stamps = this.stamps.slice(this.head);
			this.head = 0;
		}
	}

	count(now = Date.now()): number {
		this.prune(now);
		return this.stamps.length - this.head;
	}

	/** Record one event if the count stays ≤ limit; returns whether it was admitted. */
	tryAdd(limit: number, now = Date.now()): boolean {
		if (this.count(now) >= limit) return false;
		this.stamps.push(now);
		return true;
	}

	add(now = Date.now()): void {
		this.stamps.push(now);
	}

	/** Seconds until one slot frees up (≥ 1). */
	secondsUntilFree(now = Date.now()): number {
		this.prune(now);
		const oldest = this.stamps[this.head];
		if (oldest === undefined) return 1;
		return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
	}

	clear(): void {
		this.stamps = [];
		this.head = 0;
	}
}

/**
 * Data-push job submissions per team: N per second (sliding) and M per hour, the hour window starting at the full UTC
 * hour (docs/celonis-api.md#rate-limits).
 */
export class SubmissionLimiter {
	private second = new RateWindow(1000);
	private hourStart = 0;
	private hourCount = 0;

	check(
		perSecond: number,
		perHour: number,
		now = Date.now(),
	): { ok: boolean; limit: number; remaining: number; resetSeconds: number } {
		const hour = Math.floor(now / 3600_000) * 3600_000;
		if (hour !== this.hourStart) {
			this.hourStart = hour;
			this.hourCount = 0;
		}
		const secondsToHour = Math.max(1, Math.ceil((hour + 3600_000 - now) / 1000));
		if (this.hourCount >= perHour)
			return { ok: false, limit: perHour, remaining: 0, resetSeconds: secondsToHour };
		if (!this.second.tryAdd(perSecond, now))
			return {
				ok: false,
				limit: perSecond,
				remaining: 0,
				resetSeconds: this.second.secondsUntilFree(now),
			};
		this.hourCount++;
		return {
			ok: true,
			limit: perHour,
			remaining: perHour - this.hourCount,
			resetSeconds: secondsToHour,
		};
	}

	clear(): void {
		this.second.clear();
		this.hourStart = 0;
		this.hourCount = 0;
	}
}
