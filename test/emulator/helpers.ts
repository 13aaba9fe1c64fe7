import { request, type FormData } from 'undici';
import { startEmulator, type Emulator } from '../../emulator';

export const DEMO = {
	apiKey: 'demo-user-api-key',
	appKey: 'demo-app-key',
	appKeyNoPerm: 'demo-app-key-no-permissions',
	pool1: 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001',
	pool2: 'b7a3c9e0-1f2d-4c5b-9a8e-000000000002',
	conn1: 'c0n0e0c0-0000-4000-8000-000000000011',
	model1: 'd4a7a000-0000-4000-8000-000000000101',
	job1: 'j0b00000-0000-4000-8000-000000000201',
	km: 'o2c-km',
};

/** A JSON answer of any shape: the tests assert on its fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Res {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json: Json;
}

export async function call(
	url: string,
	opts: {
		method?: string;
		headers?: Record<string, string>;
		body?: string | Buffer | FormData;
		json?: unknown;
	} = {},
): Promise<Res> {
	const headers = { ...opts.headers };
	let body = opts.body;
	if (opts.json !== undefined) {
		body = JSON.stringify(opts.json);
		headers['content-type'] = 'application/json';
	}
	const r = await request(url, {
		method: (opts.method ?? (body !== undefined ? 'POST' : 'GET')) as 'GET',
		headers,
		body: body as string | Buffer | FormData | undefined,
	});
	const text = await r.body.text();
	let json: unknown;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: r.statusCode, headers: r.headers, text, json };
}

export const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
export const appKey = (k: string) => ({ authorization: `AppKey ${k}` });

export async function tokenFor(
	emu: Emulator,
	clientId: string,
	secret: string,
	scope?: string,
): Promise<string> {
	const form = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: clientId,
		client_secret: secret,
	});
	if (scope) form.set('scope', scope);
	const r = await call(`${emu.url}/oauth2/token`, {
		body: form.toString(),
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
	});
	if (r.status !== 200) throw new Error(`token failed ${r.status} ${r.text}`);
	return r.json.access_token as string;
}

export async function withEmulator(): Promise<Emulator> {
	return startEmulator({ quiet: true });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
	fn: () => Promise<T | undefined> | T | undefined,
	timeoutMs = 5000,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== false) return v as T;
		if (Date.now() > end) throw new Error('waitFor timed out');
		await sleep(20);
	}
}
