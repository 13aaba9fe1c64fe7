/**
 * What dev, demo and tests import into n8n: one credential of each type pointing at the emulator (stable ids that the
 * example workflows reference), the example workflows, and a local owner account.
 */
import { createRequire } from 'node:module';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { DEMO } from '../emulator/seeds/demoIdentities';
import type { CredentialInput } from './n8n-cli';
import type { N8nRuntime } from './n8n-runtime';

/** The emulator's demo identities (emulator/seeds/demo.json) that the imported credentials use. */
export const DEMO_IDENTITIES = {
	apiKey: DEMO.apiKey,
	appKey: DEMO.appKey,
	clientId: DEMO.client.id,
	clientSecret: DEMO.client.secret,
} as const;

/** Credential ids used by examples/*.json. */
export const CREDENTIAL_IDS = {
	celonisApiKeyApi: 'celonisApiKey01',
	celonisAppKeyApi: 'celonisAppKey01',
	celonisOAuth2Api: 'celonisOAuth201',
	celonisAuthCodeOAuth2Api: 'celonisAuthCode01',
} as const;

export const CREDENTIAL_NAMES = {
	celonisApiKeyApi: 'Celonis API Key (emulator)',
	celonisAppKeyApi: 'Celonis Application Key (emulator)',
	celonisOAuth2Api: 'Celonis OAuth2 (emulator)',
	celonisAuthCodeOAuth2Api: 'Celonis OAuth2 sign-in (emulator)',
} as const;

/** The authorization-code credential as a person finds it before clicking "Connect my account" (npm run dev). */
export function authCodeCredentialToConnect(
	teamUrl: string,
	scopes: string[] = [],
): CredentialInput {
	return {
		id: CREDENTIAL_IDS.celonisAuthCodeOAuth2Api,
		name: CREDENTIAL_NAMES.celonisAuthCodeOAuth2Api,
		type: 'celonisAuthCodeOAuth2Api',
		data: {
			teamUrl,
			clientId: DEMO_IDENTITIES.clientId,
			clientSecret: DEMO_IDENTITIES.clientSecret,
			scopes,
			customScopes: '',
		},
	};
}

/** The redirect URI n8n uses for an instance on localhost (the emulator's demo clients register it, any port). */
export const LOCALHOST_CALLBACK = 'http://localhost/rest/oauth2-credential/callback';

/**
 * An authorization-code credential already connected, as if a person had clicked "Connect my account" and
 * approved: the consent answered by the emulator-only parameter, the code exchanged as n8n exchanges it
 * (Basic, raw; PKCE S256), the token response stored as `oauthTokenData` with n8n's `n8n_expires_at`.
 */
export async function connectedAuthCodeCredential(
	teamUrl: string,
	scopes: string[] = [],
	options: { id?: string; name?: string; redirectUri?: string } = {},
): Promise<CredentialInput> {
	const { createHash, randomBytes } = await import('node:crypto');
	const redirectUri = options.redirectUri ?? LOCALHOST_CALLBACK;
	const verifier = randomBytes(32).toString('base64url');
	const authorize = new URL(`${teamUrl}/oauth2/authorize`);
	for (const [k, v] of Object.entries({
		client_id: DEMO_IDENTITIES.clientId,
		redirect_uri: redirectUri,
		response_type: 'code',
		scope: scopes.join(' '),
		state: randomBytes(8).toString('hex'),
		code_challenge: createHash('sha256').update(verifier).digest('base64url'),
		code_challenge_method: 'S256',
		emulator_consent: 'approve',
	}))
		authorize.searchParams.set(k, v);
	const consent = await fetch(authorize, { redirect: 'manual' });
	const code = new URL(consent.headers.get('location') ?? 'x:/').searchParams.get('code');
	if (!code) throw new Error(`the emulator did not approve (HTTP ${consent.status})`);
	const basic = Buffer.from(`${DEMO_IDENTITIES.clientId}:${DEMO_IDENTITIES.clientSecret}`).toString(
		'base64',
	);
	const answer = await fetch(`${teamUrl}/oauth2/token`, {
		method: 'POST',
		headers: {
			authorization: `Basic ${basic}`,
			'content-type': 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectUri,
			code_verifier: verifier,
		}),
	});
	const token = (await answer.json()) as Record<string, unknown>;
	if (!answer.ok) throw new Error(`the code exchange failed: HTTP ${answer.status}`);
	return {
		id: options.id ?? CREDENTIAL_IDS.celonisAuthCodeOAuth2Api,
		name: options.name ?? CREDENTIAL_NAMES.celonisAuthCodeOAuth2Api,
		type: 'celonisAuthCodeOAuth2Api',
		data: {
			teamUrl,
			clientId: DEMO_IDENTITIES.clientId,
			clientSecret: DEMO_IDENTITIES.clientSecret,
			scopes,
			customScopes: '',
			oauthTokenData: {
				...token,
				n8n_expires_at: String(Date.now() + Number(token.expires_in) * 1000),
			},
		},
	};
}

export function emulatorCredentials(teamUrl: string, scopes: string[] = []): CredentialInput[] {
	return [
		{
			id: CREDENTIAL_IDS.celonisApiKeyApi,
			name: CREDENTIAL_NAMES.celonisApiKeyApi,
			type: 'celonisApiKeyApi',
			data: { teamUrl, apiKey: DEMO_IDENTITIES.apiKey },
		},
		{
			id: CREDENTIAL_IDS.celonisAppKeyApi,
			name: CREDENTIAL_NAMES.celonisAppKeyApi,
			type: 'celonisAppKeyApi',
			data: { teamUrl, appKey: DEMO_IDENTITIES.appKey },
		},
		{
			id: CREDENTIAL_IDS.celonisOAuth2Api,
			name: CREDENTIAL_NAMES.celonisOAuth2Api,
			type: 'celonisOAuth2Api',
			data: {
				teamUrl,
				clientId: DEMO_IDENTITIES.clientId,
				clientSecret: DEMO_IDENTITIES.clientSecret,
				authMethod: 'clientSecretBasic',
				scopes,
				customScopes: '',
			},
		},
	];
}

export interface ExampleWorkflow {
	file: string;
	workflow: { id: string; name?: string } & Record<string, unknown>;
}

/** Every examples/*.json (sorted); a workflow without an id gets one derived from its file name. */
export async function loadExamples(repoRoot: string): Promise<ExampleWorkflow[]> {
	const dir = path.join(repoRoot, 'examples');
	if (!existsSync(dir)) return [];
	const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
	const examples: ExampleWorkflow[] = [];
	for (const file of files) {
		const workflow = JSON.parse(
			await fs.readFile(path.join(dir, file), 'utf8'),
		) as ExampleWorkflow['workflow'];
		if (!workflow.id)
			workflow.id = `ex${file.replace(/\.json$/, '').replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 21); // n8n ignores workflow ids longer than 21 characters
		examples.push({ file, workflow });
	}
	return examples;
}

export interface OwnerLogin {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export const LOCAL_OWNER: OwnerLogin = {
	email: 'owner@example.com',
	password: process.env.N8N_DEV_OWNER_PASSWORD || 'Celonis-Dev-1',
	firstName: 'Local',
	lastName: 'Owner',
};

/**
 * n8n 2.41 cannot skip owner setup, but it can create the owner at start-up from environment variables
 * (N8N_INSTANCE_OWNER_MANAGED_BY_ENV, with a bcrypt hash of the password, hashed with n8n's own bcryptjs).
 */
export async function ownerEnv(
	runtime: N8nRuntime,
	owner: OwnerLogin = LOCAL_OWNER,
): Promise<NodeJS.ProcessEnv> {
	const requireFromN8n = createRequire(
		path.join(runtime.dir, 'n8n', 'node_modules', 'n8n', 'package.json'),
	);
	const bcrypt = requireFromN8n('bcryptjs') as {
		hash(text: string, rounds: number): Promise<string>;
	};
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: await bcrypt.hash(owner.password, 10),
	};
}

/**
 * An example with its generated data at 1% (the data-push example's 100,000 rows become 1,000), for tests that
 * run it many times and whose point does not depend on the row count.
 */
export function withSmallerGeneratedData<T>(workflow: T): T {
	return JSON.parse(JSON.stringify(workflow).replace(/length: 100000\b/g, 'length: 1000')) as T;
}

/**
 * Points an example's webhook (an HTTP Request node posting to a placeholder example.com host) at a local URL, so
 * the demo and the e2e tests can run it without internet and count what it sent.
 */
export function withLocalWebhook<T extends ExampleWorkflow['workflow']>(
	workflow: T,
	url: string,
): T {
	const nodes = (
		workflow.nodes as Array<{ type: string; parameters: Record<string, unknown> }>
	).map((node) =>
		node.type === 'n8n-nodes-base.httpRequest' &&
		/^https?:\/\/[^/]*example\.com\//.test(String(node.parameters.url))
			? { ...node, parameters: { ...node.parameters, url } }
			: node,
	);
	return { ...workflow, nodes };
}

/** A local HTTP endpoint that stores every JSON body posted to it (stands in for a SIEM webhook). */
export async function startWebhookSink(): Promise<{
	url: string;
	received: unknown[];
	close(): Promise<void>;
}> {
	const http = await import('node:http');
	const received: unknown[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			try {
				received.push(JSON.parse(body || 'null'));
			} catch {
				received.push(body);
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"received":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}/webhook`,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
