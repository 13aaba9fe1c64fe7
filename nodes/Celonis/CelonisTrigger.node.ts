import {
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	authenticationProperty,
	celonisCredentials,
	eventOutputProperty,
	knowledgeModelLocator,
	triggerLocator,
} from './actions/common.descriptions';
import { eventItem, eventsOf, isAuthorizedDelivery } from './helpers/subscriptionEvents';
import * as listSearch from './methods/listSearch';
import {
	slotOf,
	storedSubscription,
	subscribe,
	subscriptionIsLive,
	unsubscribe,
	type TriggerOptions,
} from './services/eventSubscription';

/**
 * Starts a workflow for every event of a Celonis Knowledge Model trigger. Activation subscribes n8n's webhook
 * URL to the trigger (Event Subscription API) with a random secret in the callback's Authorization header;
 * deactivation deletes (or pauses) the subscription. Celonis' callback probe at creation (HEAD or GET, or a
 * POST without an event) is answered without starting an execution.
 */
export class CelonisTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Celonis Trigger',
		name: 'celonisTrigger',
		icon: { light: 'file:../../icons/celonis.svg', dark: 'file:../../icons/celonis.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["trigger"].cachedResultName || $parameter["trigger"].value }}',
		description: 'Starts the workflow when a Celonis Knowledge Model trigger fires',
		defaults: { name: 'Celonis Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: celonisCredentials,
		webhooks: [
			// The probe routes come first: n8n registers a node's webhooks in this order, and Celonis probes the
			// callback while the subscription is being created.
			{
				name: 'setup',
				httpMethod: 'HEAD',
				responseMode: 'onReceived',
				path: 'webhook',
				ndvHideUrl: true,
			},
			{
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'webhook',
				ndvHideUrl: true,
			},
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
		eventTriggerDescription: 'Waiting for the Celonis trigger to fire',
		activationMessage:
			'Celonis now sends every event of the trigger to this workflow. Deactivating the workflow removes (or pauses) the subscription.',
		triggerPanel: {
			executionsHelp: {
				inactive:
					"<b>While building your workflow</b>, click 'Listen for test event': n8n subscribes to the trigger for one event and removes that subscription afterwards. Make the trigger fire in Celonis (or with the emulator's fire endpoint) and the event appears here.<br /><br /><b>Once you're happy with your workflow</b>, publish it: Celonis then sends every event of the trigger to n8n, which must be reachable from Celonis (n8n's WEBHOOK_URL).",
				active:
					"<b>While building your workflow</b>, click 'Listen for test event': n8n subscribes to the trigger for one event and removes that subscription afterwards.<br /><br /><b>Your workflow is active</b>: every event of the trigger starts an execution, visible in the executions list.",
			},
			activationHint:
				'Once you publish the workflow, Celonis sends every event of the trigger to n8n.',
		},
		properties: [
			authenticationProperty,
			{
				displayName:
					"Celonis calls n8n at this node's webhook URL, so n8n must be reachable from Celonis over https: set n8n's WEBHOOK_URL to its public address.",
				name: 'reachabilityNotice',
				type: 'notice',
				default: '',
			},
			knowledgeModelLocator,
			triggerLocator,
			{
				displayName: 'Subscription Name',
				name: 'subscriptionName',
				type: 'string',
				default: '',
				placeholder: 'e.g. n8n: blocked orders to the credit team',
				description:
					'How the subscription is named in Celonis; empty = "n8n: " followed by the names of the workflow and of this node',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'On Deactivation',
						name: 'onDeactivation',
						type: 'options',
						options: [
							{
								name: 'Delete the Subscription',
								value: 'delete',
								description:
									'Celonis stops sending events; the events of the meantime are not delivered',
							},
							{
								name: 'Pause the Subscription',
								value: 'pause',
								description:
									'Celonis keeps the events of the meantime and delivers them once the workflow is active again (the subscription keeps counting towards the team limit of 10)',
							},
						],
						default: 'delete',
						description:
							'What happens to the subscription in Celonis when the workflow is deactivated',
					},
					eventOutputProperty,
					{
						displayName: 'Skip Undeliverable Events',
						name: 'skipErrors',
						type: 'boolean',
						default: false,
						description:
							'Whether Celonis drops an event it could not deliver after its retries and goes on with the next (SKIP_ERRORS); otherwise the subscription stops as failed and keeps the events until n8n answers again',
					},
				],
			},
		],
	};

	methods = {
		listSearch: {
			searchKnowledgeModels: listSearch.searchKnowledgeModels,
			searchTriggers: listSearch.searchTriggers,
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionIsLive(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await subscribe(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await unsubscribe(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		if (this.getWebhookName() === 'setup') {
			// Celonis checks that the callback answers (HEAD or GET): answer, start nothing.
			res.status(200).end();
			return { noWebhookResponse: true };
		}
		const events = eventsOf(this.getBodyData());
		if (events.length === 0) {
			// A probe POST, or a body without events: nothing to do, and nothing for Celonis to retry.
			res.status(200).json({ received: 0 });
			return { noWebhookResponse: true };
		}
		const state = storedSubscription(this, slotOf(this));
		if (!state) {
			// Celonis may deliver before n8n has saved what activation stored: ask it to try again.
			res.status(503).set('Retry-After', '5').json({ error: 'Not subscribed yet' });
			return { noWebhookResponse: true };
		}
		if (!isAuthorizedDelivery(this.getHeaderData().authorization, state.secretHash)) {
			res.status(401).json({ error: 'Unauthorized' });
			return { noWebhookResponse: true };
		}
		const { output = 'fields' } = this.getNodeParameter('options', {}) as TriggerOptions;
		return {
			workflowData: [events.map((event) => ({ json: eventItem(event, output) as IDataObject }))],
		};
	}
}
