import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * What Celonis delivers to a subscription's callback (docs/celonis-api.md, "Webhook delivery"): one eventDTO
 * `{subscriberId, triggerId, offset, creationDate, event: {id, identifier, typedIdentifier, fields[]}}` per
 * request, or an array of them. Deliveries are authenticated with a per-subscription secret that Celonis
 * sends back in the `Authorization` callback header.
 */

/** How an event becomes an item: the record's fields as `{field: value}` with the event's metadata, or as delivered. */
export type EventOutput = 'fields' | 'raw';

const isObject = (value: unknown): value is IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The events of a delivery body: an eventDTO or an array of them. Anything else (a callback probe, a body
 * that is not JSON, elements without an `event` object) is not an event and is left out.
 */
export function eventsOf(body: unknown): IDataObject[] {
	if (Array.isArray(body))
		return body.filter((e): e is IDataObject => isObject(e) && isObject(e.event));
	return isObject(body) && isObject(body.event) ? [body] : [];
}

/**
 * One item per event. `fields`: each field of the record under its id (own properties, whatever the id),
 * then `eventId`, `offset`, `triggerId` and `creationDate`, which win over fields of the same name (the raw
 * output keeps everything as delivered).
 */
export function eventItem(event: IDataObject, output: EventOutput): IDataObject {
	if (output === 'raw') return event;
	const inner = event.event as IDataObject;
	const item: IDataObject = {};
	for (const field of Array.isArray(inner.fields) ? inner.fields : []) {
		if (!isObject(field) || typeof field.id !== 'string' || field.id === '') continue;
		Object.defineProperty(item, field.id, {
			value: field.value ?? null,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	const meta: IDataObject = {
		eventId: scalar(inner.id),
		offset: scalar(event.offset),
		triggerId: scalar(event.triggerId),
		creationDate: scalar(event.creationDate),
	};
	for (const [key, value] of Object.entries(meta)) item[key] = value;
	return item;
}

/** Metadata stays a string, number or null, whatever a delivery put there. */
function scalar(value: unknown): string | number | null {
	return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
		? value
		: null;
}

/** A new random secret for one subscription (256 bits, URL-safe text). */
export function newSubscriptionSecret(): string {
	return randomBytes(32).toString('base64url');
}

/** What is stored of a secret: its SHA-256, so the workflow's stored data never holds the secret itself. */
export function secretHashOf(secret: string): string {
	return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export const AUTHORIZATION_SCHEME = 'Bearer';

/** The `Authorization` header value Celonis sends with each delivery. */
export function authorizationHeaderFor(secret: string): string {
	return `${AUTHORIZATION_SCHEME} ${secret}`;
}

/**
 * Whether a delivery's `Authorization` header carries the secret whose hash is stored, compared in constant
 * time (both sides are SHA-256 digests of equal length, whatever was sent).
 */
export function isAuthorizedDelivery(header: unknown, storedHash: unknown): boolean {
	if (typeof storedHash !== 'string' || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string') return false;
	const match = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
	if (!match) return false;
	return timingSafeEqual(
		createHash('sha256').update(match[1], 'utf8').digest(),
		Buffer.from(storedHash, 'hex'),
	);
}
