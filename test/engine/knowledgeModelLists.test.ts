/**
 * The list searches and option lists of the Knowledge Model, Subscription and trigger parameters, called
 * with n8n-core's real LoadOptionsContext (what the editor calls) against the emulator.
 */
import { LoadOptionsContext } from 'n8n-core';
import { Workflow, type INode, type INodeType } from 'n8n-workflow';

import { CELONIS_TRIGGER_TYPE, CELONIS_TYPE } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine } from '../harness/engine';

const ctx = useEmulator();
let engine: Engine;

beforeAll(async () => {
	engine = await Engine.create();
});

/** The editor asking a node's method with the node's current parameters. */
function editor(type: string, parameters: INode['parameters'], scopes: string[]) {
	const credentials = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(ctx.emu.url, DEMO.client, { scopes }),
	);
	const node: INode = {
		id: 'n',
		name: 'Node',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: { authentication: 'oAuth2', ...parameters },
		credentials,
	};
	const nodeTypes = engine.nodeTypes();
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const context = new LoadOptionsContext(
		workflow,
		node,
		engine.additionalData('wf', { currentNodeParameters: node.parameters }),
		'',
	);
	const methods = (nodeTypes.getByNameAndVersion(type, 1) as INodeType).methods!;
	return {
		search: async (name: string, filter?: string) =>
			(await methods.listSearch![name].call(context, filter)).results.map((r) => [r.name, r.value]),
		options: async (name: string) =>
			(await methods.loadOptions![name].call(context)).map((o) => [o.name, o.value]),
	};
}

const km = { __rl: true, mode: 'list', value: 'o2c-km' };
const READ = ['intelligence.knowledge-models:read'];

it('knowledge models, records, record fields and filters of the Celonis node', async () => {
	const node = editor(
		CELONIS_TYPE,
		{
			resource: 'knowledgeModel',
			operation: 'getRecordData',
			knowledgeModel: km,
			record: { __rl: true, mode: 'list', value: 'SALES_ORDER' },
		},
		READ,
	);
	expect(await node.search('searchKnowledgeModels')).toEqual([['O2C Knowledge Model', 'o2c-km']]);
	expect(await node.search('searchKnowledgeModels', 'nothing like it')).toEqual([]);
	expect(await node.search('searchRecords', 'cust')).toEqual([['Customer', 'CUSTOMER']]);
	expect(await node.options('getRecordFields')).toEqual([
		['Order ID (ORDER_ID)', 'ORDER_ID'],
		['Customer (CUSTOMER)', 'CUSTOMER'],
		['Net value (NET_VALUE)', 'NET_VALUE'],
		['Created at (CREATED_AT)', 'CREATED_AT'],
		['Status (STATUS)', 'STATUS'],
	]);
	expect(await node.options('getKnowledgeModelFilters')).toEqual([
		['Only open orders (ONLY_OPEN)', 'ONLY_OPEN'],
	]);
});

it("the trigger's triggers need only the subscription scope; nothing is listed for an ID that is none", async () => {
	const trigger = editor(CELONIS_TRIGGER_TYPE, { knowledgeModel: km }, [
		'intelligence.subscriptions:manage',
	]);
	expect(await trigger.search('searchTriggers')).toEqual([
		['Late delivery risk (SALES_ORDER)', 'late-delivery'],
		['Order blocked for credit (SALES_ORDER)', 'blocked-order'],
	]);
	const odd = editor(
		CELONIS_TRIGGER_TYPE,
		{ knowledgeModel: { __rl: true, mode: 'id', value: '../subscriptions' } },
		['intelligence.subscriptions:manage'],
	);
	expect(await odd.search('searchTriggers')).toEqual([]);
});

it('subscriptions with their status and trigger', async () => {
	const res = await fetch(
		`${ctx.emu.url}/intelligence/api/knowledge-models/o2c-km/triggers/late-delivery/subscriptions`,
		{
			method: 'POST',
			headers: { authorization: `Bearer ${DEMO.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				name: 'Orders at risk',
				callbackInfo: { uri: `${ctx.emu.url}/api/cloud`, protocol: 'HTTP' },
			}),
		},
	);
	const { id } = (await res.json()) as { id: string };
	const node = editor(CELONIS_TYPE, { resource: 'subscription', operation: 'get' }, [
		'intelligence.subscriptions:manage',
	]);
	expect(await node.search('searchSubscriptions')).toEqual([
		['Orders at risk (active, trigger late-delivery)', id],
	]);
});
