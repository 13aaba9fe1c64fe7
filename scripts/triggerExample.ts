/**
 * Runs an example workflow that starts with the Celonis Trigger in a running n8n (`n8n start`): publish it,
 * fire events of its trigger in the emulator, check that every event was posted exactly once by the
 * workflow, unpublish it and check that the subscription is gone. Used by the demo (printed) and the e2e
 * tests (asserted). `n8n execute` cannot run a trigger, so these examples need no Manual Trigger.
 */
import type { Emulator } from '../emulator';
import type { Check } from './exampleChecks';
import type { ExampleWorkflow } from './n8n-fixtures';
import type { N8nRest } from './n8n-rest';
import { fireEvents, waitUntil } from './triggerWorkflows';

export const CELONIS_TRIGGER_TYPE = 'n8n-nodes-celonis.celonisTrigger';

interface ExampleNode {
	name: string;
	type: string;
	webhookId?: string;
	parameters: Record<string, unknown>;
}

const nodesOf = (example: ExampleWorkflow) => example.workflow.nodes as ExampleNode[];

export function isTriggerExample(example: ExampleWorkflow): boolean {
	return nodesOf(example).some((node) => node.type === CELONIS_TRIGGER_TYPE);
}

const idOf = (locator: unknown) => String((locator as { value?: unknown })?.value ?? '');

/** The chat messages name the Celonis event they are about: "… Celonis event <id>". */
const EVENT_REFERENCE = /Celonis event (\S+)/;

export async function runTriggerExample(
	example: ExampleWorkflow,
	context: {
		emu: Emulator;
		rest: N8nRest;
		/** what the example's HTTP Request posted (its example.com URL points at this sink) */
		sink: { received: unknown[] };
		events?: number;
	},
): Promise<Check[]> {
	const { emu, rest, sink, events = 5 } = context;
	const trigger = nodesOf(example).find((node) => node.type === CELONIS_TRIGGER_TYPE)!;
	const poster = nodesOf(example).find((node) => node.type === 'n8n-nodes-base.httpRequest');
	const knowledgeModelId = idOf(trigger.parameters.knowledgeModel);
	const triggerId = idOf(trigger.parameters.trigger);
	const ours = () =>
		emu.store.subscriptions
			.list()
			.filter((s) => s.callbackInfo.uri.includes(`/${trigger.webhookId}/`));
	const checks: Check[] = [];

	try {
		await rest.activate(example.workflow.id);
	} catch (error) {
		return [
			{ label: trigger.name, ok: false, detail: `publishing failed: ${(error as Error).message}` },
		];
	}
	const [subscription] = ours();
	checks.push({
		label: trigger.name,
		ok: subscription !== undefined && subscription.status === 'active',
		detail: subscription
			? `publishing subscribed n8n to the trigger "${triggerId}": subscription "${subscription.name}" calls ${subscription.callbackInfo.uri}`
			: 'publishing created no subscription',
	});
	if (!subscription) return checks;

	const before = sink.received.length;
	await fireEvents(emu.url, events, { knowledgeModelId, triggerId });
	const posted = () => sink.received.slice(before) as Array<{ text?: string }>;
	await waitUntil(() => posted().length >= events, `${events} chat messages`, 60_000).catch(
		() => undefined,
	);
	// A moment more, so that a duplicate would have arrived too.
	await new Promise((resolve) => setTimeout(resolve, 500));
	const delivered = emu.store.subscriptions
		.deliveries({ subscriptionId: subscription.id })
		.filter((d) => d.ok)
		.map((d) => d.eventId);
	const referenced = posted().map((body) => EVENT_REFERENCE.exec(body.text ?? '')?.[1]);
	const exactlyOnce =
		delivered.length === events &&
		new Set(delivered).size === events &&
		referenced.length === events &&
		referenced.every((id) => id !== undefined && delivered.includes(id)) &&
		new Set(referenced).size === events;
	checks.push({
		label: poster?.name ?? 'HTTP Request',
		ok: exactlyOnce,
		detail: `${events} events fired, ${delivered.length} delivered to n8n, ${posted().length} message(s) posted to the local chat webhook, ${exactlyOnce ? 'each event once' : 'NOT each event exactly once'}${posted()[0]?.text ? `, e.g. "${posted()[0].text}"` : ''}`,
	});

	await rest.deactivate(example.workflow.id);
	const left = ours();
	checks.push({
		label: 'Unpublishing',
		ok: left.length === 0,
		detail:
			left.length === 0
				? 'the subscription was deleted in Celonis'
				: `the subscription is still there (${left.map((s) => s.status).join(', ')})`,
	});
	return checks;
}
