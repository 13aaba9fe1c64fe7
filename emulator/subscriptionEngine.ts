/**
 * Event subscriptions: callback probe at creation, event delivery with undici, retries and the status machine of
 * reference §10.5 (active → failed → suspended; paused; SKIP_ERRORS drops failed events).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { z } from 'zod';
import type { Store } from './store';

export interface EventDTO {
	subscriberId: string;
	triggerId: string;
	offset: number;
	creationDate: string;
	event: {
		id: string;
		identifier: string;
		typedIdentifier: unknown;
		fields: { id: string; value: unknown; type: string; isIdentifier: boolean }[];
	};
}

export interface Delivery {
	offset: number;
	attempt: number;
	status: number | null;
	error?: string;
	at: string;
}

export interface Subscription {
	id: string;
	name: string;
	status: 'active' | 'failed' | 'suspended' | 'paused' | 'rejected';
	configurations: string[];
	knowledgeModelId: string;
	triggerId: string;
	callbackInfo: { uri: string; protocol: string; headers: Record<string, string> };
	creationDate: string;
	ownerName: string;
	nextOffset: number;
	latestSucceedEvent: string | null;
	lastSuccessEventOffset: number | null;
	queue: EventDTO[];
	history: EventDTO[];
	skipped: number;
	failedSince: number | null;
	delivering: boolean;
	deliveries: Delivery[];
}

export function subscriptions(store: Store): Map<string, Subscription> {
	let m = store.ext.subscriptions as Map<string, Subscription> | undefined;
	if (!m) {
		const created = new Map<string, Subscription>();
		m = created;
		store.ext.subscriptions = created;
		store.resetHooks.push(() => created.clear());
	}
	return m;
}

export function presentSubscription(s: Subscription): Record<string, unknown> {
	return {
		id: s.id,
		name: s.name,
		status: s.status,
		configurations: s.configurations,
		knowledgeModelId: s.knowledgeModelId,
		triggerId: s.triggerId,
		latestSucceedEvent: s.latestSucceedEvent,
		offset: s.nextOffset,
		creationDate: s.creationDate,
		ownerName: s.ownerName,
		callbackInfo: { uri: s.callbackInfo.uri, protocol: s.callbackInfo.protocol },
		lastSuccessEventOffset: s.lastSuccessEventOffset,
	};
}

/** Probe the callback: any HTTP answer below 500 counts as reachable. */
export async function probeCallback(
	store: Store,
	uri: string,
	headers: Record<string, string>,
): Promise<{ ok: boolean; detail: string }> {
	const cfg = store.config.subscriptions;
	if (cfg.probeMethod === 'NONE') return { ok: true, detail: 'probe disabled' };
	try {
		const r = await request(uri, {
			method: cfg.probeMethod,
			headers:
				cfg.probeMethod === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
			body: cfg.probeMethod === 'POST' ? JSON.stringify({ probe: true }) : undefined,
			headersTimeout: cfg.probeTimeoutMs,
			bodyTimeout: cfg.probeTimeoutMs,
		});
		await r.body.dump();
		return r.statusCode < 500
			? { ok: true, detail: `HTTP ${r.statusCode}` }
			: { ok: false, detail: `HTTP ${r.statusCode}` };
	} catch (e) {
		return { ok: false, detail: (e as Error).message };
	}
}

async function deliverOnce(
	store: Store,
	s: Subscription,
	ev: EventDTO,
	attempt: number,
): Promise<boolean> {
	const cfg = store.config.subscriptions;
	const d: Delivery = { offset: ev.offset, attempt, status: null, at: new Date().toISOString() };
	s.deliveries.push(d);
	if (s.deliveries.length > 500) s.deliveries.splice(0, s.deliveries.length - 500);
	try {
		const r = await request(s.callbackInfo.uri, {
			method: 'POST',
			headers: {
				'user-agent': 'Celonis-Emulator-EventSubscription/1.0',
				...s.callbackInfo.headers,
				'content-type': 'application/json',
			},
			body: JSON.stringify(cfg.deliveryFormat === 'array' ? [ev] : ev),
			headersTimeout: cfg.deliveryTimeoutMs,
			bodyTimeout: cfg.deliveryTimeoutMs,
		});
		await r.body.dump();
		d.status = r.statusCode;
		return r.statusCode >= 200 && r.statusCode < 300;
	} catch (e) {
		d.error = (e as Error).message;
		return false;
	}
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function succeeded(s: Subscription, ev: EventDTO): void {
	s.latestSucceedEvent = new Date().toISOString();
	s.lastSuccessEventOffset = ev.offset;
}

/** Deliver queued events in order while the subscription is active. */
export async function drain(store: Store, s: Subscription): Promise<void> {
	if (s.delivering) return;
	s.delivering = true;
	try {
		while (s.status === 'active' && s.queue.length > 0 && subscriptions(store).get(s.id) === s) {
			const ev = s.queue[0] as EventDTO;
			let ok = false;
			const tries = 1 + store.config.subscriptions.retries;
			for (let a = 1; a <= tries && !ok; a++) {
				if (a > 1) await sleep(store.config.subscriptions.retryDelayMs);
				if (s.status !== 'active') return;
				ok = await deliverOnce(store, s, ev, a);
			}
			if (ok) {
				s.queue.shift();
				succeeded(s, ev);
			} else if (s.configurations.includes('SKIP_ERRORS')) {
				s.queue.shift();
				s.skipped++;
			} else {
				s.status = 'failed';
				s.failedSince = Date.now();
				scheduleRecovery(store, s);
			}
		}
	} finally {
		s.delivering = false;
	}
}

/** Auto-recovery: periodically retry the head event; failed longer than suspendAfterMs → suspended. */
function scheduleRecovery(store: Store, s: Subscription): void {
	store.schedule(() => {
		void (async () => {
			if (s.status !== 'failed' || subscriptions(store).get(s.id) !== s) return;
			if (Date.now() - (s.failedSince ?? Date.now()) >= store.config.subscriptions.suspendAfterMs) {
				s.status = 'suspended';
				return;
			}
			const ev = s.queue[0];
			if (!ev) {
				s.status = 'active';
				return;
			}
			if (await deliverOnce(store, s, ev, 0)) {
				s.queue.shift();
				succeeded(s, ev);
				s.status = 'active';
				s.failedSince = null;
				void drain(store, s);
			} else scheduleRecovery(store, s);
		})();
	}, store.config.subscriptions.recoveryIntervalMs);
}

export function activate(store: Store, s: Subscription): void {
	s.status = 'active';
	s.failedSince = null;
	void drain(store, s);
}

const TYPE_MAP: Record<string, string> = {
	string: 'STRING',
	float: 'FLOAT',
	number: 'FLOAT',
	integer: 'INT',
	int: 'INT',
	date: 'DATE',
	datetime: 'DATE',
	timestamp: 'DATE',
	boolean: 'STRING',
};

export const fireSchema = z
	.object({
		fields: z
			.union([
				z.record(z.unknown()),
				z.array(
					z.object({
						id: z.string(),
						value: z.unknown(),
						type: z.string().optional(),
						isIdentifier: z.boolean().optional(),
					}),
				),
			])
			.optional(),
		identifier: z.string().optional(),
		count: z.number().int().min(1).max(10000).optional(),
	})
	.strict()
	.optional();

/** Emit `count` events of a trigger to every subscription of it; with wait=true resolve after delivery attempts. */
export async function fireTrigger(
	store: Store,
	triggerId: string,
	body: z.infer<typeof fireSchema>,
	wait: boolean,
): Promise<Record<string, unknown>> {
	const km = store.seed.knowledgeModels.find((k) => k.triggers.some((t) => t.id === triggerId));
	const trigger = km?.triggers.find((t) => t.id === triggerId);
	if (!km || !trigger)
		return { error: `Unknown trigger ${triggerId}`, triggerId, subscriptions: 0, events: [] };
	const record = km.records.find((r) => r.id === trigger.record);
	const subs = [...subscriptions(store).values()].filter((s) => s.triggerId === triggerId);
	const events: { subscriptionId: string; offset: number; status: string }[] = [];
	const count = body?.count ?? 1;
	for (let i = 0; i < count; i++) {
		const sample = (record?.rows[i % Math.max(1, record.rows.length)] ?? {}) as Record<
			string,
			unknown
		>;
		let fields: EventDTO['event']['fields'];
		if (Array.isArray(body?.fields))
			fields = body.fields.map((f, j) => ({
				id: f.id,
				value: f.value ?? null,
				type: f.type ?? 'STRING',
				isIdentifier: f.isIdentifier ?? j === 0,
			}));
		else {
			const values = {
				...Object.fromEntries(trigger.fields.map((f) => [f.name, sample[f.name] ?? null])),
				...(body?.fields ?? {}),
			};
			fields = Object.entries(values).map(([id, value], j) => ({
				id,
				value,
				type: TYPE_MAP[trigger.fields.find((f) => f.name === id)?.type ?? 'string'] ?? 'STRING',
				isIdentifier: j === 0,
			}));
		}
		const identifier = body?.identifier ?? String(fields[0]?.value ?? randomUUID());
		const eventId = randomUUID();
		for (const s of subs) {
			const ev: EventDTO = {
				subscriberId: s.id,
				triggerId,
				offset: s.nextOffset++,
				creationDate: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
				event: { id: eventId, identifier, typedIdentifier: fields[0]?.value ?? identifier, fields },
			};
			s.history.push(ev);
			if (s.history.length > 10000) s.history.shift();
			s.queue.push(ev);
			events.push({ subscriptionId: s.id, offset: ev.offset, status: s.status });
		}
	}
	const drains = subs.map((s) => drain(store, s));
	if (wait) await Promise.all(drains);
	return {
		triggerId,
		subscriptions: subs.length,
		events,
		statuses: Object.fromEntries(subs.map((s) => [s.id, s.status])),
	};
}
