import type { NodeSpec } from './engine';

/**
 * The nodes tests build workflows from, defined once: the Celonis node (credential choice derived from the
 * credential given), the item emitter, n8n's HTTP Request node with a predefined credential type, and
 * the emulator's fault injection.
 */
export const CELONIS_TYPE = 'n8n-nodes-celonis.celonis';

/** The node's Authentication value for the credential a test gives it. */
export function authenticationFor(credentials: NodeSpec['credentials']): string {
	if (credentials && 'celonisApiKeyApi' in credentials) return 'apiKey';
	if (credentials && 'celonisAppKeyApi' in credentials) return 'appKey';
	if (credentials && 'celonisAuthCodeOAuth2Api' in credentials) return 'oAuth2AuthCode';
	return 'oAuth2';
}

export function celonisNode(
	parameters: Record<string, unknown>,
	credentials: NodeSpec['credentials'],
	extra: Partial<NodeSpec> = {},
): NodeSpec {
	return {
		name: 'Celonis',
		type: CELONIS_TYPE,
		parameters: {
			authentication: authenticationFor(credentials),
			...parameters,
		} as NodeSpec['parameters'],
		credentials,
		...extra,
	};
}

/** HTTP Request → Send Request, GET by default. */
export function celonisRequest(
	parameters: Record<string, unknown>,
	credentials: NodeSpec['credentials'],
	extra: Partial<NodeSpec> = {},
): NodeSpec {
	return celonisNode(
		{ resource: 'httpRequest', operation: 'request', method: 'GET', ...parameters },
		credentials,
		extra,
	);
}

/** Emits the given rows as items (and binary data, see fixtureNodes' EmitItems). */
export function emitItems(rows: unknown[], binary?: Record<string, unknown>): NodeSpec {
	return {
		name: 'Input',
		type: 'test.emitItems',
		parameters: {
			items: JSON.stringify(rows),
			...(binary ? { binary: JSON.stringify(binary) } : {}),
		},
	};
}

/** n8n's own HTTP Request node using one of our credentials as its predefined credential type. */
export function httpRequestNode(
	url: string,
	credentialType: string,
	credentials: NodeSpec['credentials'],
	typeVersion = 4.2,
): NodeSpec {
	return {
		name: 'HTTP Request',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion,
		parameters: {
			method: 'GET',
			url,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: credentialType,
			options: {},
		},
		credentials,
	};
}

/** Adds fault rules to the emulator (see emulator/README.md, "Fault injection"). */
export async function addFaults(emulatorUrl: string, rules: unknown): Promise<void> {
	const response = await fetch(`${emulatorUrl}/__emulator/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(rules),
	});
	if (response.status >= 300)
		throw new Error(`fault rules refused: ${response.status} ${await response.text()}`);
}

export const CELONIS_TRIGGER_TYPE = 'n8n-nodes-celonis.celonisTrigger';

/** The Celonis Trigger on a knowledge model's trigger (late-delivery of the demo seed's o2c-km by default). */
export function celonisTriggerNode(
	parameters: Record<string, unknown>,
	credentials: NodeSpec['credentials'],
	webhookId?: string,
) {
	return {
		type: CELONIS_TRIGGER_TYPE,
		parameters: {
			authentication: authenticationFor(credentials),
			knowledgeModel: { __rl: true, mode: 'id', value: 'o2c-km' },
			trigger: { __rl: true, mode: 'id', value: 'late-delivery' },
			...parameters,
		} as NonNullable<NodeSpec['parameters']>,
		credentials,
		webhookId,
	};
}
