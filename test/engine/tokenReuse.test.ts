/**
 * When n8n runs the client-credentials credential's preAuthentication again after a failed request (its HTTP
 * Request node does so after ANY failure, not only a 401), a stored token that is still valid for the same settings
 * is kept: a 429 storm must not mint a token per failed request. A revoked token is still replaced, and a changed
 * client secret never keeps a token alive.
 */
import { DEMO, oauthData, useEmulator } from '../harness/emulator';
import { addFaults, celonisRequest, emitItems, httpRequestNode } from '../harness/builders';
import { Engine } from '../harness/engine';

const ctx = useEmulator();

async function tokensIssued(): Promise<number> {
	const stats = (await (await fetch(`${ctx.emu.url}/__emulator/token-stats`)).json()) as {
		issued: number;
	};
	return stats.issued;
}

const rows = (n: number) => emitItems(Array.from({ length: n }, (_, i) => ({ i })));

beforeEach(() => {
	ctx.emu.reset();
	ctx.emu.store.faults.clear();
	ctx.emu.configure({ tokenLifetimeSeconds: 899 });
});

describe('n8n’s HTTP Request node with the client-credentials credential', () => {
	it('keeps the stored token through a storm of 429s (one token, not one per failure)', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisOAuth2Api', oauthData(ctx.emu.url));
		const node = httpRequestNode(`${ctx.emu.url}/api/cloud/team`, 'celonisOAuth2Api', creds);
		// First use: the one token.
		expect((await engine.runChain([node])).error?.message).toBeUndefined();
		expect(await tokensIssued()).toBe(1);

		await addFaults(ctx.emu.url, {
			method: 'GET',
			path: '/api/cloud/team',
			response: { status: 429, headers: { 'x-ratelimit-reset': '1' } },
			probability: 1,
			times: 200,
		});
		const result = await engine.runChain([rows(20), { ...node, continueOnFail: true }]);
		const items = result.json('HTTP Request');
		expect(items).toHaveLength(20);
		// Positive control: the failures did happen (every item was refused with a 429).
		expect(items.every((item) => JSON.stringify(item.error ?? '').includes('429'))).toBe(true);
		expect(await tokensIssued()).toBe(1);
	});

	it('fetches one token for many items that need their first one at the same time', async () => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisOAuth2Api', oauthData(ctx.emu.url));
		const node = httpRequestNode(`${ctx.emu.url}/api/cloud/team`, 'celonisOAuth2Api', creds);
		const result = await engine.runChain([rows(30), node]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('HTTP Request')).toHaveLength(30);
		expect(await tokensIssued()).toBe(1);
	});

	/** An engine whose HTTP Request node got a token, which the emulator then revoked. */
	async function withRevokedToken() {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisOAuth2Api', oauthData(ctx.emu.url));
		const node = httpRequestNode(`${ctx.emu.url}/api/cloud/team`, 'celonisOAuth2Api', creds);
		expect((await engine.runChain([node])).error?.message).toBeUndefined();
		await fetch(`${ctx.emu.url}/__emulator/tokens/revoke`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		return { engine, node };
	}

	it('still replaces a revoked token, once for all items that find it revoked', async () => {
		const { engine, node } = await withRevokedToken();
		const result = await engine.runChain([rows(30), node]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('HTTP Request')).toHaveLength(30);
		expect(await tokensIssued()).toBe(2);
	});

	it('still replaces a revoked token', async () => {
		const { engine, node } = await withRevokedToken();
		const result = await engine.runChain([node]);
		expect(result.error?.message).toBeUndefined();
		expect(result.json('HTTP Request')[0]).toMatchObject({ domain: 'demo' });
		expect(await tokensIssued()).toBe(2);
	});
});

describe('a changed client secret never keeps a stored token alive', () => {
	it.each([
		['the Celonis node', 'celonis'],
		['the HTTP Request node', 'http'],
	])('in %s', async (_label, which) => {
		const engine = await Engine.create();
		const creds = engine.addCredential('celonisOAuth2Api', oauthData(ctx.emu.url));
		const node =
			which === 'celonis'
				? celonisRequest({ path: '/api/cloud/team' }, creds)
				: httpRequestNode(`${ctx.emu.url}/api/cloud/team`, 'celonisOAuth2Api', creds);
		expect((await engine.runChain([node])).error?.message).toBeUndefined();

		const stored = engine.store.all()[0];
		stored.data.clientSecret = 'a-secret-that-is-wrong';
		const result = await engine.runChain([node]);
		expect(result.error?.message ?? '').toMatch(/invalid_client/);
		expect(result.error?.message ?? '').not.toContain('a-secret-that-is-wrong');

		// Positive control: with the right secret again, a (new) token works.
		stored.data.clientSecret = DEMO.client.secret;
		expect((await engine.runChain([node])).error?.message).toBeUndefined();
	});
});
