/**
 * The workflows the trigger e2e tests and the trigger benchmark run in a real n8n: a start node (the Celonis
 * Trigger, or n8n's plain Webhook node as the floor) → Set (the event's id, offset and n8n's execution id) →
 * HTTP Request POSTing that to a local sink. Both variants are the same workflow after the start node.
 */
import { CREDENTIAL_IDS, CREDENTIAL_NAMES } from './n8n-fixtures';

export interface SinkRecord {
	eventId: string;
	offset: number;
	executionId: number;
}

interface Options {
	id: string;
	name?: string;
	/** the trigger node's webhookId: its webhook URL is <n8n>/webhook/<webhookId>/webhook */
	webhookId: string;
	sinkUrl: string;
	knowledgeModelId?: string;
	triggerId?: string;
	/** the Celonis Trigger's options (onDeactivation, output, skipErrors) */
	options?: Record<string, unknown>;
}

function workflow(
	opts: Options,
	start: Record<string, unknown>,
	fields: { eventId: string; offset: string },
) {
	const nodes = [
		{ id: 'e0000000-0000-4000-8000-000000000001', position: [0, 0], ...start },
		{
			id: 'e0000000-0000-4000-8000-000000000002',
			name: 'Event',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [240, 0],
			parameters: {
				assignments: {
					assignments: [
						{ id: 's1', name: 'eventId', type: 'string', value: `={{ ${fields.eventId} }}` },
						{ id: 's2', name: 'offset', type: 'number', value: `={{ ${fields.offset} }}` },
						{
							id: 's3',
							name: 'executionId',
							type: 'number',
							value: '={{ Number($execution.id) }}',
						},
					],
				},
				options: {},
			},
		},
		{
			id: 'e0000000-0000-4000-8000-000000000003',
			name: 'To Sink',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [480, 0],
			parameters: {
				method: 'POST',
				url: opts.sinkUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify($json) }}',
				options: {},
			},
		},
	];
	const startName = String(start.name);
	return {
		id: opts.id,
		name: opts.name ?? opts.id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			[startName]: { main: [[{ node: 'Event', type: 'main', index: 0 }]] },
			Event: { main: [[{ node: 'To Sink', type: 'main', index: 0 }]] },
		},
	};
}

/** Celonis Trigger (OAuth2 credential of the fixtures) → Set → HTTP Request to the sink. */
export function celonisTriggerWorkflow(opts: Options) {
	return workflow(
		opts,
		{
			name: 'Celonis Trigger',
			type: 'n8n-nodes-celonis.celonisTrigger',
			typeVersion: 1,
			webhookId: opts.webhookId,
			parameters: {
				authentication: 'oAuth2',
				knowledgeModel: { __rl: true, mode: 'id', value: opts.knowledgeModelId ?? 'o2c-km' },
				trigger: { __rl: true, mode: 'id', value: opts.triggerId ?? 'blocked-order' },
				options: opts.options ?? {},
			},
			credentials: {
				celonisOAuth2Api: {
					id: CREDENTIAL_IDS.celonisOAuth2Api,
					name: CREDENTIAL_NAMES.celonisOAuth2Api,
				},
			},
		},
		{ eventId: '$json.eventId', offset: '$json.offset' },
	);
}

/** n8n's plain Webhook node (POST, answers at once) → the same Set → HTTP Request. */
export function webhookNodeWorkflow(opts: Options) {
	return workflow(
		opts,
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: opts.webhookId,
			parameters: { httpMethod: 'POST', path: opts.webhookId, options: {} },
		},
		{ eventId: '$json.body.event.id', offset: '$json.body.offset' },
	);
}

/** Fires `count` events of a knowledge model's trigger in the emulator (waiting for their delivery, if asked). */
export async function fireEvents(
	emulatorUrl: string,
	count: number,
	{ knowledgeModelId = 'o2c-km', triggerId = 'blocked-order', wait = true } = {},
): Promise<{ subscriptions: number }> {
	const res = await fetch(
		`${emulatorUrl}/__emulator/knowledge-models/${knowledgeModelId}/triggers/${triggerId}/fire${wait ? '?wait=true' : ''}`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ count }),
		},
	);
	if (!res.ok) throw new Error(`firing ${triggerId}: HTTP ${res.status} ${await res.text()}`);
	return (await res.json()) as { subscriptions: number };
}

/** Resolves once `condition` holds, polling; fails after `timeoutMs` saying what it waited for. */
export async function waitUntil(
	condition: () => boolean | Promise<boolean>,
	what: string,
	timeoutMs = 60_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}
