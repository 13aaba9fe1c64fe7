/** Public entry point: `startEmulator()` for tests, scripts and the demo. */
import type { AddressInfo } from 'node:net';
import type { ConfigPatch, EmulatorConfig } from './config';
import { loadSeed, type Seed, type SeedInput } from './seed';
import { createServer } from './server';
import { Store } from './store';

export type { Seed, SeedInput } from './seed';
export type { EmulatorConfig, ConfigPatch } from './config';
export { Store } from './store';
export { PERMISSIONS } from './permissions';
export { KNOWN_SCOPES } from './scopes';

export interface StartOptions {
	/** 0 = ephemeral (default) */
	port?: number;
	/** default 127.0.0.1 */
	host?: string;
	/** a seed object or the path of a seed JSON file; default emulator/seeds/demo.json */
	seed?: Seed | SeedInput | string;
	/** print one line per request (secrets redacted) when false; default true */
	quiet?: boolean;
}

export interface Emulator {
	/** the team URL, e.g. http://127.0.0.1:8787 */
	url: string;
	port: number;
	store: Store;
	close(): Promise<void>;
	configure(patch: ConfigPatch): EmulatorConfig;
	reset(): void;
}

export async function startEmulator(opts: StartOptions = {}): Promise<Emulator> {
	const seed = loadSeed(opts.seed as SeedInput | string | undefined);
	const store = new Store(seed);
	const server = createServer(store, opts.quiet ?? true);
	const host = opts.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
	return {
		url: `http://${urlHost}:${port}`,
		port,
		store,
		configure: (patch) => store.configure(patch),
		reset: () => store.reset(),
		close: () =>
			new Promise<void>((resolve) => {
				store.close();
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}
