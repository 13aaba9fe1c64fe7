/** `npm run emulator -- [--port 8787] [--host 127.0.0.1] [--seed file.json] [--verbose]` */
import { DEFAULT_SEED_PATH } from './seed';
import { startEmulator } from './index';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0) return process.argv[i + 1];
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq?.slice(name.length + 3);
}

/** Demo values may be printed; secrets of a custom seed are masked except the last 4 characters. */
function mask(secret: string, isDemo: boolean): string {
	if (isDemo) return secret;
	return secret.length <= 4
		? '****'
		: `${'*'.repeat(Math.min(8, secret.length - 4))}${secret.slice(-4)}`;
}

async function main(): Promise<void> {
	const port = Number(arg('port') ?? 8787);
	const host = arg('host') ?? '127.0.0.1';
	const seedPath = arg('seed');
	const isDemo = seedPath === undefined;
	const emu = await startEmulator({
		port,
		host,
		seed: seedPath ?? DEFAULT_SEED_PATH,
		quiet: !process.argv.includes('--verbose'),
	});
	const s = emu.store.seed;
	const lines = [
		`Celonis emulator for team "${s.team.name}" (${s.team.domain}) listening on ${emu.url}`,
		`  inspection API: ${emu.url}/__emulator/config`,
		'  user API keys (Authorization: Bearer <key>):',
		...s.users.flatMap((u) => u.apiKeys.map((k) => `    ${mask(k, isDemo)}  ${u.email}`)),
		'  application keys (Authorization: AppKey <key>):',
		...s.appKeys.map(
			(a) =>
				`    ${mask(a.key, isDemo)}  ${a.name}${a.permissions.length ? '' : ' (no permissions)'}`,
		),
		`  OAuth clients (token endpoint ${emu.url}/oauth2/token):`,
		...s.oauthClients.map(
			(c) =>
				`    ${c.clientId} / ${mask(c.clientSecret, isDemo)}  [${c.authMethods.join(', ')}]${c.permissions.length ? '' : ' (no permissions)'}`,
		),
		'  data pools:',
		...s.dataPools.map((p) => `    ${p.id}  ${p.name}`),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	const stop = () => {
		void emu.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
	process.stderr.write(`emulator: ${(e as Error).message}\n`);
	process.exit(1);
});
