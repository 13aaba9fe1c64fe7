/** Request context and small response/body helpers shared by all routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Family } from './errors';
import type { RequestLogEntry } from './requestLog';
import type { Store } from './store';

/** Who is calling: set by authentication for routes with an access rule. */
export interface Identity {
	kind: 'apiKey' | 'appKey' | 'oauth';
	/** user email, app key name or OAuth client id */
	id: string;
	permissions: readonly string[];
	/** granted OAuth scopes; null = not scope-limited (API keys, application keys) */
	scopes: readonly string[] | null;
	clientId?: string;
	userEmail?: string;
}

export interface Ctx {
	req: IncomingMessage;
	res: ServerResponse;
	method: string;
	path: string;
	query: URLSearchParams;
	params: Record<string, string>;
	store: Store;
	/** `http://host:port` as the client addressed us */
	origin: string;
	family: Family;
	identity?: Identity;
	log: Partial<RequestLogEntry>;
}

/** Thrown by handlers; rendered in the route family's error shape (or with `render` when given). */
export class HttpError extends Error {
	constructor(
		public status: number,
		message: string,
		public render?: (res: ServerResponse) => void,
	) {
		super(message);
	}
}

export function sendJson(
	ctx: Ctx,
	status: number,
	body: unknown,
	headers?: Record<string, string>,
): void {
	const text = JSON.stringify(body);
	const res = ctx.res;
	if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
	res.statusCode = status;
	res.setHeader('content-type', 'application/json');
	res.setHeader('content-length', Buffer.byteLength(text));
	res.end(text);
}

export function sendEmpty(ctx: Ctx, status: number): void {
	ctx.res.statusCode = status;
	if (status !== 204 && status !== 304) ctx.res.setHeader('content-length', 0);
	ctx.res.end();
}

export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const c of req) {
		const b = c as Buffer;
		size += b.length;
		if (size > limit) throw new HttpError(413, `Request body larger than ${limit} bytes`);
		chunks.push(b);
	}
	return Buffer.concat(chunks);
}

/** Read, parse and validate a JSON body; invalid JSON or schema → 400 in the family's shape. */
export async function readJson<S extends z.ZodTypeAny>(ctx: Ctx, schema: S): Promise<z.infer<S>> {
	const buf = await readBody(ctx.req);
	let raw: unknown;
	try {
		raw = buf.length === 0 ? undefined : JSON.parse(buf.toString('utf8'));
	} catch {
		throw new HttpError(400, 'Request body is not valid JSON');
	}
	const parsed = schema.safeParse(raw);
	if (!parsed.success) {
		throw new HttpError(
			400,
			`Invalid request body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
		);
	}
	return parsed.data;
}

/** Integer query parameter with bounds; errors are 400 with a detail naming the parameter. */
export function intParam(
	ctx: Ctx,
	name: string,
	def: number,
	min: number,
	max = Number.MAX_SAFE_INTEGER,
): number {
	const raw = ctx.query.get(name);
	if (raw === null || raw === '') return def;
	if (!/^-?\d+$/.test(raw))
		throw new HttpError(400, `Query parameter '${name}' must be of type 'Integer'.`);
	const n = Number(raw);
	if (n < min || n > max)
		throw new HttpError(400, `Query parameter '${name}' must be between ${min} and ${max}.`);
	return n;
}

/** ISO-8601 date-time query parameter → epoch ms (a value without offset is read as UTC). */
export function timeParam(ctx: Ctx, name: string): number | undefined {
	const raw = ctx.query.get(name);
	if (raw === null || raw === '') return undefined;
	const s = /[zZ]|[+-]\d{2}:?\d{2}$/.test(raw) ? raw : `${raw}Z`;
	const t = Date.parse(s);
	if (Number.isNaN(t))
		throw new HttpError(
			400,
			`Query parameter '${name}' must be an ISO-8601 date-time, got '${raw}'.`,
		);
	return t;
}

/** Java-style timestamp used by integration services: 2024-05-01T10:00:00.000+0000 */
export function celonisDate(ms: number | null | undefined): string | null {
	if (ms === null || ms === undefined) return null;
	return new Date(ms).toISOString().replace('Z', '+0000');
}
