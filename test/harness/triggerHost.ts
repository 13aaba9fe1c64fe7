import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeCredentialsDetails,
	type INodeType,
	type IWebhookData,
	type IWebhookDescription,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { Engine } from './engine';

/**
 * A webhook trigger node hosted the way n8n hosts it, with n8n-core's real HookContext and WebhookContext:
 * activation runs `checkExists`, then `create` when it answered false; deactivation runs `delete`; static
 * data is kept between them as n8n stores it. An HTTP server on 127.0.0.1 stands in for n8n's webhook
 * endpoints: `/webhook/<webhookId>/<path>` (production) and `/webhook-test/...` ("Listen for test event").
 * A request runs the node's `webhook()`; what it returns is recorded as the execution n8n would start.
 *
 * The real n8n (`n8n start`) is exercised in test/e2e; this host covers the node's logic in-process.
 */
export interface HostedExecution {
	mode: 'production' | 'test';
	items: IDataObject[];
}

export interface HostedResponse {
	method: string;
	url: string;
	status: number;
	started: boolean;
}

type Slot = 'production' | 'test';

export class TriggerHost {
	readonly executions: HostedExecution[] = [];
	readonly responses: HostedResponse[] = [];
	/** Errors thrown by webhook(): n8n answers 500 and starts an execution with the error. */
	readonly webhookErrors: Error[] = [];
	/** The workflow's static data as n8n stores it. */
	staticData: IDataObject = {};
	private testStaticData: IDataObject | undefined;
	private pending: Promise<void> = Promise.resolve();
	private server!: http.Server;
	url = '';

	private constructor(
		private readonly engine: Engine,
		private readonly node: INode,
		private readonly workflowId: string,
	) {}

	static async start(
		engine: Engine,
		node: {
			name?: string;
			type: string;
			parameters: INode['parameters'];
			credentials?: Record<string, INodeCredentialsDetails>;
			webhookId?: string;
		},
		workflowId = 'trigger-workflow',
	): Promise<TriggerHost> {
		const host = new TriggerHost(
			engine,
			{
				id: 'trigger-node',
				name: node.name ?? 'Celonis Trigger',
				type: node.type,
				typeVersion: 1,
				position: [0, 0],
				parameters: node.parameters,
				webhookId: node.webhookId ?? '6a0b2f1e-0000-4000-8000-00000000c0de',
				...(node.credentials ? { credentials: node.credentials } : {}),
			},
			workflowId,
		);
		host.server = http.createServer((req, res) => void host.handle(req, res));
		await new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', resolve));
		host.url = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
		return host;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** The node's parameters, as a user would change them in the editor between activations. */
	setParameters(parameters: INode['parameters']): void {
		this.node.parameters = parameters;
	}

	get productionUrl(): string {
		return `${this.url}/webhook/${this.node.webhookId}/webhook`;
	}

	get testUrl(): string {
		return `${this.url}/webhook-test/${this.node.webhookId}/webhook`;
	}

	/** Publishing the workflow: checkExists, then create if needed; static data saved afterwards. */
	async activate(activation: WorkflowActivateMode = 'activate'): Promise<void> {
		await this.lifecycle('production', 'trigger', activation, ['checkExists', 'create']);
	}

	/** Unpublishing: delete (n8n runs it in its "internal" mode); static data saved afterwards. */
	async deactivate(): Promise<void> {
		await this.lifecycle('production', 'internal', 'update', ['delete']);
	}

	/** "Listen for test event": the test URL is registered, then checkExists / create in manual mode. */
	async listenForTest(): Promise<void> {
		this.testStaticData = JSON.parse(JSON.stringify(this.staticData)) as IDataObject;
		await this.lifecycle('test', 'manual', 'manual', ['checkExists', 'create']);
	}

	/** Resolves once what n8n does after a request (ending a test run) is done. */
	async settled(): Promise<void> {
		await this.pending;
	}

	/** What n8n does after the first test execution or when the test times out. */
	async stopListening(): Promise<void> {
		if (!this.testStaticData) return;
		await this.lifecycle('test', 'internal', 'update', ['delete']);
		this.testStaticData = undefined;
	}

	private nodeType(): INodeType {
		return this.engine.nodeTypes().getByNameAndVersion(this.node.type, 1) as INodeType;
	}

	private workflow(slot: Slot): Workflow {
		const staticData = slot === 'test' ? this.testStaticData : this.staticData;
		return new Workflow({
			id: this.workflowId,
			name: `Workflow ${this.workflowId}`,
			nodes: [this.node],
			connections: {},
			active: slot === 'production',
			nodeTypes: this.engine.nodeTypes(),
			staticData: JSON.parse(JSON.stringify(staticData ?? {})) as IDataObject,
			settings: { executionOrder: 'v1' },
		});
	}

	private additionalData(extra: Record<string, unknown> = {}) {
		return this.engine.additionalData(this.workflowId, {
			webhookBaseUrl: `${this.url}/webhook`,
			webhookTestBaseUrl: `${this.url}/webhook-test`,
			...extra,
		});
	}

	private webhookData(slot: Slot, description: IWebhookDescription): IWebhookData {
		return {
			httpMethod: description.httpMethod as IWebhookData['httpMethod'],
			node: this.node.name,
			path: `${this.node.webhookId}/${String(description.path)}`,
			webhookDescription: description,
			workflowId: this.workflowId,
			workflowExecuteAdditionalData: this.additionalData(),
			webhookId: this.node.webhookId,
			...(slot === 'test' ? { isTest: true } : {}),
		};
	}

	private async lifecycle(
		slot: Slot,
		mode: WorkflowExecuteMode,
		activation: WorkflowActivateMode,
		steps: Array<'checkExists' | 'create' | 'delete'>,
	): Promise<void> {
		const workflow = this.workflow(slot);
		const type = this.nodeType();
		const description = type.description.webhooks!.find((w) => w.name === 'default')!;
		const methods = type.webhookMethods!.default;
		const context = new HookContext(
			workflow,
			this.node,
			this.additionalData(),
			mode,
			activation,
			this.webhookData(slot, description),
		);
		for (const step of steps) {
			const done = await methods![step]!.call(context);
			if (step === 'checkExists' && done) break;
		}
		// n8n saves the static data after activation and deactivation.
		const saved = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		delete saved.__dataChanged;
		if (slot === 'test') this.testStaticData = saved;
		else this.staticData = saved;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const path = (req.url ?? '').split('?')[0];
		const slot: Slot | undefined = path.startsWith('/webhook-test/')
			? 'test'
			: path.startsWith('/webhook/')
				? 'production'
				: undefined;
		const method = req.method ?? 'GET';
		const description = this.nodeType().description.webhooks?.find((w) => w.httpMethod === method);
		const record = (status: number, started: boolean): void => {
			this.responses.push({ method, url: path, status, started });
		};
		const raw = await readBody(req);
		if (!slot || !description || (slot === 'test' && !this.testStaticData)) {
			res.writeHead(404).end();
			return record(404, false);
		}
		let body: unknown = {};
		if (raw.length > 0 && /application\/json/.test(req.headers['content-type'] ?? '')) {
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				res.writeHead(422).end('{"message":"Failed to parse request body"}');
				return record(422, false);
			}
		} else if (raw.length > 0) body = raw.toString('utf8');

		const workflow = this.workflow(slot);
		const response = responseAdapter(res);
		const context = new WebhookContext(
			workflow,
			this.node,
			this.additionalData({
				httpRequest: { body, headers: req.headers, params: {}, query: {}, method },
				httpResponse: response,
			}),
			slot === 'test' ? 'manual' : 'webhook',
			this.webhookData(slot, description),
			[],
			null,
		);
		let result;
		try {
			result = await this.nodeType().webhook!.call(context);
		} catch (error) {
			this.webhookErrors.push(error as Error);
			res
				.writeHead(500)
				.end('{"message":"Workflow Webhook Error: Workflow could not be started!"}');
			return record(500, true);
		}
		if (result.workflowData) {
			this.executions.push({
				mode: slot,
				items: result.workflowData[0].map((item) => item.json),
			});
			if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"message":"Workflow was started"}');
			record(200, true);
			// n8n removes a test run's webhooks once its execution started (after answering).
			if (slot === 'test') {
				this.pending = this.stopListening();
				await this.pending;
			}
			return;
		}
		if (!result.noWebhookResponse) {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(result.webhookResponse ?? { message: 'Webhook call received' }));
		}
		if (!res.writableEnded) res.end();
		record(res.statusCode, false);
	}
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** The parts of express' Response that webhook nodes use (status, json, send, end, set). */
function responseAdapter(res: http.ServerResponse) {
	const adapter = {
		status(code: number) {
			res.statusCode = code;
			return adapter;
		},
		set(name: string, value: string) {
			res.setHeader(name, value);
			return adapter;
		},
		json(value: unknown) {
			res.setHeader('content-type', 'application/json');
			res.end(JSON.stringify(value));
			return adapter;
		},
		send(value: unknown) {
			res.end(typeof value === 'string' ? value : JSON.stringify(value));
			return adapter;
		},
		end() {
			if (!res.writableEnded) res.end();
			return adapter;
		},
		get headersSent() {
			return res.headersSent;
		},
	};
	return adapter;
}
