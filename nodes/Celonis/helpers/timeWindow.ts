import { DateTime } from 'luxon';

import { ParameterError } from './nodeErrors';

/**
 * Time windows of the event exports (audit log, login history, tracking events). Celonis filters on the
 * event timestamp with `from` inclusive and `to` exclusive; both are sent as ISO-8601 UTC with milliseconds.
 */
export type WindowPreset =
	| 'all'
	| 'lastHour'
	| 'last24Hours'
	| 'last7Days'
	| 'last30Days'
	| 'custom';

export interface TimeWindow {
	/** epoch ms, inclusive; undefined = from the oldest event Celonis keeps */
	from?: number;
	/** epoch ms, exclusive; undefined = up to the newest event */
	to?: number;
}

const PRESET_MS: Record<Exclude<WindowPreset, 'all' | 'custom'>, number> = {
	lastHour: 3_600_000,
	last24Hours: 86_400_000,
	last7Days: 7 * 86_400_000,
	last30Days: 30 * 86_400_000,
};

/**
 * A date parameter as epoch ms: ISO-8601 text (without an offset it is read in the workflow's time zone,
 * like n8n's date pickers), epoch milliseconds, a JS Date or a Luxon DateTime from an expression.
 */
export function parseDateParameter(
	value: unknown,
	field: string,
	timezone: string,
): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (DateTime.isDateTime(value)) {
		if (!value.isValid) throw invalidDate(field, String(value.invalidExplanation ?? value));
		return value.toMillis();
	}
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw invalidDate(field, 'Invalid Date');
		return value.getTime();
	}
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw invalidDate(field, String(value));
		return value;
	}
	if (typeof value !== 'string') throw invalidDate(field, value);
	const text = value.trim();
	if (/^\d{12,14}$/.test(text)) return Number(text);
	const parsed = DateTime.fromISO(text, { zone: timezone || 'UTC', setZone: true });
	if (!parsed.isValid) throw invalidDate(field, text);
	return parsed.toMillis();
}

function invalidDate(field: string, got: unknown): ParameterError {
	return new ParameterError(
		`"${field}" is not a valid date: ${JSON.stringify(got)}. Use ISO-8601, e.g. 2025-01-31T00:00:00Z or 2025-01-31 (read in the workflow's time zone).`,
	);
}

/**
 * The window to export: a preset relative to `now`, or custom From/To. From after To, a window that
 * starts in the future and invalid dates are refused; a To in the future is capped at `now`, because
 * events that do not exist yet cannot be exported.
 */
export function resolveWindow(
	preset: WindowPreset,
	custom: { from?: unknown; to?: unknown },
	now: number,
	timezone: string,
): TimeWindow {
	if (preset === 'all') return { to: now };
	if (preset !== 'custom') {
		const span = PRESET_MS[preset];
		if (span === undefined) throw new ParameterError(`Unknown time window "${String(preset)}".`);
		return { from: now - span, to: now };
	}
	const from = parseDateParameter(custom.from, 'From', timezone);
	const to = parseDateParameter(custom.to, 'To', timezone);
	if (from !== undefined && from > now) {
		throw new ParameterError(
			`The time window starts in the future ("From" is ${iso(from)}, now is ${iso(now)}), so it holds no events yet. Choose a "From" in the past.`,
		);
	}
	if (from !== undefined && to !== undefined && from >= to) {
		throw new ParameterError(
			`"From" (${iso(from)}) must be before "To" (${iso(to)}). Swap the two dates or widen the window.`,
		);
	}
	return { from, to: to === undefined ? now : Math.min(to, now) };
}

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** The query parameters of a window: `from` / `to` as ISO-8601 UTC with milliseconds. */
export function windowQuery(window: TimeWindow): Record<string, string> {
	const qs: Record<string, string> = {};
	if (window.from !== undefined) qs.from = iso(window.from);
	if (window.to !== undefined) qs.to = iso(window.to);
	return qs;
}
