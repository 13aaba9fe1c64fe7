/** The emulator as a program: `npm run emulator -- [options]` (usage below). Unknown options are refused. */
import { parseArgs } from 'node:util';
import { DEFAULT_SEED_PATH } from './seed';
import { startEmulator } from './index';

const USAGE = `Usage: npm run emulator -- [options]

Starts the local Celonis emulator (see emulator/README.md).

Options:
  --port <n>      port to listen on, 0 = any free port (default 8787)
  --host <addr>   address to bind (default 127.0.0.1)
  --seed <file>   seed JSON file: the team to emulate (default: the demo seed)
  --verbose       log one line per request (never the Authorization header)
  -h, --help      print this help and exit
`;

interface Options {
	port: number;
	host: string;
	seed?: string;
	verbose: boolean;
}

class UsageError extends Error {}

function parse(argv: string[]): Options | 'help' {
	let values;
	try {
		({ values } = parseArgs({
			args: argv,
			strict: true,
			allowPositionals: false,
			options: {
				port: { type: 'string' },
				host: { type: 'string' },
				seed: { type: 'string' },
				verbose: { type: 'boolean' },
				help: { type: 'boolean', short: 'h' },
			},
		}));
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
	if (values.help) return 'help';
	const port = values.port ?? '8787';
	if (!/^\d+$/.test(port) || Number(port) > 65535)
		throw new UsageError(`--port must be a number from 0 to 65535, got '${port}'`);
	return {
		port: Number(port),
		host: values.host ?? '127.0.0.1',
		seed: values.seed,
		verbose: !!values.verbose,
	};
}

/** Demo values may be printed; secrets of a custom seed are masked except the last 4 characters. */
function mask(secret: string, isDemo: boolean): string {
	if (isDemo) return secret;
	return secret.length <= 4
		? '****'
		: `${'*'.repeat(Math.min(8, secret.length - 4))}${secret.slice(-4)}`;
}

async function main(opts: Options): Promise<void> {
	const isDemo = opts.seed === undefined;
	const emu = await startEmulator({
		port: opts.port,
		host: opts.host,
		seed: opts.seed ?? DEFAULT_SEED_PATH,
		quiet: !opts.verbose,
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

let opts: Options | 'help';
try {
	opts = parse(process.argv.slice(2));
} catch (e) {
	process.stderr.write(`emulator: ${(e as Error).message}\n\n${USAGE}`);
	process.exit(2);
}
if (opts === 'help') process.stdout.write(USAGE);
else
	main(opts).catch((e: unknown) => {
		process.stderr.write(`emulator: ${(e as Error).message}\n`);
		process.exit(1);
	});
