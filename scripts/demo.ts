/**
 * npm run demo — the package at work in a real n8n 2.41.1, against the embedded Celonis emulator.
 *
 * Installs Node 24 + n8n into a cache folder on first use (later runs reuse it), starts the emulator with the demo
 * seed, installs this package into a scratch n8n user folder the way a community install does, imports one credential
 * of each type and every example workflow, executes them with `n8n execute`, checks their results against the
 * emulator's state and prints a short report. Examples that start with the Celonis Trigger run in `n8n start`:
 * published, events fired in the emulator, what the workflow posted checked, unpublished. Exit code 0 only if
 * everything worked.
 */
import path from 'node:path';

import { startEmulator } from '../emulator';
import { createN8nSandbox, freePort, type ExecuteResult, type N8nSandbox } from './n8n-cli';
import { verifyExample, type Check } from './exampleChecks';
import {
	emulatorCredentials,
	loadExamples,
	ownerEnv,
	startWebhookSink,
	withLocalWebhook,
	type ExampleWorkflow,
} from './n8n-fixtures';
import { n8nRest } from './n8n-rest';
import { ensureN8nRuntime } from './n8n-runtime';
import { isTriggerExample, runTriggerExample } from './triggerExample';

const ROOT = path.resolve(__dirname, '..');
const OUTPUT_DIR = path.join(ROOT, 'demo-output');
const OAUTH_SCOPES = [
	'audit.log:read',
	'team.login-history:read',
	'intelligence.subscriptions:manage',
];

const say = (line = '') => process.stdout.write(`${line}\n`);
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
	const started = Date.now();
	say('Celonis for n8n — demo in a real n8n 2.41.1 against the embedded Celonis emulator');
	say();

	say('1/5 n8n runtime (Node 24 + n8n from the npm registry, cached after the first run)');
	const runtimeStarted = Date.now();
	await ensureN8nRuntime();
	say(`    ready (${elapsed(runtimeStarted)})`);

	say('2/5 Celonis emulator (demo seed)');
	const emu = await startEmulator({ quiet: true });
	const webhook = await startWebhookSink();
	const chat = await startWebhookSink();
	say(`    team ${emu.url}`);

	let sandbox: N8nSandbox | undefined;
	try {
		say(
			'3/5 n8n user folder with the package installed as a community package; credentials and examples imported',
		);
		const setupStarted = Date.now();
		sandbox = await createN8nSandbox({ packageDir: ROOT });
		await sandbox.importCredentials(emulatorCredentials(emu.url, OAUTH_SCOPES));
		const all = await loadExamples(ROOT);
		const examples = all.filter((example) => !isTriggerExample(example));
		const triggerExamples = all.filter(isTriggerExample);
		// One import for all workflows: every n8n command costs several seconds of start-up.
		await sandbox.importWorkflow(
			all.map((example) =>
				withLocalWebhook(example.workflow, isTriggerExample(example) ? chat.url : webhook.url),
			) as unknown as ExampleWorkflow['workflow'],
		);
		say(
			`    3 credentials (API key, application key, OAuth2 client credentials), ${all.length} workflows (${elapsed(setupStarted)})`,
		);

		say('4/5 executing the example workflows with `n8n execute`');
		const report: Array<{
			example: ExampleWorkflow;
			result: ExecuteResult;
			checks: Check[];
			seconds: string;
		}> = [];
		for (const example of examples) {
			const runStarted = Date.now();
			const result = await sandbox.execute(example.workflow.id);
			const checks = result.ok
				? await verifyExample(example, result, { emu, sandbox, webhook, outputDir: OUTPUT_DIR })
				: [];
			report.push({ example, result, checks, seconds: elapsed(runStarted) });
			say(
				`    ${result.ok && checks.every((c) => c.ok) ? 'ok  ' : 'FAIL'} ${example.workflow.name ?? example.file} (${elapsed(runStarted)})`,
			);
		}

		say(
			'5/5 the Celonis Trigger examples in a running n8n (`n8n start`): publish, fire events, unpublish',
		);
		if (triggerExamples.length > 0) {
			const serverStarted = Date.now();
			const server = await sandbox.startServer({
				port: await freePort(),
				env: await ownerEnv(sandbox.runtime),
			});
			say(`    n8n is running on ${server.url} (${elapsed(serverStarted)})`);
			try {
				const rest = n8nRest(server.url);
				for (const example of triggerExamples) {
					const runStarted = Date.now();
					const checks = await runTriggerExample(example, { emu, rest, sink: chat });
					report.push({
						example,
						result: { ok: true, exitCode: 0, stdout: '', stderr: '' },
						checks,
						seconds: elapsed(runStarted),
					});
					say(
						`    ${checks.every((c) => c.ok) ? 'ok  ' : 'FAIL'} ${example.workflow.name ?? example.file} (${elapsed(runStarted)})`,
					);
				}
			} finally {
				await server.stop();
			}
		}

		const tokens = emu.store.tokens.stats();
		say();
		say('Report');
		say('------');
		let allOk = true;
		for (const { example, result, checks } of report) {
			say(`${example.workflow.name ?? example.file}  [examples/${example.file}]`);
			if (!result.ok) {
				allOk = false;
				const error = result.run?.data.resultData.error;
				say(
					`  FAILED: ${error?.message ?? `n8n exited with ${result.exitCode}`}${error?.description ? ` — ${error.description}` : ''}`,
				);
				continue;
			}
			for (const check of checks) {
				allOk &&= check.ok;
				say(`  ${check.ok ? '✓' : '✗'} ${check.label}: ${check.detail}`);
			}
		}
		say();
		say(
			`OAuth token requests made: ${tokens.issued} (${
				Object.entries(tokens.byClient)
					.map(([client, n]) => `${client}: ${n}`)
					.join(', ') || 'none'
			}); API key and application key need none.`,
		);
		say(
			`Total ${elapsed(started)}. ${allOk ? 'Everything worked.' : 'Something failed: see above.'}`,
		);
		return allOk ? 0 : 1;
	} finally {
		await sandbox?.dispose();
		await webhook.close();
		await chat.close();
		await emu.close();
	}
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		process.stderr.write(`demo failed: ${error.message}\n`);
		process.exit(1);
	},
);
