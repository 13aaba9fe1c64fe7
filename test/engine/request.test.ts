import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { startEchoTeam } from '../harness/echoTeam';
import { Engine, type NodeSpec } from '../harness/engine';
import {
	addFaults as addFaultRules,
	celonisRequest as celonis,
	emitItems as input,
} from '../harness/builders';

const ctx = useEmulator();
const addFaults = (rules: unknown) => addFaultRules(ctx.emu.url, rules);
let echo: Awaited<ReturnType<typeof startEchoTeam>>;
beforeAll(async () => {
	echo = await startEchoTeam();
});
afterAll(async () => {
	await echo.close();
});

const ALL_READ_SCOPES = [
	'audit.log:read',
	'integration.data-pools',
	'intelligence.knowledge-models:read',
	'team.login-history:read',
	'team.user-group-info:read',
];

async function setup(scopes: string[] = ALL_READ_SCOPES) {
	const engine = await Engine.create();
	const oauth = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes }),
	);
	const echoKey = engine.addCredential('celonisApiKeyApi', {
		teamUrl: echo.url,
		apiKey: 'echo-api-key',
	});
	return { engine, oauth, echoKey };
}

/** Gets the OAuth token first, so a fault script meets the request under test and not the token refresh. */
async function warm(engine: Engine, oauth: NodeSpec['credentials']) {
	expect(
		(await engine.runChain([celonis({ path: '/api/cloud/team' }, oauth)])).error,
	).toBeUndefined();
}

async function requestLog(
	pathPrefix: string,
): Promise<Array<{ method: string; path: string; status: number; time?: string; at?: number }>> {
	const log = (await (await fetch(`${ctx.emu.url}/__emulator/requests?limit=10000`)).json()) as
		| Array<{ method: string; path: string; status: number }>
		| { requests: [] };
	const list = Array.isArray(log) ? log : log.requests;
	return list.filter((r) => r.path.startsWith(pathPrefix));
}

beforeEach(() => ctx.emu.reset());

describe('pagination families against the emulator', () => {
	it('pageNumber (Audit Log v1): every event, once', async () => {
		const { engine, oauth } = await setup();
		const result = await engine.runChain([
			celonis({ path: '/log/api/external/audit', pagination: 'pageNumber', pageSize: 200 }, oauth),
		]);
		expect(result.error?.message).toBeUndefined();
		const events = ctx.emu.store.audit.all();
		expect(result.json('Celonis')).toEqual(JSON.parse(JSON.stringify(events)));
	});

	it('cursor (Audit Log v2) and auto-detection of both families', async () => {
		const { engine, oauth } = await setup();
		const total = ctx.emu.store.audit.total;
		const v2 = await engine.runChain([
			celonis({ path: '/log/api/external/v2/audit', pagination: 'cursor', pageSize: 150 }, oauth),
		]);
		expect(v2.json('Celonis')).toHaveLength(total);
		const autoV2 = await engine.runChain([
			celonis({ path: '/log/api/external/v2/audit', pagination: 'auto' }, oauth),
		]);
		expect(autoV2.json('Celonis')).toHaveLength(total);
		const autoV1 = await engine.runChain([
			celonis({ path: '/log/api/external/audit', pagination: 'auto' }, oauth),
		]);
		expect(autoV1.json('Celonis')).toEqual(v2.json('Celonis'));
	});

	it('page/pageSize (Intelligence) and integration limit/page', async () => {
		const { engine, oauth } = await setup();
		const kms = await engine.runChain([
			celonis(
				{ path: '/intelligence/api/knowledge-models', pagination: 'page', pageSize: 1 },
				oauth,
			),
		]);
		expect(kms.error?.message).toBeUndefined();
		expect(kms.json('Celonis').length).toBeGreaterThanOrEqual(1);
		const pools = await engine.runChain([
			celonis(
				{ path: '/integration/api/pools/paged', pagination: 'integrationPaged', pageSize: 1 },
				oauth,
			),
		]);
		expect(
			pools
				.json('Celonis')
				.map((p) => p.name)
				.sort(),
		).toEqual(['O2C Pool', 'P2P Pool']);
		const autoPools = await engine.runChain([
			celonis({ path: '/integration/api/pools/paged', pagination: 'auto' }, oauth),
		]);
		expect(
			autoPools
				.json('Celonis')
				.map((p) => p.name)
				.sort(),
		).toEqual(['O2C Pool', 'P2P Pool']);
	});

	it('follows the page size the server used when it caps the one asked for', async () => {
		const { engine, echoKey } = await setup();
		const result = await engine.runChain([
			celonis({ path: '/capped', pagination: 'pageNumber', pageSize: 5 }, echoKey),
		]);
		expect(result.json('Celonis').map((j) => j.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
	});

	it('fails instead of repeating a page when the API ignores the paging parameters', async () => {
		const { engine, echoKey } = await setup();
		const result = await engine.runChain([
			celonis({ path: '/unpaged', pagination: 'pageNumber', pageSize: 2 }, echoKey),
		]);
		expect(result.error?.message).toMatch(/Asked for page 1, the API answered page 0/);
	});

	it('Limit stops early; Max Pages fails rather than fetching forever', async () => {
		const { engine, oauth } = await setup();
		const limited = await engine.runChain([
			celonis(
				{
					path: '/log/api/external/audit',
					pagination: 'pageNumber',
					pageSize: 100,
					returnAll: false,
					limit: 250,
				},
				oauth,
			),
		]);
		expect(limited.json('Celonis')).toHaveLength(250);
		const pages = (await requestLog('/log/api/external/audit')).filter(
			(r) => 'pageNumber' in ((r as { query?: object }).query ?? {}),
		);
		expect(pages).toHaveLength(3);
		const valve = await engine.runChain([
			celonis(
				{ path: '/log/api/external/audit', pagination: 'pageNumber', pageSize: 10, maxPages: 2 },
				oauth,
			),
		]);
		expect(valve.error?.message).toMatch(/Stopped after 2 pages \("Max Pages"\)/);
	});
});

describe('retries', () => {
	it('waits as long as x-ratelimit-reset says (seconds or a date), then succeeds', async () => {
		const { engine, oauth } = await setup();
		await warm(engine, oauth);
		const inFourSeconds = new Date(Date.now() + 4000).toUTCString();
		await addFaults({
			path: '/log/api/external/audit',
			sequence: [
				{
					status: 429,
					headers: { 'x-ratelimit-reset': '1' },
					body: { title: 'Rate limit exceeded', status: 429, errorCode: 'LIMIT_RATE_EXCEEDED' },
				},
				{ status: 429, headers: { 'x-ratelimit-reset': inFourSeconds } },
			],
		});
		const started = Date.now();
		const result = await engine.runChain([celonis({ path: '/log/api/external/audit' }, oauth)]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('Celonis')[0].content).toBeDefined();
		// behaviour, not speed: it waited for both resets (1 s, then until the HTTP date, ≥ 2 s later) before the third attempt
		expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
	});

	it('retries 503 and connection resets for GET, gives up after Max Retries', async () => {
		const { engine, oauth } = await setup();
		await addFaults([
			{
				path: '/log/api/external/audit',
				sequence: [{ status: 503 }, { reset: true }, { status: 502 }],
			},
		]);
		const ok = await engine.runChain([
			celonis({ path: '/log/api/external/audit', pageSize: 1 }, oauth),
		]);
		expect(ok.error?.message).toBeUndefined();
		await addFaults([
			{
				path: '/log/api/external/audit',
				sequence: [{ status: 503 }, { status: 503 }, { status: 503 }],
			},
		]);
		const gaveUp = await engine.runChain([
			celonis({ path: '/log/api/external/audit', options: { maxRetries: 1 } }, oauth),
		]);
		expect(gaveUp.error?.message).toMatch(
			/Celonis failed to answer GET \/log\/api\/external\/audit \(HTTP 503\)/,
		);
		expect(gaveUp.error?.description).toMatch(/given up: gave up after 1 retries/);
	});

	it('never sends a POST twice after a 5xx unless allowed', async () => {
		const { engine, oauth } = await setup(['integration.data-pools']);
		const path = '/data-ingestion/api/v1/data-push/b7a3c9e0-1f2d-4c5b-9a8e-000000000001/jobs/';
		const body = JSON.stringify({ targetName: 'RETRY_TEST', type: 'REPLACE', fileType: 'CSV' });
		await addFaults({
			method: 'POST',
			path: '/data-ingestion/api/v1/data-push/*/jobs',
			sequence: [{ status: 503 }],
		});
		const refused = await engine.runChain([
			celonis(
				{
					method: 'POST',
					path,
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: body,
				},
				oauth,
			),
		]);
		expect(refused.error?.message).toMatch(/HTTP 503/);
		expect(ctx.emu.store.pushJobs.size).toBe(0);
		expect((await requestLog('/data-ingestion')).filter((r) => r.method === 'POST')).toHaveLength(
			1,
		);

		await addFaults({
			method: 'POST',
			path: '/data-ingestion/api/v1/data-push/*/jobs',
			sequence: [{ status: 503 }],
		});
		const allowed = await engine.runChain([
			celonis(
				{
					method: 'POST',
					path,
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: body,
					options: { retryNonIdempotent: true },
				},
				oauth,
			),
		]);
		expect(allowed.error?.message).toBeUndefined();
		expect(allowed.json('Celonis')[0]).toMatchObject({ targetName: 'RETRY_TEST', status: 'NEW' });
	});

	it('fails at once, saying when, if the wait would exceed Max Total Wait', async () => {
		const { engine, oauth } = await setup();
		await warm(engine, oauth);
		await addFaults({
			path: '/log/api/external/audit',
			sequence: [{ status: 429, headers: { 'x-ratelimit-reset': '120' } }],
		});
		const result = await engine.runChain([
			celonis({ path: '/log/api/external/audit', options: { maxWaitSeconds: 5 } }, oauth),
		]);
		expect(result.error?.message).toMatch(
			/Rate limited by Celonis \(HTTP 429\) on GET \/log\/api\/external\/audit; the limit resets in 120 s/,
		);
	});

	it('a 429 pauses every request of the credential, each within its own Max Total Wait', async () => {
		const { engine, oauth } = await setup();
		await warm(engine, oauth);
		await addFaults([
			{
				path: '/log/api/external/audit',
				sequence: [{ status: 429, headers: { 'x-ratelimit-reset': '3' } }],
			},
			{ path: '/log/api/external/v2/audit', sequence: [{ status: 503 }] },
		]);
		const result = await engine.runChain([
			input([
				{ path: '/log/api/external/audit', budget: 300 },
				{ path: '/log/api/external/v2/audit', budget: 2 },
			]),
			celonis(
				{
					path: '={{ $json.path }}',
					options: { concurrency: 2, maxWaitSeconds: '={{ $json.budget }}' },
				},
				oauth,
				{ continueOnFail: true },
			),
		]);
		const [patient, hurried] = result.json('Celonis');
		expect(patient.error).toBeUndefined();
		expect(patient.content).toBeDefined();
		// item 1 retried its 503, then found the credential paused for longer than its budget: it fails at once
		expect(hurried.error).toMatch(
			/Rate limited by Celonis \(HTTP 429\) on GET \/log\/api\/external\/v2\/audit/,
		);
	});

	it('stops waiting when the execution is cancelled', async () => {
		const { engine, oauth } = await setup();
		await warm(engine, oauth);
		await addFaults({
			path: '/log/api/external/audit',
			sequence: [{ status: 429, headers: { 'x-ratelimit-reset': '60' } }],
		});
		const abort = new AbortController();
		setTimeout(() => abort.abort(), 500);
		const started = Date.now();
		const result = await engine.runChain([celonis({ path: '/log/api/external/audit' }, oauth)], {
			signal: abort.signal,
		});
		expect(result.status).not.toBe('success');
		expect(Date.now() - started).toBeLessThan(20_000);
	});
});

describe('the credential never travels to another origin', () => {
	let other: http.Server;
	let otherUrl: string;
	const otherHits: Array<string | undefined> = [];
	beforeAll(async () => {
		other = http.createServer((req, res) => {
			otherHits.push(req.headers.authorization);
			res.end('{}');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
	});
	afterAll(async () => new Promise((resolve) => other.close(resolve)));

	it('refuses an absolute URL on another origin before sending anything', async () => {
		const { engine, echoKey } = await setup();
		const result = await engine.runChain([celonis({ path: `${otherUrl}/steal` }, echoKey)]);
		expect(result.error?.message).toMatch(/is not on the credential's team/);
		expect(otherHits).toHaveLength(0);
	});

	it('does not follow a redirect to another origin, follows one on the team', async () => {
		const { engine, echoKey } = await setup();
		const away = await engine.runChain([
			celonis({ path: `/redirect?to=${encodeURIComponent(`${otherUrl}/steal`)}` }, echoKey),
		]);
		expect(away.error?.message).toMatch(/redirect \(HTTP 302\) that was not followed/);
		expect(otherHits).toHaveLength(0);
		const home = await engine.runChain([
			celonis(
				{
					path: `/redirect?to=${encodeURIComponent('/text')}`,
					options: { responseFormat: 'text' },
				},
				echoKey,
			),
		]);
		expect(home.json('Celonis')[0]).toEqual({ value: 'plain answer' });
	});
});

describe('bodies, headers and query parameters on the wire', () => {
	const lastEcho = () => echo.requests[echo.requests.length - 1];

	it('JSON (object, array, fields), form-urlencoded and raw', async () => {
		const { engine, echoKey } = await setup();
		await engine.runChain([
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: '{"a": [1, "ü"], "b": null}',
				},
				echoKey,
			),
		]);
		expect(JSON.parse(lastEcho().body.toString())).toEqual({ a: [1, 'ü'], b: null });
		expect(lastEcho().headers['content-type']).toMatch(/application\/json/);
		await engine.runChain([
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: '["t1", "t2"]',
				},
				echoKey,
			),
		]);
		expect(JSON.parse(lastEcho().body.toString())).toEqual(['t1', 't2']);
		await engine.runChain([
			celonis(
				{
					method: 'PUT',
					path: '/echo',
					sendBody: true,
					contentType: 'json',
					specifyBody: 'keypair',
					bodyParameters: { parameters: [{ name: 'x', value: '1' }] },
				},
				echoKey,
			),
		]);
		expect(JSON.parse(lastEcho().body.toString())).toEqual({ x: '1' });
		await engine.runChain([
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'form-urlencoded',
					formFields: {
						parameters: [
							{ name: 'a b', value: 'c&d' },
							{ name: 'e', value: 'f' },
						],
					},
				},
				echoKey,
			),
		]);
		expect(lastEcho().body.toString()).toBe('a+b=c%26d&e=f');
		expect(lastEcho().headers['content-type']).toBe('application/x-www-form-urlencoded');
		await engine.runChain([
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'raw',
					rawContentType: 'text/csv',
					rawBody: 'a,b\n1,2',
				},
				echoKey,
			),
		]);
		expect(lastEcho().body.toString()).toBe('a,b\n1,2');
		expect(lastEcho().headers['content-type']).toBe('text/csv');
	});

	it('multipart with a file from an input item, and a binary body', async () => {
		const { engine, echoKey } = await setup();
		const file = { data: { text: 'x,y\n"q,1",2\n', fileName: 'rows.csv', mimeType: 'text/csv' } };
		await engine.runChain([
			input([{}], file),
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'multipart-form-data',
					formParameters: {
						parameters: [
							{ parameterType: 'formBinaryData', name: 'file', inputDataFieldName: 'data' },
							{ parameterType: 'formData', name: 'note', value: 'hi' },
						],
					},
				},
				echoKey,
			),
		]);
		const multipart = lastEcho();
		expect(multipart.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		const text = multipart.body.toString();
		expect(text).toContain('name="file"; filename="rows.csv"');
		expect(text).toContain('x,y\n"q,1",2\n');
		expect(text).toContain('name="note"');
		await engine.runChain([
			input([{}], file),
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'binaryData',
					inputDataFieldName: 'data',
				},
				echoKey,
			),
		]);
		expect(lastEcho().body.toString()).toBe('x,y\n"q,1",2\n');
		expect(lastEcho().headers['content-type']).toBe('text/csv');
	});

	it('query parameters (repeated names) and headers, as fields or JSON', async () => {
		const { engine, echoKey } = await setup();
		const result = await engine.runChain([
			celonis(
				{
					path: '/echo',
					sendQuery: true,
					specifyQuery: 'keypair',
					queryParameters: {
						parameters: [
							{ name: 'id', value: '1' },
							{ name: 'id', value: '2' },
							{ name: 'q', value: 'a b' },
						],
					},
					sendHeaders: true,
					specifyHeaders: 'json',
					jsonHeaders: '{"X-Trace": "t-1"}',
				},
				echoKey,
			),
		]);
		expect(result.json('Celonis')[0]).toMatchObject({
			query: { id: ['1', '2'], q: 'a b' },
			headers: { 'x-trace': 't-1' },
		});
	});

	it('bad input is refused before anything is sent, with an error that points at it', async () => {
		const { engine, echoKey } = await setup();
		const before = echo.requests.length;
		const badJson = await engine.runChain([
			celonis(
				{
					method: 'POST',
					path: '/echo',
					sendBody: true,
					contentType: 'json',
					specifyBody: 'json',
					jsonBody: '{\n  "a": 1,\n  "b": }',
				},
				echoKey,
			),
		]);
		expect(badJson.error?.message).toMatch(/"Body \(JSON\)" is not valid JSON at line 3, column 8/);
		const crlf = await engine.runChain([
			celonis(
				{
					path: '/echo',
					sendHeaders: true,
					specifyHeaders: 'keypair',
					headerParameters: { parameters: [{ name: 'X-A', value: 'v\r\nX-Injected: 1' }] },
				},
				echoKey,
			),
		]);
		expect(crlf.error?.message).toMatch(/contains a line break/);
		const auth = await engine.runChain([
			celonis(
				{
					path: '/echo',
					sendHeaders: true,
					specifyHeaders: 'keypair',
					headerParameters: { parameters: [{ name: 'Authorization', value: 'Bearer other' }] },
				},
				echoKey,
			),
		]);
		expect(auth.error?.message).toMatch(/Authorization header is set by the Celonis credential/);
		const dots = await engine.runChain([
			celonis({ path: '/integration/../api/cloud/team' }, echoKey),
		]);
		expect(dots.error?.message).toMatch(/"\.\." segment/);
		// only the credential's key check may have reached the server
		expect(echo.requests.slice(before).every((r) => r.path === '/api/cloud/team')).toBe(true);
	});
});

describe('responses', () => {
	it('a file with its Content-Disposition name, text, the full response and items split from a field', async () => {
		const { engine, echoKey } = await setup();
		const file = await engine.runChain([
			celonis(
				{ path: '/file', options: { responseFormat: 'file', binaryPropertyName: 'export' } },
				echoKey,
			),
		]);
		const item = file.items('Celonis')[0];
		expect(item.binary?.export.fileName).toBe('résumé export.csv');
		expect(item.binary?.export.mimeType).toBe('text/csv');
		expect(Buffer.from(item.binary!.export.data, 'base64').toString()).toBe('a,b\n1,2\n');
		const text = await engine.runChain([celonis({ path: '/text' }, echoKey)]);
		expect(text.json('Celonis')).toEqual([{ value: 'plain answer' }]);
		const full = await engine.runChain([
			celonis({ path: '/list', options: { fullResponse: true } }, echoKey),
		]);
		expect(full.json('Celonis')[0]).toMatchObject({
			statusCode: 200,
			headers: { 'content-type': 'application/json' },
			body: { total: 3 },
		});
		const split = await engine.runChain([
			celonis({ path: '/list', options: { splitIntoItems: true, splitField: 'content' } }, echoKey),
		]);
		expect(split.json('Celonis')).toEqual([{ id: 1 }, { id: 2 }, { value: 3 }]);
	});

	it('Never Error returns error responses as items; without it the node fails with the Celonis message', async () => {
		const { engine, echoKey } = await setup();
		const neverError = await engine.runChain([
			celonis({ path: '/status/409', options: { neverError: true, fullResponse: true } }, echoKey),
		]);
		expect(neverError.json('Celonis')[0]).toMatchObject({
			statusCode: 409,
			body: { errorCode: 'ECHO' },
		});
		const failing = await engine.runChain([celonis({ path: '/status/409' }, echoKey)]);
		expect(failing.error?.message).toBe('Conflict: Celonis refused GET /status/409 (HTTP 409)');
		expect(failing.error?.description).toMatch(
			/Celonis said: Echo failure: asked for 409 \(ECHO\)/,
		);
	});
});

describe('items', () => {
	it('run concurrently, come out in input order with pairedItem, and honour Continue On Fail', async () => {
		const { engine, echoKey } = await setup();
		const rows = Array.from({ length: 20 }, (_, i) => ({
			i,
			ms: (i * 37) % 90,
			path: i % 7 === 3 ? '/status/404' : '/delay',
		}));
		const result = await engine.runChain([
			input(rows),
			celonis(
				{
					path: '={{ $json.path }}',
					sendQuery: true,
					specifyQuery: 'keypair',
					queryParameters: {
						parameters: [
							{ name: 'i', value: '={{ $json.i }}' },
							{ name: 'ms', value: '={{ $json.ms }}' },
						],
					},
					options: { concurrency: 6 },
				},
				echoKey,
				{ continueOnFail: true },
			),
		]);
		expect(result.error).toBeUndefined();
		const out = result.items('Celonis');
		expect(out).toHaveLength(20);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (i % 7 === 3) expect(item.json.error).toMatch(/Not found: GET \/status\/404/);
			else expect(item.json).toEqual({ i });
		});
	});

	it('without Continue On Fail the first failure stops the node with [item N]', async () => {
		const { engine, echoKey } = await setup();
		const result = await engine.runChain([
			input([{ p: '/text' }, { p: '/status/404' }]),
			celonis({ path: '={{ $json.p }}', options: { concurrency: 1 } }, echoKey),
		]);
		expect(result.error?.message).toMatch(/Not found/);
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});
});

describe('as an AI agent tool', () => {
	it('may only read unless writes are allowed', async () => {
		const { engine, echoKey } = await setup();
		const post = await engine.runChain([
			celonis({ method: 'POST', path: '/echo' }, echoKey, { asTool: true }),
		]);
		expect(post.error?.message).toMatch(
			/As an AI agent tool, this Celonis node may only read \(GET, HEAD\); POST was refused/,
		);
		const get = await engine.runChain([celonis({ path: '/text' }, echoKey, { asTool: true })]);
		expect(get.json('Celonis')).toEqual([{ value: 'plain answer' }]);
		const allowed = await engine.runChain([
			celonis({ method: 'POST', path: '/echo', options: { allowWriteFromAi: true } }, echoKey, {
				asTool: true,
			}),
		]);
		expect(allowed.json('Celonis')[0]).toMatchObject({ method: 'POST' });
	});
});

describe('errors that name the missing scope or permission', () => {
	it('a key of the other type: the node run says which credential to use', async () => {
		const { engine } = await setup();
		const wrongType = engine.addCredential('celonisApiKeyApi', {
			teamUrl: ctx.emu.url,
			apiKey: DEMO.appKey,
		});
		const result = await engine.runChain([celonis({ path: '/api/cloud/team' }, wrongType)]);
		expect(result.error?.message).toMatch(
			/This is an Application key, not a User API key.*Use the "Celonis Application Key" credential/,
		);
	});

	it('a missing scope is named before any request is sent', async () => {
		const { engine } = await setup();
		const auditOnly = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
		);
		const result = await engine.runChain([celonis({ path: '/integration/api/pools' }, auditOnly)]);
		expect(result.error?.message).toMatch(
			/^Missing OAuth scope: Data Integration API \(\/integration\/api\/pools\) needs integration\.data-pools or .* but the credential requests only: audit\.log:read/,
		);
		expect(await requestLog('/integration')).toHaveLength(0);
	});

	it('a credential that requests no scope is checked against what the token was granted', async () => {
		const { engine } = await setup();
		const allowedAll = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client),
		);
		expect(
			(await engine.runChain([celonis({ path: '/integration/api/pools' }, allowedAll)])).error,
		).toBeUndefined();
		const auditClient = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.auditOnly),
		);
		const result = await engine.runChain([
			celonis({ path: '/integration/api/pools' }, auditClient),
		]);
		expect(result.error?.message).toMatch(
			/^Missing OAuth scope: Data Integration API .* but the credential was granted only: audit\.log:read/,
		);
	});

	it('a 403 although the scope is there names the Celonis permission to grant', async () => {
		const { engine } = await setup();
		const noPermission = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.noPermissions, { scopes: ['audit.log:read'] }),
		);
		const result = await engine.runChain([
			celonis({ path: '/log/api/external/audit' }, noPermission),
		]);
		expect(result.error?.message).toBe(
			'Missing Celonis permission for GET /log/api/external/audit (HTTP 403)',
		);
		expect(result.error?.description).toMatch(
			/has the scope audit\.log:read, but its OAuth client lacks a Celonis permission\. Grant the team permission "Use Audit Log API"/,
		);
		const appKey = engine.addCredential('celonisAppKeyApi', {
			teamUrl: ctx.emu.url,
			appKey: DEMO.appKeyNoPermissions,
		});
		const keyResult = await engine.runChain([
			celonis(
				{
					path: '/api/external/members',
					sendQuery: true,
					specifyQuery: 'json',
					jsonQuery: '{"includeInternal": true}',
				},
				appKey,
				{
					parameters: {
						authentication: 'appKey',
						resource: 'httpRequest',
						operation: 'request',
						method: 'GET',
						path: '/api/external/members',
					},
				},
			),
		]);
		expect(keyResult.error?.description).toMatch(
			/application key lacks a Celonis permission\. Grant the team permission "Users – Use API"/,
		);
	});
});
