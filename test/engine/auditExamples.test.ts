/** examples/nightly-audit-log-export.json and examples/incremental-login-history-to-webhook.json, in-process from their Manual Trigger. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type { IConnections } from 'n8n-workflow';

import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine, type NodeSpec } from '../harness/engine';
import { loadTypes, requireBase } from '../harness/packageTypes';

const ctx = useEmulator();

type Example = {
	id: string;
	nodes: Array<NodeSpec & { credentials?: Record<string, { id: string; name: string }> }>;
	connections: IConnections;
};

async function withExampleNodes(): Promise<void> {
	const types = await loadTypes();
	const base = (rel: string, name: string) => requireBase<never>(`nodes/${rel}`, name);
	types.nodes['n8n-nodes-base.aggregate'] ??= base(
		'Transform/Aggregate/Aggregate.node.js',
		'Aggregate',
	);
	types.nodes['n8n-nodes-base.httpRequest'] ??= base(
		'HttpRequest/HttpRequest.node.js',
		'HttpRequest',
	);
	types.nodes['n8n-nodes-base.scheduleTrigger'] ??= base(
		'Schedule/ScheduleTrigger.node.js',
		'ScheduleTrigger',
	);
}

function load(file: string): Example {
	return JSON.parse(readFileSync(path.join(__dirname, '../../examples', file), 'utf8')) as Example;
}

/** The credential the examples reference (scripts/n8n-fixtures.ts ids), with the scopes the exports need. */
async function engineFor(example: Example): Promise<Engine> {
	await withExampleNodes();
	const engine = await Engine.create();
	const ref = example.nodes.find((n) => n.credentials?.celonisOAuth2Api)!.credentials!
		.celonisOAuth2Api;
	engine.store.add({
		id: ref.id,
		name: ref.name,
		type: 'celonisOAuth2Api',
		data: oauthData(ctx.emu.url, DEMO.client, {
			scopes: ['audit.log:read', 'team.login-history:read'],
		}),
	});
	return engine;
}

/** As `n8n execute`: start at the Manual Trigger, without the Schedule Trigger and sticky notes (and their connections). */
const runnable = (example: Example) =>
	example.nodes.filter(
		(n) => n.type !== 'n8n-nodes-base.scheduleTrigger' && n.type !== 'n8n-nodes-base.stickyNote',
	);
const connectionsOf = (example: Example): IConnections => {
	const kept = new Set(runnable(example).map((n) => n.name));
	return Object.fromEntries(
		Object.entries(example.connections).filter(([source]) => kept.has(source)),
	);
};

/** A local endpoint that records what it receives (text bodies); it answers 503 while `failing` is set. */
async function startSink(): Promise<{
	url: string;
	received: Array<{ method: string; url: string; body: string }>;
	failing: boolean;
	close(): void;
}> {
	const sink = {
		url: '',
		received: [] as Array<{ method: string; url: string; body: string }>,
		failing: false,
		close: () => {
			server.closeAllConnections();
			server.close();
		},
	};
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			if (sink.failing) return void res.writeHead(503).end('down');
			sink.received.push({ method: req.method ?? '', url: req.url ?? '', body });
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
	return sink;
}

it('nightly-audit-log-export: the audit log since the last run as one CSV file; the next run only has what is new', async () => {
	const storage = await startSink();
	try {
		await nightly(storage);
	} finally {
		storage.close();
	}
});

async function nightly(storage: Awaited<ReturnType<typeof startSink>>): Promise<void> {
	const example = load('nightly-audit-log-export.json');
	const upload = example.nodes.find((n) => n.name === 'Upload the CSV file')!;
	expect(upload.parameters!.url).toBe('https://storage.example.com/celonis/audit-log');
	upload.parameters!.url = storage.url;
	const engine = await engineFor(example);
	const first = await engine.run(runnable(example), connectionsOf(example), {
		workflowId: example.id,
	});
	expect(first.error?.message).toBeUndefined();
	const [item] = first.items('Audit log since last run (CSV)');
	const dayAgo = Date.now() - 86_400_000;
	const expected = ctx.emu.store.audit
		.all()
		.filter((e) => Date.parse(e.timestamp) >= dayAgo - 60_000);
	expect(item.json.events).toBeGreaterThanOrEqual(expected.length - 2);
	expect(item.binary!.data.fileName).toMatch(/^celonis-audit-log-\d{4}-\d\d-\d\dT\d\d-\d\dZ\.csv$/);
	expect(Buffer.from(item.binary!.data.data, 'base64').toString().split('\r\n')[0]).toBe(
		'"timestamp","event","userId","userRole","ipAddress","port","message","diffPayload"',
	);

	ctx.emu.store.audit.append([
		{
			userId: 'u-x',
			userRole: 'ADMIN',
			event: 'NIGHTLY_TEST',
			timestamp: new Date(Date.now() - 10).toISOString(),
			message: {},
			ipAddress: null,
			port: null,
			diffPayload: null,
		},
	]);
	const second = await engine.run(runnable(example), connectionsOf(example), {
		workflowId: example.id,
	});
	expect(second.json('Audit log since last run (CSV)')[0]).toMatchObject({ events: 1 });

	// The file was stored, then the position confirmed.
	expect(storage.received).toHaveLength(2);
	expect(storage.received[1]).toMatchObject({ method: 'PUT' });
	expect(storage.received[1].url).toContain(
		`fileName=${encodeURIComponent(String(second.json('Audit log since last run (CSV)')[0].fileName))}`,
	);
	expect(storage.received[1].body.split('\r\n').filter(Boolean)).toHaveLength(2); // header + the event
	expect(storage.received[1].body).toContain('NIGHTLY_TEST');
	expect(second.json('Confirm export position')).toEqual([
		expect.objectContaining({ exportNode: 'Audit log since last run (CSV)', confirmed: true }),
	]);

	// At least once: a night whose upload fails exports the same events again the next night.
	ctx.emu.store.audit.append([
		{
			userId: 'u-x',
			userRole: 'ADMIN',
			event: 'NIGHTLY_RETRY_TEST',
			timestamp: new Date(Date.now() - 10).toISOString(),
			message: {},
			ipAddress: null,
			port: null,
			diffPayload: null,
		},
	]);
	const withoutRetries = runnable(example).map((n) =>
		n.name === 'Upload the CSV file' ? { ...n, retryOnFail: undefined } : n,
	);
	storage.failing = true;
	const failed = await engine.run(withoutRetries, connectionsOf(example), {
		workflowId: example.id,
	});
	expect(failed.status).toBe('error');
	expect(failed.json('Audit log since last run (CSV)')[0]).toMatchObject({ events: 1 });
	storage.failing = false;
	const next = await engine.run(runnable(example), connectionsOf(example), {
		workflowId: example.id,
	});
	expect(next.error?.message).toBeUndefined();
	expect(next.json('Audit log since last run (CSV)')[0]).toMatchObject({ events: 1 });
	expect(storage.received[2].body).toContain('NIGHTLY_RETRY_TEST');
}

it('incremental-login-history-to-webhook: new login events are POSTed as one batch, once', async () => {
	const received: Array<{ count: number; events: Array<{ email: string }> }> = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			received.push(JSON.parse(body));
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		const example = load('incremental-login-history-to-webhook.json');
		const post = example.nodes.find((n) => n.name === 'POST to webhook')!;
		expect(post.parameters!.url).toBe('https://webhook.example.com/celonis-login-history');
		post.parameters!.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
		const engine = await engineFor(example);
		const run = async () =>
			await engine.run(runnable(example), connectionsOf(example), { workflowId: example.id });

		const first = await run();
		expect(first.error?.message).toBeUndefined();
		const dayAgo = Date.now() - 86_400_000;
		const lastDay = ctx.emu.store.logins.all().filter((e) => Date.parse(e.timestamp) >= dayAgo);
		if (lastDay.length > 0) expect(received[0].count).toBeGreaterThanOrEqual(lastDay.length);

		const before = received.length;
		ctx.emu.store.logins.append([
			{
				authenticationEventType: 'LOGIN_SSO',
				email: 'new.user@example.com',
				success: true,
				timestamp: new Date(Date.now() - 5).toISOString(),
			},
		]);
		expect((await run()).error?.message).toBeUndefined();
		expect(received.slice(before)).toEqual([
			expect.objectContaining({
				count: 1,
				events: [expect.objectContaining({ email: 'new.user@example.com' })],
			}),
		]);

		const nothingNew = await run();
		expect(nothingNew.error?.message).toBeUndefined();
		expect(received.length).toBe(before + 1);

		// Each delivered batch was confirmed; with nothing new, nothing ran after the export.
		expect(first.json('Confirm export position')).toEqual([
			expect.objectContaining({ exportNode: 'New login events', confirmed: true }),
		]);
		expect(nothingNew.json('Confirm export position')).toEqual([]);
	} finally {
		server.close();
	}
});
