/** Fires a knowledge-model trigger for the inspection API: N events to every subscription of that trigger. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SeedKnowledgeModel } from './seed';
import type { Store } from './store';
import type { EventField } from './subscriptionEngine';

const MAX_FIRE_COUNT = 10_000;

export const fireSchema = z
	.object({
		/** values by field name (missing trigger fields come from the record's rows), or the exact field list */
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
		count: z.number().int().min(1).max(MAX_FIRE_COUNT).optional(),
	})
	.strict()
	.optional();
type FireRequest = z.infer<typeof fireSchema>;

/** Trigger field types → the event field types of eventDTO (DATE, STRING, FLOAT, INT). */
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

type KM = SeedKnowledgeModel;
type Trigger = KM['triggers'][number];

/** The fields of the i-th event: the request's values over a sample row of the trigger's record. */
function eventFields(km: KM, trigger: Trigger, body: FireRequest, i: number): EventField[] {
	if (Array.isArray(body?.fields))
		return body.fields.map((f, j) => ({
			id: f.id,
			value: f.value ?? null,
			type: f.type ?? 'STRING',
			isIdentifier: f.isIdentifier ?? j === 0,
		}));
	const rows = km.records.find((r) => r.id === trigger.record)?.rows ?? [];
	const sample = (rows[i % Math.max(1, rows.length)] ?? {}) as Record<string, unknown>;
	const values = {
		...Object.fromEntries(trigger.fields.map((f) => [f.name, sample[f.name] ?? null])),
		...(body?.fields ?? {}),
	};
	return Object.entries(values).map(([id, value], j) => ({
		id,
		value,
		type: TYPE_MAP[trigger.fields.find((f) => f.name === id)?.type ?? 'string'] ?? 'STRING',
		isIdentifier: j === 0,
	}));
}

export interface FireResult {
	knowledgeModelId?: string;
	triggerId: string;
	subscriptions: number;
	events: { subscriptionId: string; offset: number; eventId: string; status: string }[];
	statuses: Record<string, string>;
	error?: string;
}

/**
 * Emit `count` events (default 1) of a trigger to each of its subscriptions, queued in order. With `wait` the answer
 * comes once every subscription has delivered its queue or stopped (failed, paused, deleted).
 */
export async function fireTrigger(
	store: Store,
	kmId: string | undefined,
	triggerId: string,
	body: FireRequest,
	wait: boolean,
): Promise<FireResult> {
	const km = store.knowledgeModels.find(
		(k) => (kmId === undefined || k.id === kmId) && k.triggers.some((t) => t.id === triggerId),
	);
	const trigger = km?.triggers.find((t) => t.id === triggerId);
	if (!km || !trigger)
		return {
			error: `Unknown trigger ${triggerId}${kmId ? ` in knowledge model ${kmId}` : ''}`,
			triggerId,
			subscriptions: 0,
			events: [],
			statuses: {},
		};
	const subs = store.subscriptions
		.list()
		.filter((s) => s.knowledgeModelId === km.id && s.triggerId === triggerId);
	const events: FireResult['events'] = [];
	for (let i = 0; i < (body?.count ?? 1); i++) {
		const fields = eventFields(km, trigger, body, i);
		const identifier = body?.identifier ?? String(fields[0]?.value ?? randomUUID());
		const event = {
			id: randomUUID(),
			identifier,
			typedIdentifier: fields[0]?.value ?? identifier,
			fields,
		};
		const creationDate = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
		for (const s of subs) {
			const ev = store.subscriptions.enqueue(s, { triggerId, creationDate, event });
			events.push({ subscriptionId: s.id, offset: ev.offset, eventId: event.id, status: s.status });
		}
	}
	const pumps = subs.map((s) => (s.status === 'active' ? store.subscriptions.kick(s) : undefined));
	if (wait) await Promise.all(pumps);
	return {
		knowledgeModelId: km.id,
		triggerId,
		subscriptions: subs.length,
		events,
		statuses: Object.fromEntries(subs.map((s) => [s.id, s.status])),
	};
}
