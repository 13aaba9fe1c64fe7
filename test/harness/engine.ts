import './userFolder';

import 'reflect-metadata';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	type IConnections,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeType,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeTypes,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { CredentialStore, TestCredentialsHelper } from './credentialsHelper';
import { deduplicationStore } from './deduplication';
import { loadTypes, type LoadedTypes } from './packageTypes';

export interface NodeSpec {
	name: string;
	type: string;
	typeVersion?: number;
	parameters?: INode['parameters'];
	credentials?: Record<string, INodeCredentialsDetails>;
	continueOnFail?: boolean;
	/** n8n's node setting "Retry On Fail" (tries and wait between them, as in the editor). */
	retryOnFail?: { maxTries: number; waitBetweenTries: number };
	/**
	 * Run the node the way an AI agent calls a tool: same node code, but `isToolExecution()` answers true
	 * (n8n's SupplyDataContext does that for nodes connected as ai_tool; the rest of the context is n8n's).
	 */
	asTool?: boolean;
}

export interface RunResult {
	run: IRun;
	status: IRun['status'];
	error: (Error & { description?: string; httpCode?: string; context?: IDataObject }) | undefined;
	/** Items of a node's first (or given) output. */
	items(nodeName: string, outputIndex?: number): INodeExecutionData[];
	json(nodeName: string, outputIndex?: number): IDataObject[];
	staticData: IDataObject;
}

export const TRIGGER = 'Start';

export interface RunOptions {
	workflowId?: string;
	signal?: AbortSignal;
	/** n8n's execution mode; 'manual' (an editor run) unless a test says otherwise, e.g. 'trigger' */
	mode?: WorkflowExecuteMode;
	/** run as a queue-mode worker does: without the workflow's stored static data (it still saves its own) */
	asQueueWorker?: boolean;
}

let executionCounter = 0;

/**
 * Runs workflows in-process with n8n-core's real WorkflowExecute: the node code, the request helpers
 * (httpRequestWithAuthentication, preAuthentication, binary data) and the credential handling are n8n's.
 * One Engine = one n8n instance: its credential store and the workflows' static data persist across runs.
 */
export class Engine {
	readonly store = new CredentialStore();
	private staticDataByWorkflow = new Map<string, IDataObject>();

	private constructor(private readonly types: LoadedTypes) {}

	/** `extraNodes`: node types of a test or benchmark only, by type name. */
	static async create(extraNodes: LoadedTypes['nodes'] = {}): Promise<Engine> {
		const types = await loadTypes();
		await deduplicationStore();
		return new Engine({ ...types, nodes: { ...types.nodes, ...extraNodes } });
	}

	get credentialsHelper(): TestCredentialsHelper {
		return (this.helper ??= new TestCredentialsHelper(this.types.credentials, this.store));
	}
	private helper?: TestCredentialsHelper;

	addCredential(
		type: string,
		data: ICredentialDataDecryptedObject,
		id = `${type}-${this.store.all().length + 1}`,
	): Record<string, INodeCredentialsDetails> {
		return { [type]: this.store.add({ id, name: `${type} ${id}`, type, data }) };
	}

	/** The node types of this instance (the package's, a few of n8n-nodes-base's, and `extra`). */
	nodeTypes(extra: LoadedTypes['nodes'] = {}): INodeTypes {
		const typeOf = (name: string) => extra[name] ?? this.types.nodes[name];
		return {
			getByName: (t) => typeOf(t),
			getByNameAndVersion: (t, v) => NodeHelpers.getVersionedNodeType(typeOf(t), v),
			getKnownTypes: () => ({}),
		};
	}

	/**
	 * What n8n hands every node context besides the workflow: credentials, URLs, hooks. Also for the contexts
	 * n8n builds outside an execution (list searches, a trigger's webhook lifecycle and its webhook calls).
	 */
	additionalData(
		workflowId: string,
		extra: Partial<IWorkflowExecuteAdditionalData> & Record<string, unknown> = {},
	): IWorkflowExecuteAdditionalData {
		return {
			executionId: `exec-${Date.now()}`,
			userId: 'test-user',
			workflowId,
			credentialsHelper: this.credentialsHelper,
			restApiUrl: 'http://localhost/rest',
			instanceBaseUrl: 'http://localhost/',
			formBaseUrl: 'http://localhost/form',
			formWaitingBaseUrl: 'http://localhost/form-waiting',
			formTestBaseUrl: 'http://localhost/form-test',
			webhookBaseUrl: 'http://localhost/webhook',
			webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
			webhookTestBaseUrl: 'http://localhost/webhook-test',
			mcpBaseUrl: 'http://localhost/mcp',
			mcpTestBaseUrl: 'http://localhost/mcp-test',
			currentNodeExecutionIndex: 0,
			variables: {},
			executeWorkflow: async () => {
				throw new Error('Sub-workflows are not supported in tests');
			},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			logAiEvent: () => {},
			setExecutionStatus: () => {},
			sendDataToUI: () => {},
			startRunnerTask: async () => {
				throw new Error('Task runners are not available in tests');
			},
			...extra,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	/** A workflow: manual trigger → the given nodes, connected in a chain. */
	async runChain(nodes: NodeSpec[], options: RunOptions = {}): Promise<RunResult> {
		const all: NodeSpec[] = [{ name: TRIGGER, type: 'n8n-nodes-base.manualTrigger' }, ...nodes];
		const connections: IConnections = {};
		for (let i = 0; i < all.length - 1; i++) {
			connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
		}
		return await this.run(all, connections, options);
	}

	async run(
		specs: NodeSpec[],
		connections: IConnections,
		options: RunOptions = {},
	): Promise<RunResult> {
		const workflowId = options.workflowId ?? 'test-workflow';
		const extraTypes: LoadedTypes['nodes'] = {};
		for (const spec of specs.filter((s) => s.asTool))
			extraTypes[`${spec.type}:asTool`] = asTool(this.types.nodes[spec.type] as INodeType);
		const nodeTypes = this.nodeTypes(extraTypes);
		const nodes: INode[] = specs.map((s, i) => ({
			id: `node-${i}`,
			name: s.name,
			type: s.asTool ? `${s.type}:asTool` : s.type,
			typeVersion: s.typeVersion ?? 1,
			position: [i * 200, 0],
			parameters: s.parameters ?? {},
			...(s.credentials ? { credentials: s.credentials } : {}),
			...(s.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			...(s.retryOnFail ? { retryOnFail: true, ...s.retryOnFail } : {}),
		}));
		// A queue-mode worker runs on the execution's workflow snapshot, which has no static data (n8n 2.41).
		const staticData = options.asQueueWorker
			? {}
			: (this.staticDataByWorkflow.get(workflowId) ?? {});
		const workflow = new Workflow({
			id: workflowId,
			name: workflowId,
			nodes,
			connections,
			active: false,
			nodeTypes,
			staticData: JSON.parse(JSON.stringify(staticData)) as IDataObject,
			settings: { executionOrder: 'v1' },
		});
		const workflowData = {
			id: workflowId,
			name: workflowId,
			nodes,
			connections,
			active: false,
			settings: {},
		} as unknown as IWorkflowBase;
		const mode = options.mode ?? 'manual';
		const executionId = `exec-${++executionCounter}`;
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		let resolveRun!: (run: IRun) => void;
		const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
		let newStaticData: IDataObject | undefined;
		hooks.addHandler('workflowExecuteAfter', (run, changed) => {
			newStaticData = changed;
			resolveRun(run);
		});

		const additionalData = this.additionalData(workflowId, { executionId, hooks });

		const execution = new WorkflowExecute(additionalData, mode).run({ workflow });
		options.signal?.addEventListener('abort', () => execution.cancel());
		const run = await finished;
		// As n8n's cli (hookFunctionsSave): the static data WorkflowExecute hands to workflowExecuteAfter is stored —
		// only when a node changed it (__dataChanged), after successful AND failed executions alike, never after a
		// cancelled one. (n8n skips it for manual-mode executions; this harness stores it as for a production run.)
		if (newStaticData) {
			const { __dataChanged, ...rest } = newStaticData as IDataObject & { __dataChanged?: boolean };
			void __dataChanged;
			this.staticDataByWorkflow.set(workflowId, rest);
		}
		return toResult(run, this.staticDataByWorkflow.get(workflowId) ?? {});
	}
}

function asTool(nodeType: INodeType): INodeType {
	return {
		description: nodeType.description,
		methods: nodeType.methods,
		async execute(this: IExecuteFunctions) {
			const context = new Proxy(this, {
				get: (target, property) => {
					if (property === 'isToolExecution') return () => true;
					const value = Reflect.get(target, property) as unknown;
					return typeof value === 'function'
						? (value as (...a: unknown[]) => unknown).bind(target)
						: value;
				},
			});
			return await nodeType.execute!.call(context);
		},
	};
}

function toResult(run: IRun, staticData: IDataObject): RunResult {
	const items = (nodeName: string, outputIndex = 0): INodeExecutionData[] => {
		const task = run.data.resultData.runData[nodeName]?.[0];
		return task?.data?.main?.[outputIndex] ?? [];
	};
	return {
		run,
		status: run.status,
		error: run.data.resultData.error as RunResult['error'],
		items,
		json: (nodeName, outputIndex) => items(nodeName, outputIndex).map((i) => i.json),
		staticData,
	};
}
