/**
 * Event subscriptions of the Event Subscription API (docs/celonis-api.md#event-subscription-api): the callback probe,
 * delivery to the callback with retries, and the status machine active → failed → suspended (paused; SKIP_ERRORS drops
 * failed events). One pump per subscription delivers its queue in offset order, so an event is never sent twice
 * concurrently and never overtaken. Every attempt is written to the delivery log that `/__emulator/deliveries` shows.
 */
import { request } from 'undici';
import type { EmulatorConfig } from './config';

type Config = EmulatorConfig['subscriptions'];

export interface EventField {
	id: string;
	value: unknown;
	type: string;
	isIdentifier: boolean;
}

/** The documented `eventDTO`: one event of one subscription. */
export interface EventDTO {
	subscriberId: string;
	triggerId: string;
	offset: number;
	creationDate: string;
	event: { id: string; identifier: string; typedIdentifier: unknown; fields: EventField[] };
}

/** One event in one delivery attempt (a batch delivery writes one entry per event, sharing `request`). */
export interface DeliveryLogEntry {
	seq: number;
	at: string;
	subscriptionId: string;
	knowledgeModelId: string;
	triggerId: string;
	offset: number;
	eventId: string;
	/** 1 = first try, 2.. = retries; 0 = an auto-recovery probe of a failed subscription */
	attempt: number;
	/** the HTTP request that carried it (events of one batch share it) */
	request: number;
	/** callback answer; null when the connection failed or timed out */
	status: number | null;
	error?: string;
	ok: boolean;
}

export type SubscriptionStatus = 'active' | 'failed' | 'suspended' | 'paused' | 'rejected';

export interface Subscription {
	id: string;
	name: string;
	status: SubscriptionStatus;
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
	/** the running delivery loop, if any */
	pump: Promise<void> | null;
}

/** The documented `subscriptionDTO` (callback headers are not echoed). */
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

const HISTORY_LIMIT = 10_000;
const USER_AGENT = 'Celonis-Emulator-EventSubscription/1.0';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** All subscriptions of the team, their delivery pumps and the delivery log. */
export class SubscriptionEngine {
	private readonly subs = new Map<string, Subscription>();
	private log: DeliveryLogEntry[] = [];
	private logSeq = 0;
	private requestSeq = 0;

	constructor(
		private readonly config: () => Config,
		private readonly schedule: (fn: () => void, ms: number) => void,
	) {}

	get size(): number {
		return this.subs.size;
	}
	list(): Subscription[] {
		return [...this.subs.values()];
	}
	get(id: string): Subscription | undefined {
		return this.subs.get(id);
	}
	add(s: Subscription): void {
		this.subs.set(s.id, s);
	}
	delete(id: string): void {
		this.subs.delete(id);
	}
	/** Forget everything; running pumps notice that their subscription is gone and stop. */
	clear(): void {
		this.subs.clear();
		this.log = [];
		this.logSeq = 0;
		this.requestSeq = 0;
	}

	deliveries(filter: {
		subscriptionId?: string;
		triggerId?: string;
		after?: number;
	}): DeliveryLogEntry[] {
		return this.log.filter(
			(e) =>
				(filter.subscriptionId === undefined || e.subscriptionId === filter.subscriptionId) &&
				(filter.triggerId === undefined || e.triggerId === filter.triggerId) &&
				(filter.after === undefined || e.seq > filter.after),
		);
	}

	/** Append events to a subscription's queue (and history, for replay); offsets are per subscription. */
	enqueue(s: Subscription, data: Omit<EventDTO, 'subscriberId' | 'offset'>): EventDTO {
		const ev: EventDTO = { subscriberId: s.id, offset: s.nextOffset++, ...data };
		s.history.push(ev);
		if (s.history.length > HISTORY_LIMIT) s.history.shift();
		s.queue.push(ev);
		return ev;
	}

	/** (Re)activate: clears a failure and starts delivering the queue. */
	activate(s: Subscription): void {
		s.status = 'active';
		s.failedSince = null;
		void this.kick(s);
	}

	/** Start the pump unless it runs; resolves when it stops (queue empty, failed, paused or deleted). */
	kick(s: Subscription, recovering = false): Promise<void> {
		if (!s.pump)
			s.pump = this.pump(s, recovering).finally(() => {
				s.pump = null;
			});
		return s.pump;
	}

	private alive(s: Subscription): boolean {
		return this.subs.get(s.id) === s;
	}

	private async pump(s: Subscription, recovering: boolean): Promise<void> {
		if (recovering && !(await this.recover(s))) return;
		const cfg = this.config();
		while (this.alive(s) && s.status === 'active' && s.queue.length > 0) {
			const batch = s.queue.slice(0, batchSize(cfg));
			let ok = false;
			for (let attempt = 1; attempt <= 1 + cfg.retries && !ok; attempt++) {
				if (attempt > 1) await sleep(retryDelay(cfg, attempt));
				if (!this.alive(s) || s.status !== 'active') return;
				ok = await this.deliver(s, batch, attempt);
			}
			if (ok) this.delivered(s, batch);
			// paused or deleted during the last attempt: the events stay queued as they are
			else if (!this.alive(s) || s.status !== 'active') return;
			else if (s.configurations.includes('SKIP_ERRORS')) s.skipped += this.dequeue(s, batch);
			else return this.fail(s);
		}
	}

	/**
	 * One auto-recovery try of the head of the queue; true when the pump should go on delivering (the callback
	 * answered, or the subscription was resumed meanwhile).
	 */
	private async recover(s: Subscription): Promise<boolean> {
		const cfg = this.config();
		if (!this.alive(s) || s.status !== 'failed') return false;
		if (Date.now() - (s.failedSince ?? Date.now()) >= cfg.suspendAfterMs) {
			s.status = 'suspended';
			return false;
		}
		const head = s.queue.slice(0, batchSize(cfg));
		const ok = head.length === 0 || (await this.deliver(s, head, 0));
		if (!this.alive(s)) return false;
		if (ok) {
			this.delivered(s, head);
			if (s.status === 'failed') {
				s.status = 'active';
				s.failedSince = null;
			}
		} else if (s.status === 'failed') this.scheduleRecovery(s);
		return s.status === 'active';
	}

	private fail(s: Subscription): void {
		s.status = 'failed';
		s.failedSince = Date.now();
		this.scheduleRecovery(s);
	}

	private scheduleRecovery(s: Subscription): void {
		this.schedule(() => void this.kick(s, true), this.config().recoveryIntervalMs);
	}

	private delivered(s: Subscription, batch: EventDTO[]): void {
		if (this.dequeue(s, batch) === 0) return;
		const last = batch[batch.length - 1] as EventDTO;
		s.latestSucceedEvent = new Date().toISOString();
		s.lastSuccessEventOffset = last.offset;
	}

	/** Remove the batch from the head of the queue unless the queue was replaced meanwhile (replay, resume-from-latest). */
	private dequeue(s: Subscription, batch: EventDTO[]): number {
		if (!batch.every((ev, i) => s.queue[i] === ev)) return 0;
		s.queue.splice(0, batch.length);
		return batch.length;
	}

	private async deliver(s: Subscription, batch: EventDTO[], attempt: number): Promise<boolean> {
		const cfg = this.config();
		const requestId = ++this.requestSeq;
		let status: number | null = null;
		let error: string | undefined;
		try {
			const r = await request(s.callbackInfo.uri, {
				method: 'POST',
				headers: {
					'user-agent': USER_AGENT,
					...s.callbackInfo.headers,
					'content-type': 'application/json',
				},
				body: JSON.stringify(cfg.deliveryFormat === 'array' ? batch : batch[0]),
				headersTimeout: cfg.deliveryTimeoutMs,
				bodyTimeout: cfg.deliveryTimeoutMs,
			});
			await r.body.dump();
			status = r.statusCode;
		} catch (e) {
			error = (e as Error).message;
		}
		const ok = status !== null && status >= 200 && status < 300;
		const at = new Date().toISOString();
		for (const ev of batch)
			this.log.push({
				seq: ++this.logSeq,
				at,
				subscriptionId: s.id,
				knowledgeModelId: s.knowledgeModelId,
				triggerId: s.triggerId,
				offset: ev.offset,
				eventId: ev.event.id,
				attempt,
				request: requestId,
				status,
				...(error === undefined ? {} : { error }),
				ok,
			});
		if (this.log.length > cfg.deliveryLogLimit * 1.25)
			this.log = this.log.slice(-cfg.deliveryLogLimit);
		return ok;
	}
}

/** Events per delivery: one eventDTO, or up to batchSize in an array. */
function batchSize(cfg: Config): number {
	return cfg.deliveryFormat === 'array' ? cfg.batchSize : 1;
}

function retryDelay(cfg: Config, attempt: number): number {
	return cfg.retryBackoff === 'exponential'
		? cfg.retryDelayMs * 2 ** (attempt - 2)
		: cfg.retryDelayMs;
}

/** The callback probe at creation/update: reachable per `probeAccept` (any answer below 500, or 2xx only). */
export async function probeCallback(
	cfg: Config,
	uri: string,
	headers: Record<string, string>,
): Promise<{ ok: boolean; detail: string }> {
	if (cfg.probeMethod === 'NONE') return { ok: true, detail: 'probe disabled' };
	const post = cfg.probeMethod === 'POST';
	try {
		const r = await request(uri, {
			method: cfg.probeMethod,
			headers: {
				'user-agent': USER_AGENT,
				...headers,
				...(post ? { 'content-type': 'application/json' } : {}),
			},
			body: post ? JSON.stringify({ probe: true }) : undefined,
			headersTimeout: cfg.probeTimeoutMs,
			bodyTimeout: cfg.probeTimeoutMs,
		});
		await r.body.dump();
		const ok =
			cfg.probeAccept === '2xx' ? r.statusCode >= 200 && r.statusCode < 300 : r.statusCode < 500;
		return { ok, detail: `HTTP ${r.statusCode}` };
	} catch (e) {
		return { ok: false, detail: (e as Error).message };
	}
}
