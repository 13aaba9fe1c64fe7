import { startEmulator, type Emulator } from '../../emulator';
import { DEMO } from '../../emulator/seeds/demoIdentities';

export { DEMO } from '../../emulator/seeds/demoIdentities';

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

export function oauthData(
	teamUrl: string,
	client: { id: string; secret: string } = DEMO.client,
	extra: Record<string, unknown> = {},
) {
	return {
		teamUrl,
		clientId: client.id,
		clientSecret: client.secret,
		authMethod: 'clientSecretBasic',
		scopes: [],
		customScopes: '',
		...extra,
	};
}
