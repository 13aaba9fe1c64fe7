/**
 * Every examples/*.json runs in the real n8n CLI against the emulator, with one credential of each type imported under the
 * ids the examples reference (scripts/n8n-fixtures.ts). `n8n execute` starts at a Manual Trigger (or Execute Workflow
 * Trigger) node, so every example needs one beside its real trigger. Example-specific assertions belong in their own tests.
 * Examples that start with the Celonis Trigger cannot run in `n8n execute`: trigger.test.ts runs them in `n8n start`.
 */
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../emulator';
import { verifyExample } from '../../scripts/exampleChecks';
import { createN8nSandbox, type N8nSandbox } from '../../scripts/n8n-cli';
import { isTriggerExample } from '../../scripts/triggerExample';
import {
	DEMO_IDENTITIES,
	emulatorCredentials,
	loadExamples,
	startWebhookSink,
	withLocalWebhook,
	type ExampleWorkflow,
} from '../../scripts/n8n-fixtures';
import { expectSuccess, repoRoot } from './helpers';

const SECRETS = [DEMO_IDENTITIES.apiKey, DEMO_IDENTITIES.appKey, DEMO_IDENTITIES.clientSecret];
const exampleFiles = existsSync(path.join(repoRoot, 'examples'))
	? readdirSync(path.join(repoRoot, 'examples'))
			.filter((f) => f.endsWith('.json'))
			.filter(
				(file) =>
					!isTriggerExample({
						file,
						workflow: JSON.parse(readFileSync(path.join(repoRoot, 'examples', file), 'utf8')),
					}),
			)
			.sort()
	: [];

const describeIfExamples = exampleFiles.length ? describe : describe.skip;

describeIfExamples('example workflows in the real n8n CLI', () => {
	let emu: Awaited<ReturnType<typeof startEmulator>>;
	let sandbox: N8nSandbox;
	let examples: ExampleWorkflow[];
	let webhook: Awaited<ReturnType<typeof startWebhookSink>>;

	beforeAll(async () => {
		emu = await startEmulator();
		webhook = await startWebhookSink();
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		examples = (await loadExamples(repoRoot)).filter((e) => exampleFiles.includes(e.file));
		// One import for all: each n8n command costs seconds of start-up. Webhooks go to a local sink.
		await sandbox.importWorkflow(
			examples.map(({ workflow }) =>
				withLocalWebhook(workflow, webhook.url),
			) as unknown as ExampleWorkflow['workflow'],
		);
	});

	afterAll(async () => {
		await sandbox?.dispose();
		await webhook?.close();
		await emu?.close();
	});

	it.each(exampleFiles)('%s runs successfully', async (file) => {
		const example = examples.find((e) => e.file === file);
		if (!example) throw new Error(`${file} was not loaded`);
		const nodes = (example.workflow.nodes ?? []) as Array<{ type: string }>;
		expect(
			nodes.some(
				(n) =>
					n.type === 'n8n-nodes-base.manualTrigger' ||
					n.type === 'n8n-nodes-base.executeWorkflowTrigger',
			),
		).toBe(true);
		const result = await sandbox.execute(example.workflow.id);
		expectSuccess(result, SECRETS);
		// The same checks the demo prints: pushed rows are in the emulator's table, files exist, webhooks received events.
		const checks = await verifyExample(example, result, {
			emu,
			sandbox,
			webhook,
			outputDir: await fs.mkdtemp(path.join(os.tmpdir(), 'celonis-e2e-files-')),
		});
		expect(checks.length).toBeGreaterThan(0);
		for (const check of checks)
			expect({ check: check.label, detail: check.detail, ok: check.ok }).toEqual({
				check: check.label,
				detail: check.detail,
				ok: true,
			});
		for (const secret of SECRETS) expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
	});
});

if (!exampleFiles.length) {
	it.todo('examples/*.json: none yet');
}
