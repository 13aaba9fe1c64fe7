/** Connection → Check: what the credential in use can do, with reads only, for each of the four credentials. */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { OPERATION_TABLE } from '../../shared/operationScopes';
import { connectAuthCode } from '../harness/authCode';
import { celonisNode, emitItems } from '../harness/builders';
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { Engine } from '../harness/engine';

const ctx = useEmulator();

interface LoggedRequest {
	seq: number;
	method: string;
	path: string;
}
const requests = async () =>
	(await (await fetch(`${ctx.emu.url}/__emulator/requests?limit=10000`)).json()) as LoggedRequest[];

const check = { resource: 'connection', operation: 'check' };

async function runCheck(type: string, data: ICredentialDataDecryptedObject, authCode = false) {
	const engine = await Engine.create();
	const creds = engine.addCredential(type, data);
	if (authCode) await connectAuthCode(engine, creds[type].id as string);
	const before = Math.max(0, ...(await requests()).map((r) => r.seq));
	const result = await engine.runChain([
		emitItems([{ a: 1 }, { a: 2 }, { a: 3 }]),
		celonisNode(check, creds),
	]);
	const sent = (await requests()).filter((r) => r.seq > before);
	return { result, items: result.json('Celonis'), sent };
}

const operationsOf = (item: IDataObject) => item.operations as IDataObject[];
const byName = (item: IDataObject, resource: string, name: string) =>
	operationsOf(item).find((o) => o.resource === resource && o.name === name)!;

beforeEach(() => ctx.emu.reset());

describe.each([
	[
		'celonisApiKeyApi',
		'User API key',
		() => ({ teamUrl: ctx.emu.url, apiKey: DEMO.apiKey }),
		false,
	],
	[
		'celonisAppKeyApi',
		'Application key',
		() => ({ teamUrl: ctx.emu.url, appKey: DEMO.appKey }),
		false,
	],
	[
		'celonisOAuth2Api',
		'OAuth client credentials',
		() =>
			oauthData(ctx.emu.url, DEMO.client, {
				scopes: ['audit.log:read', 'team.user-group-info:read'],
			}),
		false,
	],
	[
		'celonisAuthCodeOAuth2Api',
		'OAuth authorization code',
		() => ({
			teamUrl: ctx.emu.url,
			clientId: DEMO.client.id,
			clientSecret: DEMO.client.secret,
			scopes: ['audit.log:read', 'team.user-group-info:read'],
		}),
		true,
	],
] as const)('with %s', (type, kind, data, authCode) => {
	it('one item: team, kind, identity, rate-limit headroom, every operation; reads only', async () => {
		const { result, items, sent } = await runCheck(type, data(), authCode);
		expect(result.error?.message).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(result.items('Celonis')[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const [item] = items;
		expect(item.team).toEqual({ url: ctx.emu.url, domain: 'demo', name: 'Demo Team' });
		expect(item.credential).toMatchObject({ kind, type });
		expect(item.actsAs).toMatchObject({ known: true });
		expect(item.rateLimit).toMatchObject({
			limit: expect.any(Number),
			remaining: expect.any(Number),
		});
		expect(operationsOf(item).map((o) => `${o.resource}.${o.name}`)).toEqual(
			OPERATION_TABLE.map((e) => `${e.resource}.${e.operation}`),
		);
		// Read-only: nothing but GETs (and the credential's own token request).
		expect(sent.length).toBeGreaterThan(3);
		expect(
			sent.filter(
				(r) => r.method !== 'GET' && !(r.method === 'POST' && r.path === '/oauth2/token'),
			),
		).toEqual([]);
		for (const operation of operationsOf(item))
			expect(['boolean', 'object']).toContain(typeof operation.canRun); // true, false or null
	});
});

describe('what it tells', () => {
	it('who an authorization-code credential acts as, its granted scopes and when its token expires', async () => {
		const { items } = await runCheck(
			'celonisAuthCodeOAuth2Api',
			{
				teamUrl: ctx.emu.url,
				clientId: DEMO.client.id,
				clientSecret: DEMO.client.secret,
				scopes: ['audit.log:read'],
			},
			true,
		);
		const [item] = items;
		expect(item.actsAs).toMatchObject({ email: 'demo.user@example.com', applicationKey: false });
		expect(item.scopes).toEqual({ requested: ['audit.log:read'], granted: ['audit.log:read'] });
		const token = item.token as { expiresAt: string; expiresInSeconds: number };
		expect(Date.parse(token.expiresAt)).toBeGreaterThan(Date.now());
		expect(token.expiresInSeconds).toBeGreaterThan(800);
	});

	it('a missing scope, per operation and as the least-privilege set to add', async () => {
		const { items } = await runCheck(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.client, { scopes: ['audit.log:read'] }),
		);
		const [item] = items;
		expect(byName(item, 'auditLog', 'getAll')).toMatchObject({ canRun: true, status: 'ready' });
		expect(byName(item, 'team', 'getMembers')).toMatchObject({
			canRun: false,
			status: 'missing scope',
			fix: "Add team.user-group-info:read to the credential's Scopes.",
		});
		expect(byName(item, 'dataPush', 'pushItems')).toMatchObject({
			canRun: false,
			fix: "Add integration.data-pools:data_push to the credential's Scopes.",
		});
		expect((item.summary as IDataObject).addScopes).toEqual([
			'integration.data-pools',
			'intelligence.knowledge-models:read',
			'intelligence.subscriptions:manage',
			'platform-adoption.tracking-events:read',
			'team.login-history:read',
			'team.user-group-info:read',
		]);
	});

	it('a missing permission, found by a cheap read, told apart from a missing scope', async () => {
		const { items } = await runCheck(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, DEMO.noPermissions, { scopes: ['audit.log:read'] }),
		);
		const [item] = items;
		expect(byName(item, 'auditLog', 'getAll')).toMatchObject({
			canRun: false,
			status: 'missing permission',
			probe: 'GET /log/api/external/v2/audit → HTTP 403',
			fix: 'Grant the team permission "Use Audit Log API" (Admin & Settings → Permissions) in Celonis.',
		});
		expect((item.summary as IDataObject).grantPermissions).toEqual([
			'the team permission "Use Audit Log API" (Admin & Settings → Permissions)',
		]);
	});

	it('an application key without permissions: every probed API is refused', async () => {
		const { items } = await runCheck('celonisAppKeyApi', {
			teamUrl: ctx.emu.url,
			appKey: DEMO.appKeyNoPermissions,
		});
		const probed = operationsOf(items[0]).filter((o) => o.probe !== undefined);
		expect(probed.length).toBeGreaterThan(3);
		for (const operation of probed)
			expect(operation).toMatchObject({ canRun: false, status: 'missing permission' });
	});

	it('a credential that cannot authenticate fails the check with the credential’s own message', async () => {
		const { result } = await runCheck(
			'celonisOAuth2Api',
			oauthData(ctx.emu.url, { id: DEMO.client.id, secret: 'wrong' }),
		);
		expect(result.error?.message).toMatch(/invalid_client/);
	});
});
