/**
 * bench/requests — the Celonis node's generic request against n8n's HTTP Request node and two floors,
 * all in the in-process n8n-core engine, against one emulator process.
 *   1. Rate-limited team (emulator: R requests/s, 429 + x-ratelimit-reset above it): 1,000 GETs through
 *      (a) the Celonis node at its defaults, (b) the HTTP Request node at its defaults, (c) the HTTP Request
 *      node with Retry On Fail at its maximum (5 tries, 5 s apart).
 *   2. No limit: 2,000 GETs through the Celonis node at concurrency 1 and 16, the HTTP Request node, a minimal
 *      node calling httpRequestWithAuthentication in a loop, and a bare undici loop (median of 3 runs).
 * Usage: npx tsx bench/requests/run.ts   (env: BENCH_LIMITED=1000, BENCH_REQUESTS=2000, BENCH_RATE=50)
 * The last line is a JSON object with the figures, among them the token requests per route
 * (tokenRequestsCelonisNode, tokenRequestsHttpNode) over the whole run.
 */
import { request } from 'undici';

import { configureEmulator, median, startEmulatorProcess } from '../shared/emulatorProcess';
import { Engine, type NodeSpec } from '../../test/harness/engine';
import { HelperLoop } from './helperLoopNode';

const LIMITED = Number(process.env.BENCH_LIMITED ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const PATH = '/api/cloud/team';
const CELONIS_CLIENT = 'demo-client';
const HTTP_NODE_CLIENT = 'demo-basic-client';

const log = (...args: unknown[]) => process.stderr.write(`${args.join(' ')}\n`);

async function main() {
	const emu = await startEmulatorProcess();
	try {
		const engine = await Engine.create({ 'bench.helperLoop': new HelperLoop() });
		// One OAuth client per route, so the emulator counts each route's token requests apart: the Celonis node
		// (and the helper-loop floor) use demo-client, n8n's HTTP Request node demo-basic-client.
		const oauth = (clientId: string, clientSecret: string) => ({
			teamUrl: emu.url,
			clientId,
			clientSecret,
			authMethod: 'clientSecretBasic',
			scopes: ['audit.log:read'],
			customScopes: '',
		});
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauth(CELONIS_CLIENT, 'demo-client-secret'),
		);
		const httpCreds = engine.addCredential(
			'celonisOAuth2Api',
			oauth(HTTP_NODE_CLIENT, 'demo-basic-secret'),
		);
		const input = (n: number): NodeSpec => ({
			name: 'Input',
			type: 'test.emitItems',
			parameters: { items: JSON.stringify(Array.from({ length: n }, (_, i) => ({ i }))) },
		});
		const celonis = (concurrency?: number, extra: Partial<NodeSpec> = {}): NodeSpec => ({
			name: 'Target',
			type: 'n8n-nodes-celonis.celonis',
			parameters: {
				authentication: 'oAuth2',
				resource: 'httpRequest',
				operation: 'request',
				method: 'GET',
				path: PATH,
				options: concurrency ? { concurrency } : {},
			},
			credentials: creds,
			...extra,
		});
		const httpNode = (extra: Partial<NodeSpec> = {}): NodeSpec => ({
			name: 'Target',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'GET',
				url: `${emu.url}${PATH}`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'celonisOAuth2Api',
				options: {},
			},
			credentials: httpCreds,
			...extra,
		});
		const helperLoop: NodeSpec = {
			name: 'Target',
			type: 'bench.helperLoop',
			parameters: { url: `${emu.url}${PATH}` },
			credentials: creds,
		};

		const timed = async (nodes: NodeSpec[]) => {
			const started = performance.now();
			const result = await engine.runChain(nodes);
			const ms = performance.now() - started;
			const items = result.json('Target');
			return {
				ms,
				succeeded: result.status === 'success' ? items.filter((j) => !('error' in j)).length : 0,
				result,
			};
		};
		const settle = () => new Promise((resolve) => setTimeout(resolve, 1200));

		// Warm up: token, JIT, connections.
		await timed([input(50), celonis()]);
		await timed([input(50), httpNode()]);
		await timed([input(50), helperLoop]);

		// 1. Rate-limited team.
		await configureEmulator(emu.url, { rateLimit: { requestsPerSecond: RATE } });
		await settle();
		log(`limited: Celonis node, ${LIMITED} GETs at ${RATE}/s …`);
		const limited = await timed([input(LIMITED), celonis()]);
		await settle();
		log('limited: HTTP Request node at defaults …');
		const httpLimited = await timed([input(LIMITED), httpNode({ continueOnFail: true })]);
		await settle();
		log('limited: HTTP Request node with Retry On Fail (5 tries, 5 s) …');
		const httpRetryLimited = await timed([
			input(LIMITED),
			httpNode({ retryOnFail: { maxTries: 5, waitBetweenTries: 5000 } }),
		]);
		await configureEmulator(emu.url, { rateLimit: { requestsPerSecond: null } });
		const boundMs = (LIMITED / RATE) * 1000;

		// 2. No limit.
		const runs = {
			sequential: [] as number[],
			concurrent16: [] as number[],
			httpNode: [] as number[],
			helperFloor: [] as number[],
			undici: [] as number[],
		};
		const token = String(engine.store.all()[0].data.accessToken);
		for (let round = 0; round < 3; round++) {
			log(`no limit: round ${round + 1}/3 …`);
			runs.sequential.push((await timed([input(REQUESTS), celonis(1)])).ms);
			runs.concurrent16.push((await timed([input(REQUESTS), celonis(16)])).ms);
			runs.httpNode.push((await timed([input(REQUESTS), httpNode()])).ms);
			runs.helperFloor.push((await timed([input(REQUESTS), helperLoop])).ms);
			const started = performance.now();
			for (let i = 0; i < REQUESTS; i++) {
				const response = await request(`${emu.url}${PATH}`, {
					headers: { authorization: `Bearer ${token}` },
				});
				await response.body.json();
			}
			runs.undici.push(performance.now() - started);
		}
		const statsAfter = (await (await fetch(`${emu.url}/__emulator/token-stats`)).json()) as {
			issued: number;
			byClient: Record<string, number>;
		};
		const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])) as Record<
			keyof typeof runs,
			number
		>;

		const round2 = (x: number) => Math.round(x * 100) / 100;
		log(
			`limited: Celonis ${limited.succeeded}/${LIMITED} in ${Math.round(limited.ms)} ms (bound ${boundMs} ms); HTTP node ${httpLimited.succeeded}; HTTP node + retry ${httpRetryLimited.succeeded} in ${Math.round(httpRetryLimited.ms)} ms`,
		);
		log(
			`no limit (median ms for ${REQUESTS}): ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v)])))}`,
		);
		console.log(
			JSON.stringify({
				limitedRequests: LIMITED,
				ratePerSecond: RATE,
				limitedSucceeded: limited.succeeded,
				limitedTimeVsBound: round2(limited.ms / boundMs),
				httpNodeLimitedSucceeded: httpLimited.succeeded,
				httpNodeRetryLimitedSucceeded: httpRetryLimited.succeeded,
				requests: REQUESTS,
				sequentialVsHelperFloor: round2(m.sequential / m.helperFloor),
				concurrent16VsHttpNode: round2(m.concurrent16 / m.httpNode),
				sequentialVsUndici: round2(m.sequential / m.undici),
				// token requests over the whole benchmark (this emulator process served nothing else), in all and
				// per route, the rate-limited runs included
				tokenRequests: statsAfter.issued,
				tokenRequestsCelonisNode: statsAfter.byClient[CELONIS_CLIENT] ?? 0,
				tokenRequestsHttpNode: statsAfter.byClient[HTTP_NODE_CLIENT] ?? 0,
			}),
		);
	} finally {
		emu.stop();
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
