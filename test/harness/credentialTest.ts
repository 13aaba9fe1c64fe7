import './userFolder';

import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type INode,
	type INodeCredentialTestResult,
	type INodeType,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import type { Engine } from './engine';

/**
 * Runs a credential's `test` the way n8n's CredentialsTester does (packages/cli/src/services/
 * credentials-tester.service.ts, n8n 2.41): a temporary NoOp node whose only property routes the test
 * request through n8n-core's RoutingNode, so preAuthentication and authenticate both apply, and the
 * same rules turn failures into the message the editor shows.
 */
export async function testCredential(
	engine: Engine,
	type: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const credentialType = engine.credentialsHelper['types'][type];
	if (!credentialType?.test)
		return { status: 'Error', message: 'No testing function found for this credential.' };
	const id = `test-${type}`;
	engine.store.add({ id, name: 'Credential under test', type, data });

	let decrypted: ICredentialDataDecryptedObject;
	try {
		decrypted = engine.credentialsHelper.applyDefaults(type, data);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}

	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id, name: 'Credential under test' } },
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'NoOp',
			name: 'n8n-nodes-base.noOp',
			group: ['organization'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: type, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: credentialType.test.request },
					default: '',
				},
			],
		},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	const additionalData = {
		credentialsHelper: engine.credentialsHelper,
		variables: {},
		currentNodeExecutionIndex: 0,
	} as unknown as IWorkflowExecuteAdditionalData;
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(context, nodeType, {
		id,
		name: 'Credential under test',
		type,
		data: decrypted,
	});

	try {
		await routingNode.runNode();
	} catch (error) {
		const e = error as {
			cause?: { response?: { status: number; statusText?: string }; code?: string };
			message: string;
		};
		if (e.cause?.response) {
			const { status, statusText } = e.cause.response;
			for (const rule of credentialType.test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status)
					return { status: 'Error', message: rule.properties.message };
			}
			if (status < 199 || status > 299)
				return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
		} else if (e.cause?.code) {
			return { status: 'Error', message: e.cause.code };
		}
		return { status: 'Error', message: e.message.toString() };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
