import './userFolder';

import { Credentials } from 'n8n-core';
import {
	ICredentialsHelper,
	isExpression,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type INodeTypes,
	type IRequestOptionsSimplified,
} from 'n8n-workflow';

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	/** What n8n keeps in its database (decrypted): the user's fields plus what preAuthentication stored. */
	data: ICredentialDataDecryptedObject;
}

/** The credentials "database" of a test: survives across executions, like n8n's. */
export class CredentialStore {
	private readonly byId = new Map<string, StoredCredential>();
	readonly preAuthenticationCalls: Array<{ id: string; expired: boolean }> = [];

	add(credential: StoredCredential): INodeCredentialsDetails {
		this.byId.set(credential.id, { ...credential, data: { ...credential.data } });
		return { id: credential.id, name: credential.name };
	}

	get(id: string | null): StoredCredential {
		const found = id === null ? undefined : this.byId.get(id);
		if (!found) throw new Error(`Credential with ID "${id}" does not exist`);
		return found;
	}

	all(): StoredCredential[] {
		return [...this.byId.values()];
	}
}

/** n8n 2.41 cli `oauth/dcr-managed-fields.js`: hidden fields that always take the credential type's default. */
const OAUTH_PINNED_FIELDS = [
	'useDynamicClientRegistration',
	'authUrl',
	'accessTokenUrl',
	'grantType',
	'authentication',
	'usePkce',
	'requestTokenUrl',
	'signatureMethod',
];

const noNodeTypes: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as never,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as never,
	getKnownTypes: () => ({}),
};
const mockNode: INode = {
	id: 'mock',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

/**
 * Behaves like the n8n CLI's CredentialsHelper (packages/cli/src/credentials-helper.ts, n8n 2.41):
 * defaults and `$self` expressions are resolved on decryption, generic and function `authenticate`,
 * the expirable `preAuthentication` gate (empty field, expired after a 401, credential test) and
 * persistence of what preAuthentication returns.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Record<string, ICredentialType>,
		readonly store: CredentialStore,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown credential type "${name}"`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name).extends ?? [];
		return parents.flatMap((p) => [p, ...(this.types[p] ? this.getParentTypes(p) : [])]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** As the CLI: an extending type gets its parents' properties merged (`doNotInherit` ones skipped). */
	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.type(type);
		if (credentialType.extends === undefined) {
			if (!['oAuth1Api', 'oAuth2Api'].includes(type)) return credentialType.properties;
			return [
				...credentialType.properties,
				{
					displayName: 'oauthTokenData',
					name: 'oauthTokenData',
					type: 'json',
					required: false,
					default: {},
				},
			];
		}
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends)
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function')
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		if (authenticate?.type === 'generic') {
			const resolve = (value: string) =>
				!isExpression(value)
					? value
					: String(
							workflow!.expression.getSimpleParameterValue(
								node!,
								value,
								'internal',
								{ $credentials: credentials },
								undefined,
								'',
							) ?? '',
						);
			const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				options[outerKey] ??= {};
				for (const [key, value] of Object.entries(outerValue as Record<string, string>))
					options[outerKey][resolve(key)] = resolve(value);
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const isCredentialTest = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (!(credentials[expirable.name] === '' || credentialsExpired || isCredentialTest))
			return undefined;

		const nodeCredentials = node.credentials?.[type.name];
		if (nodeCredentials)
			this.store.preAuthenticationCalls.push({
				id: String(nodeCredentials.id),
				expired: credentialsExpired,
			});
		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (!nodeCredentials) return undefined;

		const stored = this.store.get(nodeCredentials.id);
		for (const [key, value] of Object.entries(output)) {
			if (key === expirable.name || !isExpression(stored.data[key])) stored.data[key] = value;
		}
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	) {
		const type = this.type(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		const stored = this.store.get(nodeCredentials.id);
		const credentials = new Credentials({ id: stored.id, name: stored.name }, type);
		credentials.setData(stored.data);
		return credentials;
	}

	/** `raw`: the stored data as it is (n8n's OAuth2 refresh reads the current token that way). */
	async getDecrypted(
		_additionalData: unknown,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode?: unknown,
		_executeData?: unknown,
		raw?: boolean,
	) {
		const stored = this.store.get(nodeCredentials.id).data;
		if (raw === true) return { ...stored };
		return this.applyDefaults(type, stored);
	}

	/**
	 * As the CLI's applyDefaultsAndOverwrites: hidden OAuth fields n8n pins (authUrl, accessTokenUrl, grantType,
	 * authentication, usePkce, ...) always take the type's default; NodeHelpers.getNodeParameters for defaults;
	 * the token data kept; then expressions resolved with `$self` = the data.
	 */
	applyDefaults(
		type: string,
		stored: ICredentialDataDecryptedObject,
	): ICredentialDataDecryptedObject {
		const properties = this.getCredentialsProperties(type);
		const unpinned = { ...stored };
		for (const field of OAUTH_PINNED_FIELDS)
			if (properties.some((p) => p.name === field && p.type === 'hidden')) delete unpinned[field];
		const withDefaults = NodeHelpers.getNodeParameters(
			properties,
			unpinned as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (stored.oauthTokenData !== undefined) withDefaults.oauthTokenData = stored.oauthTokenData;
		const workflow = new Workflow({
			nodes: [mockNode],
			connections: {},
			active: false,
			nodeTypes: noNodeTypes,
		});
		return workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults as INodeParameters,
			'internal',
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.store.get(nodeCredentials.id).data = { ...data };
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.store.get(nodeCredentials.id).data.oauthTokenData = data.oauthTokenData;
	}
}
