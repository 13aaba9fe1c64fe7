import { startEmulator, type Emulator } from '../../emulator';

/** The demo seed's identities (emulator/seeds/demo.json). */
export const DEMO = {
	apiKey: 'demo-user-api-key',
	appKey: 'demo-app-key',
	appKeyNoPermissions: 'demo-app-key-no-permissions',
	client: { id: 'demo-client', secret: 'demo-client-secret' },
	basicOnly: { id: 'demo-basic-client', secret: 'demo-basic-secret' },
	postOnly: { id: 'demo-post-client', secret: 'demo-post-secret' },
	auditOnly: { id: 'demo-audit-client', secret: 'demo-audit-secret' },
	noPermissions: { id: 'demo-noperm-client', secret: 'demo-noperm-secret' },
} as const;

/** Starts an emulator for a test file and closes it afterwards. */
export function useEmulator(): { readonly emu: Emulator } {
	const holder: { emu?: Emulator } = {};
	beforeAll(async () => {
		holder.emu = await startEmulator({ quiet: true });
	});
	afterAll(async () => {
		await holder.emu?.close();
	});
	return {
		get emu() {
			if (!holder.emu) throw new Error('emulator not started');
			return holder.emu;
		},
	};
}

export function oauthData(teamUrl: string, client: { id: string; secret: string } = DEMO.client, extra: Record<string, unknown> = {}) {
	return { teamUrl, clientId: client.id, clientSecret: client.secret, authMethod: 'clientSecretBasic', scopes: [], customScopes: '', ...extra };
}
