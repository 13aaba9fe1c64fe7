import { startEchoTeam } from '../harness/echoTeam';
import { useEmulator } from '../harness/emulator';
import { Engine } from '../harness/engine';
import {
	celonis as dataPush,
	engineWith,
	freshTable,
	input,
	jobsOf,
	POOL,
} from './dataPushHelpers';
import { addFaults as addFaultRules, celonisRequest as request } from '../harness/builders';

const ctx = useEmulator();
const addFaults = (rules: unknown) => addFaultRules(ctx.emu.url, rules);
let echo: Awaited<ReturnType<typeof startEchoTeam>>;
beforeAll(async () => {
	echo = await startEchoTeam();
});
afterAll(async () => {
	await echo.close();
});

beforeEach(() => ctx.emu.store.faults.clear());

describe('header values that an HTTP client would silently alter are refused', () => {
	const cases: Array<[string, string]> = [
		['a character outside Latin-1', 'price in €'],
		['a NUL', 'ab\u0000cd'],
		['another control character', 'ab\u0007cd'],
	];
	it.each(cases)(
		'%s: a clear error naming the header, and nothing is sent',
		async (_what, value) => {
			const engine = await Engine.create();
			const creds = engine.addCredential('celonisApiKeyApi', {
				teamUrl: echo.url,
				apiKey: 'echo-api-key',
			});
			const before = echo.requests.length;
			const r = await engine.runChain([
				request(
					{
						path: '/anything',
						sendHeaders: true,
						specifyHeaders: 'keypair',
						headerParameters: { parameters: [{ name: 'X-Note', value }] },
					},
					creds,
				),
			]);
			expect(r.error?.message).toMatch(/The header "X-Note" contains .* HTTP headers carry only/);
			expect(echo.requests.slice(before).filter((q) => q.path === '/anything')).toHaveLength(0);
		},
	);

	it('Latin-1 text (é) is sent exactly as given', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisApiKeyApi', {
			teamUrl: echo.url,
			apiKey: 'echo-api-key',
		});
		const r = await engine.runChain([
			request(
				{
					path: '/latin1',
					sendHeaders: true,
					specifyHeaders: 'keypair',
					headerParameters: { parameters: [{ name: 'X-Note', value: 'café' }] },
				},
				creds,
			),
		]);
		expect(r.error?.message).toBeUndefined();
		const sent = echo.requests.filter((q) => q.path === '/latin1').pop()!;
		expect(Buffer.from(String(sent.headers['x-note']), 'latin1').toString('latin1')).toBe('café');
	});
});

describe('ids from expressions are named as the field they came from', () => {
	it('a data pool id of ".."', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const r = await engine.runChain([
			input([{ pool: '..' }]),
			dataPush(creds, {
				operation: 'pushItems',
				tableName: freshTable(),
				dataPool: { __rl: true, mode: 'id', value: '={{ $json.pool }}' },
			}),
		]);
		expect(r.error?.message).toMatch(/"Data Pool" is "\.\.", which is not a data pool ID/);
		expect(r.error?.message).not.toMatch(/path/);
	});
});

describe('Delete Rows', () => {
	it('items without the key column: the key is missing, not a column empty', async () => {
		const { engine, creds } = await engineWith(ctx.emu);
		const table = freshTable();
		const r = await engine.runChain([
			input([{ ID: 1 }, { other: 2 }]),
			dataPush(creds, { operation: 'deleteRows', tableName: table, keyColumns: 'ID' }),
		]);
		expect(r.error?.message).toMatch(/\[item 1\] The key column "ID" has no value/);
		expect(r.error?.message).not.toMatch(/only column/);
		expect(jobsOf(ctx.emu).filter((j) => j.targetName === table)).toHaveLength(0);
	});
});

describe('a redirect answering a POST on the team', () => {
	const body = (table: string) => ({
		method: 'POST',
		path: `/data-ingestion/api/v1/data-push/${POOL}/jobs/`,
		sendBody: true,
		contentType: 'json',
		specifyBody: 'json',
		jsonBody: JSON.stringify({ targetName: table, type: 'REPLACE', fileType: 'CSV' }),
	});

	it('307 to the same origin is followed with the same method and body', async () => {
		const { engine, creds } = await engineWith(ctx.emu, ['integration.data-pools']);
		const table = freshTable('R');
		await addFaults({
			method: 'POST',
			path: '/data-ingestion/api/v1/data-push/*/jobs',
			sequence: [
				{ status: 307, headers: { location: `/integration/api/v1/data-push/${POOL}/jobs/` } },
			],
		});
		const r = await engine.runChain([request(body(table), creds)]);
		expect(r.error?.message).toBeUndefined();
		expect(r.json('Celonis')[0]).toMatchObject({ targetName: table, status: 'NEW' });
		expect(jobsOf(ctx.emu).filter((j) => j.targetName === table)).toHaveLength(1);
	});

	it('302 would turn the POST into a GET: not followed, and the error says why', async () => {
		const { engine, creds } = await engineWith(ctx.emu, ['integration.data-pools']);
		const table = freshTable('R');
		await addFaults({
			method: 'POST',
			path: '/data-ingestion/api/v1/data-push/*/jobs',
			sequence: [
				{ status: 302, headers: { location: `/integration/api/v1/data-push/${POOL}/jobs/` } },
			],
		});
		const r = await engine.runChain([request(body(table), creds)]);
		expect(r.error?.message).toMatch(/redirect \(HTTP 302\)/);
		expect(r.error?.description).toMatch(/would turn the POST into a GET/);
		expect(jobsOf(ctx.emu).filter((j) => j.targetName === table)).toHaveLength(0);
	});
});
