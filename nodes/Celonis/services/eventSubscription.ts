import {
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { callbackProtocolOf, unreachableCallbackReason } from '../helpers/callbackUrl';
import { errorCodeOf, toNodeError } from '../helpers/nodeErrors';
import { resourceIdOf } from '../helpers/parameters';
import {
	authorizationHeaderFor,
	newSubscriptionSecret,
	secretHashOf,
} from '../helpers/subscriptionEvents';
import { readTeamAuth } from '../transport';
import {
	intelligencePaths,
	listAll,
	subscriptions,
	type SubscriptionRequest,
} from '../transport/api/intelligence';

/**
 * The Celonis Trigger's subscription, kept in step with n8n's webhook lifecycle (checkExists → create on
 * activation, delete on deactivation): one subscription per node and mode, its ID and the hash of its
 * secret in the node's static data. A test run ("Listen for test event") gets its own subscription at the
 * test URL, never touching the production one.
 */

/** What the node's static data holds per mode. */
export interface SubscriptionState extends IDataObject {
	subscriptionId: string;
	secretHash: string;
	callbackUrl: string;
	knowledgeModelId: string;
	triggerId: string;
	name: string;
	skipErrors: boolean;
}

type Slot = 'production' | 'test';
type Ctx = IHookFunctions;

export interface TriggerOptions {
	onDeactivation?: 'delete' | 'pause';
	output?: 'fields' | 'raw';
	skipErrors?: boolean;
}

/** The stored subscription of the production workflow or of a test run. */
export function storedSubscription(
	ctx: IHookFunctions | IWebhookFunctions,
	slot: Slot,
): SubscriptionState | undefined {
	const state = ctx.getWorkflowStaticData('node')[slot] as SubscriptionState | undefined;
	return state && typeof state.subscriptionId === 'string' ? state : undefined;
}

/** "Listen for test event" runs in manual mode; an active workflow's webhook in any other. */
export function slotOf(ctx: IHookFunctions | IWebhookFunctions): Slot {
	return ctx.getMode() === 'manual' ? 'test' : 'production';
}

function store(ctx: Ctx, slot: Slot, state: SubscriptionState | undefined): void {
	const data = ctx.getWorkflowStaticData('node');
	if (state) data[slot] = state;
	else delete data[slot];
}

interface Wanted {
	knowledgeModelId: string;
	triggerId: string;
	name: string;
	skipErrors: boolean;
	callbackUrl: string;
}

function wanted(ctx: Ctx, slot: Slot): Wanted {
	const knowledgeModelId = resourceIdOf(
		ctx.getNodeParameter('knowledgeModel', '', { extractValue: true }),
		'Knowledge Model',
		'knowledge model',
	);
	const triggerId = resourceIdOf(
		ctx.getNodeParameter('trigger', '', { extractValue: true }),
		'Trigger',
		'trigger',
	);
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const entered = String(ctx.getNodeParameter('subscriptionName', '') ?? '').trim();
	const base = entered || `n8n: ${ctx.getWorkflow().name ?? 'workflow'} / ${ctx.getNode().name}`;
	const callbackUrl = ctx.getNodeWebhookUrl('default');
	if (!callbackUrl)
		throw new NodeOperationError(ctx.getNode(), 'n8n gave this node no webhook URL');
	return {
		knowledgeModelId,
		triggerId,
		name: (slot === 'test' ? `${base} (n8n test)` : base).slice(0, 200),
		skipErrors: options.skipErrors === true,
		callbackUrl,
	};
}

const uriOf = (s: IDataObject) => (s.callbackInfo as IDataObject | undefined)?.uri;

/** checkExists: the stored subscription still exists, unchanged, active and calling this node's URL. */
export async function subscriptionIsLive(ctx: Ctx): Promise<boolean> {
	return await asActivationError(ctx, async () => {
		const slot = slotOf(ctx);
		const state = storedSubscription(ctx, slot);
		if (!state) return false;
		const want = wanted(ctx, slot);
		if (!sameSettings(state, want)) return false;
		const found = (await subscriptions.list(ctx)).find((s) => s.id === state.subscriptionId);
		return (
			found !== undefined &&
			found.status === 'active' &&
			uriOf(found) === want.callbackUrl &&
			found.triggerId === want.triggerId
		);
	});
}

function sameSettings(state: SubscriptionState, want: Wanted): boolean {
	return (
		state.callbackUrl === want.callbackUrl &&
		state.knowledgeModelId === want.knowledgeModelId &&
		state.triggerId === want.triggerId &&
		state.name === want.name &&
		state.skipErrors === want.skipErrors
	);
}

/**
 * create: makes the team's subscriptions match this node. The stored subscription is resumed when it was
 * paused (queued events arrive), updated when its URL, name or options changed, or replaced when the
 * trigger changed; subscriptions that call this node's URL with a secret n8n no longer knows (left over from
 * a lost answer or a crashed test run) are removed; then a new one is created.
 */
export async function subscribe(ctx: Ctx): Promise<boolean> {
	return await asActivationError(ctx, async () => {
		const slot = slotOf(ctx);
		const want = wanted(ctx, slot);
		const auth = await readTeamAuth(ctx);
		const unreachable = unreachableCallbackReason(want.callbackUrl, auth.origin);
		if (unreachable) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Celonis cannot call n8n at ${want.callbackUrl}: ${unreachable}. Set n8n's WEBHOOK_URL environment variable to the public https address of this n8n (e.g. WEBHOOK_URL=https://n8n.example.com/), restart n8n and activate the workflow again.`,
			);
		}
		const all = await subscriptions.list(ctx);
		const state = storedSubscription(ctx, slot);
		const mine = state ? all.find((s) => s.id === state.subscriptionId) : undefined;
		if (
			state &&
			mine &&
			mine.triggerId === want.triggerId &&
			mine.knowledgeModelId === want.knowledgeModelId
		) {
			if (sameSettings(state, want) && uriOf(mine) === want.callbackUrl) {
				if (mine.status !== 'active') await subscriptions.act(ctx, state.subscriptionId, 'resume');
				return true;
			}
			const secret = newSubscriptionSecret();
			await subscriptions.update(ctx, state.subscriptionId, requestFor(want, secret));
			store(ctx, slot, stateFor(state.subscriptionId, secret, want));
			return true;
		}
		const stale = all.filter((s) => s.id === mine?.id || uriOf(s) === want.callbackUrl);
		for (const s of stale) await removeIfPresent(ctx, String(s.id));
		store(ctx, slot, undefined);

		const secret = newSubscriptionSecret();
		const id = await subscriptions
			.create(ctx, want.knowledgeModelId, want.triggerId, requestFor(want, secret))
			.catch(async (error: unknown) => {
				throw await explainCreateFailure(ctx, error, want);
			});
		store(ctx, slot, stateFor(id, secret, want));
		return true;
	});
}

/**
 * delete: removes the subscription (or pauses it, when the node's option says so: Celonis then queues the
 * events until the workflow is active again). A subscription that is already gone counts as removed. A test
 * run's subscription is always removed.
 */
export async function unsubscribe(ctx: Ctx): Promise<boolean> {
	return await asActivationError(ctx, async () => {
		// n8n runs delete in its own mode for both, so the URL tells a test run's subscription from the production one.
		const url = ctx.getNodeWebhookUrl('default');
		const slot: Slot = storedSubscription(ctx, 'test')?.callbackUrl === url ? 'test' : 'production';
		const state = storedSubscription(ctx, slot);
		if (!state) return true;
		const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
		if (slot === 'production' && options.onDeactivation === 'pause') {
			try {
				await subscriptions.act(ctx, state.subscriptionId, 'pause');
			} catch (error) {
				if (!isGone(error)) throw toNodeError(ctx.getNode(), error);
				store(ctx, slot, undefined);
			}
			return true;
		}
		await removeIfPresent(ctx, state.subscriptionId);
		store(ctx, slot, undefined);
		return true;
	});
}

function requestFor(want: Wanted, secret: string): SubscriptionRequest {
	return {
		name: want.name,
		callbackInfo: {
			uri: want.callbackUrl,
			protocol: callbackProtocolOf(want.callbackUrl),
			headers: { Authorization: authorizationHeaderFor(secret) },
		},
		configurations: want.skipErrors ? ['SKIP_ERRORS'] : [],
	};
}

function stateFor(id: string, secret: string, want: Wanted): SubscriptionState {
	return {
		subscriptionId: id,
		secretHash: secretHashOf(secret),
		callbackUrl: want.callbackUrl,
		knowledgeModelId: want.knowledgeModelId,
		triggerId: want.triggerId,
		name: want.name,
		skipErrors: want.skipErrors,
	};
}

function isGone(error: unknown): boolean {
	return (
		errorCodeOf(error) === 'SUBSCRIPTION_SUBSCRIPTION_NOTFOUND' ||
		(error as { httpCode?: unknown })?.httpCode === '404'
	);
}

async function removeIfPresent(ctx: Ctx, id: string): Promise<void> {
	try {
		await subscriptions.remove(ctx, id);
	} catch (error) {
		if (!isGone(error)) throw toNodeError(ctx.getNode(), error);
	}
}

/** Why Celonis refused to create the subscription, in terms of what to change. */
async function explainCreateFailure(ctx: Ctx, error: unknown, want: Wanted): Promise<unknown> {
	const node = ctx.getNode();
	switch (errorCodeOf(error)) {
		case 'SUBSCRIPTION_TRIGGER_FAILED': {
			// Celonis' "cannot create subscription" is also its answer to the team limit: the list tells which.
			const existing = await subscriptions.list(ctx).catch(() => undefined);
			if (!existing || existing.length < TEAM_SUBSCRIPTION_LIMIT) return error;
			const names = existing.map(
				(s) =>
					`"${String(s.name)}" (${String(s.status)}, trigger ${String(s.triggerId)} of ${String(s.knowledgeModelId)})`,
			);
			return new NodeOperationError(
				node,
				`The team has reached Celonis' limit of ${TEAM_SUBSCRIPTION_LIMIT} event subscriptions: ${names.join(', ')}. Delete one that is no longer needed (Celonis node → Subscription → Delete, or in Celonis) and activate the workflow again.`,
			);
		}
		case 'SUBSCRIPTION_CALLBACK_FAILED':
		case 'SUBSCRIPTION_URI_ILLEGAL':
			return new NodeOperationError(
				node,
				`Celonis could not call n8n back at ${want.callbackUrl} (${celonisSays(error)}). That address must reach this n8n from Celonis: set n8n's WEBHOOK_URL environment variable to n8n's public https address and allow Celonis through any firewall or proxy in front of n8n.`,
			);
		case 'SUBSCRIPTION_TRIGGER_NOTFOUND':
			// The trigger or its whole knowledge model: listing the model's triggers tells which.
			await listAll(ctx, intelligencePaths.triggers(want.knowledgeModelId), { limit: 1 }).catch(
				(listError: unknown) => {
					if (errorCodeOf(listError) === 'KNOWLEDGE_MODEL_NOTFOUND')
						throw toNodeError(ctx.getNode(), listError);
				},
			);
			return error;
		default:
			return error;
	}
}

/** Celonis allows 10 subscriptions per team (docs/celonis-api.md, "Rate limits"). */
const TEAM_SUBSCRIPTION_LIMIT = 10;

function celonisSays(error: unknown): string {
	const e = error as { message?: string; description?: string };
	return /Celonis said: (.*?)\.?$/.exec(e.description ?? '')?.[1] ?? e.message ?? String(error);
}

/**
 * n8n shows only an activation error's message (its description is dropped), so what to do goes into the
 * message too.
 */
async function asActivationError<T>(ctx: Ctx, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		const { message, description } = error as { message?: string; description?: string | null };
		if (description && message && !message.includes(description))
			throw new NodeOperationError(ctx.getNode(), `${message.replace(/\.$/, '')}. ${description}`, {
				description,
			});
		throw toNodeError(ctx.getNode(), error);
	}
}
