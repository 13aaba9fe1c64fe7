/** Run-time configuration of the emulator (GET/PUT /__emulator/config, emu.configure()). */
import { z } from 'zod';

const delays = z.object({ queuedMs: z.number().int().min(0), runningMs: z.number().int().min(0) });

export const configSchema = z.object({
	/** `expires_in` of issued access tokens. */
	tokenLifetimeSeconds: z.number().int().min(1),
	refreshTokenLifetimeSeconds: z.number().int().min(1),
	/** Authorization-code flow (docs/celonis-api.md#authorization-code). */
	oauth: z.object({
		/** Approve every authorization request without showing the consent page (non-interactive tests). */
		autoApprove: z.boolean(),
		codeLifetimeSeconds: z.number().int().min(1),
		/** The consent page's two choices: "30 days" (Celonis' maximum) and "15 minutes". */
		consentLifetimeSeconds: z.number().int().min(1),
		shortConsentLifetimeSeconds: z.number().int().min(1),
		/** Refuse authorization requests without a PKCE code_challenge. */
		requirePkce: z.boolean(),
		/**
		 * How client_secret_basic credentials are decoded: form-urlencoded, raw (what n8n sends), or either (the decoded
		 * pair first); see docs/celonis-api.md#client-credentials.
		 */
		basicCredentials: z.enum(['urlencoded-or-raw', 'urlencoded', 'raw']),
	}),
	/** Data-push job submission limits per team (execute calls). */
	dataPush: z.object({
		perSecond: z.number().int().min(1),
		perHour: z.number().int().min(1),
		unlimited: z.boolean(),
		/**
		 * false: executed REPLACE jobs are read, checked and counted chunk by chunk, but their rows are not kept (the
		 * table reports its row count, its rows stay empty) — for pushes of gigabytes.
		 */
		keepRows: z.boolean(),
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
	/** Intelligence API limits (docs/celonis-api.md#rate-limits). */
	intelligence: z.object({
		perSecond: z.number().int().min(1),
		perDay: z.number().int().min(1),
		/** Record data reads see only the first N records of a filtered, sorted table. */
		maxDataRecords: z.number().int().min(1),
	}),
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
	/** Event subscriptions; Celonis documents neither the probe nor the delivery format nor the retry policy. */
	subscriptions: z.object({
		/** How the callback is probed at create/update; NONE = not probed. */
		probeMethod: z.enum(['HEAD', 'GET', 'POST', 'NONE']),
		/** Which probe answers count as reachable. */
		probeAccept: z.enum(['below-500', '2xx']),
		probeTimeoutMs: z.number().int().min(1),
		deliveryTimeoutMs: z.number().int().min(1),
		/** Retries of a failed delivery before the subscription fails (or, with SKIP_ERRORS, drops the events). */
		retries: z.number().int().min(0),
		retryDelayMs: z.number().int().min(0),
		/** fixed: retryDelayMs between tries; exponential: retryDelayMs × 2^(retry − 1). */
		retryBackoff: z.enum(['fixed', 'exponential']),
		recoveryIntervalMs: z.number().int().min(1),
		suspendAfterMs: z.number().int().min(1),
		allowHttpCallbacks: z.boolean(),
		maxSubscriptions: z.number().int().min(1),
		/** object: one eventDTO per POST; array: a JSON array of up to batchSize eventDTOs per POST. */
		deliveryFormat: z.enum(['object', 'array']),
		batchSize: z.number().int().min(1).max(1000),
		/** Entries kept in the delivery log (one per event and attempt). */
		deliveryLogLimit: z.number().int().min(1),
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
		oauth: {
			autoApprove: false,
			codeLifetimeSeconds: 60,
			consentLifetimeSeconds: 30 * 24 * 3600,
			shortConsentLifetimeSeconds: 15 * 60,
			requirePkce: false,
			basicCredentials: 'urlencoded-or-raw',
		},
		dataPush: { perSecond: 10, perHour: 250, unlimited: false, keepRows: true },
		jobDelays: { queuedMs: 50, runningMs: 100 },
		dataJobDelays: { queuedMs: 50, runningMs: 100 },
		modelLoadMs: 100,
		continuousFlushMs: 100,
		maxChunkBytes: 1024 * 1024 * 1024,
		rateLimit: { requestsPerSecond: null, nominalLimit: 10000 },
		intelligence: { perSecond: 20, perDay: 6000, maxDataRecords: 5000 },
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
			batchSize: 1,
			deliveryLogLimit: 100_000,
			probeAccept: 'below-500',
			retryBackoff: 'fixed',
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
