import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
} from 'n8n-workflow';

import { startEchoTeam } from '../harness/echoTeam';
import { Engine } from '../harness/engine';

/**
 * The harness must behave like the n8n CLI's CredentialsHelper, or every engine test proves less than it
 * claims: defaults and `$self` expressions, generic authenticate, the expirable preAuthentication gate.
 */
let echo: Awaited<ReturnType<typeof startEchoTeam>>;
beforeAll(async () => {
	echo = await startEchoTeam();
});
afterAll(async () => echo.close());

test('credential defaults and $self expressions are resolved on decryption', async () => {
	const engine = await Engine.create();
	const type: ICredentialType = {
		name: 'selfTestApi',
		displayName: 'Self Test',
		properties: [
			{
				displayName: 'Scopes',
				name: 'scopes',
				type: 'multiOptions',
				options: [
					{ name: 'A', value: 'a' },
					{ name: 'B', value: 'b' },
				],
				default: ['a'],
			},
			{
				displayName: 'Scope',
				name: 'scope',
				type: 'hidden',
				default: '={{$self["scopes"].join(" ")}}',
			},
			{ displayName: 'Region', name: 'region', type: 'string', default: 'eu-1' },
		],
	};
	(
		engine.credentialsHelper as unknown as { types: Record<string, ICredentialType> }
	).types.selfTestApi = type;
	expect(engine.credentialsHelper.applyDefaults('selfTestApi', { scopes: ['a', 'b'] })).toEqual({
		scopes: ['a', 'b'],
		scope: 'a b',
		region: 'eu-1',
	});
	expect(engine.credentialsHelper.applyDefaults('selfTestApi', {})).toEqual({
		scopes: ['a'],
		scope: 'a',
		region: 'eu-1',
	});
});

test('generic authenticate (n8n’s Header Auth) in the HTTP Request node', async () => {
	const engine = await Engine.create();
	const creds = engine.addCredential('httpHeaderAuth', {
		name: 'Authorization',
		value: 'Bearer echo-api-key',
	});
	const result = await engine.runChain([
		{
			name: 'HTTP',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'GET',
				url: `${echo.url}/api/cloud/team`,
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				options: {},
			},
			credentials: creds,
		},
	]);
	expect(result.json('HTTP')).toEqual([{ domain: 'echo' }]);
});

test('the expirable gate: preAuthentication on an empty field and after a 401, and what it returns is stored', async () => {
	const engine = await Engine.create();
	let issued = 0;
	const type: ICredentialType = {
		name: 'gateTestApi',
		displayName: 'Gate Test',
		properties: [
			{
				displayName: 'Session',
				name: 'session',
				type: 'hidden',
				typeOptions: { expirable: true },
				default: '',
			},
			{ displayName: 'Fail', name: 'fail', type: 'boolean', default: false },
		],
		async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
			issued++;
			void credentials;
			return { session: issued === 1 ? 'stale' : 'echo-api-key' };
		},
		authenticate: {
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.session}}' } },
		},
	};
	(
		engine.credentialsHelper as unknown as { types: Record<string, ICredentialType> }
	).types.gateTestApi = type;
	const creds = engine.addCredential('gateTestApi', {});
	const node = {
		name: 'HTTP',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'GET',
			url: `${echo.url}/api/cloud/team`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'gateTestApi',
			options: {},
		},
		credentials: creds,
	};
	// 1st run: empty field → preAuthentication ('stale') → 401 → preAuthentication again (expired) → 200.
	expect((await engine.runChain([node])).json('HTTP')).toEqual([{ domain: 'echo' }]);
	expect(engine.store.preAuthenticationCalls.map((c) => c.expired)).toEqual([false, true]);
	expect(engine.store.all()[0].data.session).toBe('echo-api-key');
	// 2nd run: the stored session is reused, no preAuthentication.
	expect((await engine.runChain([node])).json('HTTP')).toEqual([{ domain: 'echo' }]);
	expect(issued).toBe(2);
});
