/**
 * The operation table (shared/operationScopes.ts) tells the truth: every operation of the Celonis node is in it,
 * and each one runs with a client-credentials credential that requests exactly the least-privilege scopes the
 * table gives for it (the emulator enforces scopes as Celonis does), and makes no call the table does not list.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { loadTypes } from '../harness/packageTypes';
import { celonisNode, emitItems } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import {
	leastPrivilegeScopes,
	operationEntry,
	OPERATION_TABLE,
	scopeNeedsOfCalls,
} from '../../shared/operationScopes';
import { CONNECTION, DATA_JOB, freshTable, MODEL, POOL } from './dataPushHelpers';

const ctx = useEmulator();

interface LoggedRequest {
	seq: number;
	method: string;
	path: string;
	status: number;
}

async function requestLog(): Promise<LoggedRequest[]> {
	return (await (
		await fetch(`${ctx.emu.url}/__emulator/requests?limit=10000`)
	).json()) as LoggedRequest[];
}

const pool = { __rl: true, mode: 'id', value: POOL };
const csv = { data: { text: 'id,v\n1,a\n', fileName: 'c.csv', mimeType: 'text/csv' } };

/** Runs one operation with the table's least-privilege scopes; returns its output and the calls it made. */
async function runWithTableScopes(
	resource: string,
	operation: string,
	parameters: Record<string, unknown>,
	input?: NodeSpec,
) {
	const entry = operationEntry(resource, operation)!;
	const needs = scopeNeedsOfCalls(entry.calls);
	const scopes = leastPrivilegeScopes(needs);
	const engine = await Engine.create();
	const creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes }),
	);
	const before = Math.max(0, ...(await requestLog()).map((r) => r.seq));
	const result = await engine.runChain([
		...(input ? [input] : []),
		celonisNode({ resource, operation, ...parameters }, creds),
	]);
	const calls = (await requestLog()).filter(
		(r) => r.seq > before && r.path !== '/oauth2/token' && !r.path.startsWith('/api/cloud'),
	);
	return { entry, needs, scopes, result, calls };
}

/** Every call made is one the table's needs cover (same scope rule, or one the table's need implies). */
function expectCallsCovered(run: Awaited<ReturnType<typeof runWithTableScopes>>) {
	expect({ operation: run.entry.label, error: run.result.error?.message }).toEqual({
		operation: run.entry.label,
		error: undefined,
	});
	expect(run.calls.length).toBeGreaterThan(0);
	for (const call of run.calls) {
		const [need] = scopeNeedsOfCalls([{ method: call.method, path: call.path }]);
		const covered = need
			? need.anyOf.some((s) => run.scopes.includes(s)) && run.needs.some((n) => n.api === need.api)
			: true;
		expect({ operation: run.entry.label, call: `${call.method} ${call.path}`, covered }).toEqual({
			operation: run.entry.label,
			call: `${call.method} ${call.path}`,
			covered: true,
		});
	}
}

beforeAll(() => {
	ctx.emu.configure({
		jobDelays: { queuedMs: 5, runningMs: 10 },
		dataJobDelays: { queuedMs: 5, runningMs: 10 },
		modelLoadMs: 20,
		continuousFlushMs: 10,
	});
});

it('lists every operation of the Celonis node (and nothing else)', async () => {
	const { nodes } = await loadTypes();
	const description = (
		nodes['n8n-nodes-celonis.celonis'] as {
			description: {
				properties: Array<{
					name: string;
					options?: Array<{ value: string }>;
					displayOptions?: { show?: { resource?: string[] } };
				}>;
			};
		}
	).description;
	const offered = description.properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			(p.options ?? []).map((o) => `${p.displayOptions?.show?.resource?.[0]}.${o.value}`),
		)
		.sort();
	expect(offered.length).toBeGreaterThan(10);
	expect(OPERATION_TABLE.map((e) => `${e.resource}.${e.operation}`).sort()).toEqual(offered);
});

describe('each operation runs with exactly the table’s least-privilege scopes', () => {
	it('(control: with another scope the same operation is refused)', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
		);
		const r = await engine.runChain([
			celonisNode({ resource: 'team', operation: 'getMembers' }, creds),
		]);
		expect(r.error?.message).toMatch(/Missing OAuth scope: Members API/);
	});

	it.each([
		['auditLog', 'getAll', { timeWindow: 'last24Hours' }],
		['team', 'getLoginHistory', { timeWindow: 'last24Hours' }],
		['team', 'getMembers', {}],
		['platformAdoption', 'getTrackingEvents', { timeWindow: 'last24Hours' }],
		[
			'dataModel',
			'reload',
			{ dataPool: pool, dataModel: { __rl: true, mode: 'id', value: MODEL } },
		],
		[
			'dataJob',
			'execute',
			{ dataPool: pool, dataJob: { __rl: true, mode: 'id', value: DATA_JOB }, mode: 'FULL' },
		],
		['dataPush', 'getManyJobs', { dataPool: pool, returnAll: true }],
	] as const)('%s → %s', async (resource, operation, parameters) => {
		expectCallsCovered(await runWithTableScopes(resource, operation, parameters));
	});

	it('dataPush → pushItems, deleteRows, pushFile, continuousPush', async () => {
		const table = freshTable();
		expectCallsCovered(
			await runWithTableScopes(
				'dataPush',
				'pushItems',
				{ dataPool: pool, tableName: table, mode: 'DELTA', keyColumns: 'id' },
				emitItems([{ id: 1, v: 'a' }]),
			),
		);
		expectCallsCovered(
			await runWithTableScopes(
				'dataPush',
				'deleteRows',
				{ dataPool: pool, tableName: table, keyColumns: 'id' },
				emitItems([{ id: 1 }]),
			),
		);
		expectCallsCovered(
			await runWithTableScopes(
				'dataPush',
				'pushFile',
				{ dataPool: pool, tableName: freshTable() },
				emitItems([{}], csv),
			),
		);
		expectCallsCovered(
			await runWithTableScopes(
				'dataPush',
				'continuousPush',
				{ dataPool: pool, tableName: freshTable(), options: { primaryKeys: 'id' } },
				emitItems([{ id: 1, v: 'a' }]),
			),
		);
	});

	it('dataPush → createJob, uploadChunk, getChunks, executeJob, getJob, deleteJob', async () => {
		const created = await runWithTableScopes('dataPush', 'createJob', {
			dataPool: pool,
			tableName: freshTable(),
			mode: 'DELTA',
			keyColumns: 'id',
			additionalFields: JSON.stringify({ connectionId: CONNECTION }),
		});
		expectCallsCovered(created);
		const jobId = created.result.json('Celonis')[0].id as string;
		expectCallsCovered(
			await runWithTableScopes(
				'dataPush',
				'uploadChunk',
				{ dataPool: pool, jobId },
				emitItems([{}], csv),
			),
		);
		for (const operation of ['getChunks', 'executeJob', 'getJob', 'deleteJob'])
			expectCallsCovered(
				await runWithTableScopes('dataPush', operation, { dataPool: pool, jobId }),
			);
	});

	it.each([
		['getAll', {}],
		['getRecords', {}],
		['getFilters', {}],
		['getKpis', { includeValues: true }],
		[
			'getRecordData',
			{ record: { __rl: true, mode: 'id', value: 'SALES_ORDER' }, fields: ['ORDER_ID'] },
		],
	] as const)('knowledgeModel → %s', async (operation, parameters) => {
		expectCallsCovered(
			await runWithTableScopes('knowledgeModel', operation, {
				knowledgeModel: { __rl: true, mode: 'id', value: 'o2c-km' },
				...parameters,
			}),
		);
	});

	it('subscription → every operation', async () => {
		// Celonis probes a subscription's callback when it is created: a local one that accepts the probe, and
		// events until `failing` (then the subscription fails, and Get Failed Events has something to take over).
		const state = { failing: false };
		const callback = http.createServer((req, res) =>
			res.writeHead(req.method === 'POST' && state.failing ? 500 : 200).end(),
		);
		await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
		ctx.emu.configure({
			subscriptions: { retries: 1, retryDelayMs: 10, recoveryIntervalMs: 60_000 },
		});
		try {
			const created = await fetch(
				`${ctx.emu.url}/intelligence/api/knowledge-models/o2c-km/triggers/late-delivery/subscriptions`,
				{
					method: 'POST',
					headers: { authorization: `Bearer ${DEMO.apiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({
						name: 'operation table',
						callbackInfo: {
							uri: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/`,
							protocol: 'HTTP',
						},
					}),
				},
			);
			expect(created.status).toBe(201);
			const subscription = {
				__rl: true,
				mode: 'id',
				value: ((await created.json()) as { id: string }).id,
			};
			for (const [operation, parameters] of [
				['getAll', {}],
				['get', { subscription }],
				['pause', { subscription }],
				['resume', { subscription }],
				['resumeFromLatest', { subscription }],
				['replayFromOffset', { subscription, fromOffset: 0 }],
			] as const)
				expectCallsCovered(await runWithTableScopes('subscription', operation, parameters));
			state.failing = true;
			const fired = await fetch(
				`${ctx.emu.url}/__emulator/knowledge-models/o2c-km/triggers/late-delivery/fire?wait=true`,
				{
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ count: 1 }),
				},
			);
			expect(fired.status).toBe(200);
			for (const [operation, parameters] of [
				['getFailedEvents', { subscription, returnAll: true }],
				['delete', { subscription }],
			] as const)
				expectCallsCovered(await runWithTableScopes('subscription', operation, parameters));
		} finally {
			await new Promise((resolve) => callback.close(resolve));
		}
	});
});
