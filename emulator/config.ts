/** Run-time configuration of the emulator (GET/PUT /__emulator/config, emu.configure()). */
import { z } from 'zod';

const delays = z.object({ queuedMs: z.number().int().min(0), runningMs: z.number().int().min(0) });

export const configSchema = z.object({
	/** `expires_in` of issued access tokens. */
	tokenLifetimeSeconds: z.number().int().min(1),
	refreshTokenLifetimeSeconds: z.number().int().min(1),
	/** Data-push job submission limits per team (execute calls). */
	dataPush: z.object({
		perSecond: z.number().int().min(1),
		perHour: z.number().int().min(1),
		unlimited: z.boolean(),
	}),
	/** Data-push job state machine delays. */
	jobDelays: delays,
	/** Integration data-job execution delays. */
	dataJobDelays: delays,
	/** Data model load (RUNNING → SUCCESS) duration. */
	modelLoadMs: z.number().int().min(0),
	/** Continuous push: delay before an item is flushed into its table. */
	continuousFlushMs: z.number().int().min(0),
	maxChunkBytes: z.number().int().min(1),
	/** Generic per-team limiter for every authenticated API request; null = off. */
	rateLimit: z.object({
		requestsPerSecond: z.number().int().min(1).nullable(),
		nominalLimit: z.number().int().min(1),
	}),
	/** Intelligence API limits (reference §4.2). */
	intelligence: z.object({ perSecond: z.number().int().min(1), perDay: z.number().int().min(1) }),
	/** Sizes of generated team data; changing them regenerates that data (appended events are kept). */
	generated: z.object({
		auditEvents: z.number().int().min(0),
		loginEvents: z.number().int().min(0),
		trackingEvents: z.number().int().min(0),
		members: z.number().int().min(0),
		seed: z.number().int(),
		/** ISO time of the newest generated event, or "now" (taken when the data is generated, rounded down to the second). */
		anchor: z.string(),
		spanDays: z.number().positive(),
	}),
	subscriptions: z.object({
		probeMethod: z.enum(['HEAD', 'GET', 'POST', 'NONE']),
		probeTimeoutMs: z.number().int().min(1),
		deliveryTimeoutMs: z.number().int().min(1),
		retries: z.number().int().min(0),
		retryDelayMs: z.number().int().min(0),
		recoveryIntervalMs: z.number().int().min(1),
		suspendAfterMs: z.number().int().min(1),
		allowHttpCallbacks: z.boolean(),
		maxSubscriptions: z.number().int().min(1),
		deliveryFormat: z.enum(['object', 'array']),
	}),
	requestLogLimit: z.number().int().min(1),
});

export type EmulatorConfig = z.infer<typeof configSchema>;
export const configPatchSchema = configSchema.deepPartial().strict();
export type ConfigPatch = z.infer<typeof configPatchSchema>;

export function defaultConfig(): EmulatorConfig {
	return {
		tokenLifetimeSeconds: 899,
		refreshTokenLifetimeSeconds: 30 * 24 * 3600,
		dataPush: { perSecond: 10, perHour: 250, unlimited: false },
		jobDelays: { queuedMs: 50, runningMs: 100 },
		dataJobDelays: { queuedMs: 50, runningMs: 100 },
		modelLoadMs: 100,
		continuousFlushMs: 100,
		maxChunkBytes: 1024 * 1024 * 1024,
		rateLimit: { requestsPerSecond: null, nominalLimit: 10000 },
		intelligence: { perSecond: 20, perDay: 6000 },
		generated: {
			auditEvents: 1000,
			loginEvents: 500,
			trackingEvents: 300,
			members: 25,
			seed: 42,
			anchor: 'now',
			spanDays: 30,
		},
		subscriptions: {
			probeMethod: 'HEAD',
			probeTimeoutMs: 2000,
			deliveryTimeoutMs: 5000,
			retries: 3,
			retryDelayMs: 100,
			recoveryIntervalMs: 1000,
			suspendAfterMs: 8 * 3600 * 1000,
			allowHttpCallbacks: true,
			maxSubscriptions: 10,
			deliveryFormat: 'object',
		},
		requestLogLimit: 10000,
	};
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge<T>(base: T, patch: unknown): T {
	if (!isPlainObject(base) || !isPlainObject(patch))
		return (patch === undefined ? base : patch) as T;
	const out: Record<string, unknown> = { ...base };
	for (const [k, v] of Object.entries(patch)) {
		if (v === undefined) continue;
		out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
	}
	return out as T;
}
