/**
 * Every examples/*.json runs in the real n8n CLI against the emulator, with one credential of each type imported under the
 * ids the examples reference (scripts/n8n-fixtures.ts). `n8n execute` starts at a Manual Trigger (or Execute Workflow
 * Trigger) node, so every example needs one beside its real trigger. Example-specific assertions belong in their own tests.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startEmulator } from '../../emulator';
import { createN8nSandbox, type N8nSandbox } from '../../scripts/n8n-cli';
import { DEMO_IDENTITIES, emulatorCredentials, loadExamples, type ExampleWorkflow } from '../../scripts/n8n-fixtures';
import { expectSuccess, repoRoot } from './helpers';

const SECRETS = [DEMO_IDENTITIES.apiKey, DEMO_IDENTITIES.appKey, DEMO_IDENTITIES.clientSecret];
const exampleFiles = existsSync(path.join(repoRoot, 'examples'))
	? readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json')).sort()
	: [];

const describeIfExamples = exampleFiles.length ? describe : describe.skip;

describeIfExamples('example workflows in the real n8n CLI', () => {
	let emu: Awaited<ReturnType<typeof startEmulator>>;
	let sandbox: N8nSandbox;
	let examples: ExampleWorkflow[];

	beforeAll(async () => {
		emu = await startEmulator();
		sandbox = await createN8nSandbox({ packageDir: repoRoot });
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		examples = await loadExamples(repoRoot);
		for (const { workflow } of examples) await sandbox.importWorkflow(workflow);
	});

	afterAll(async () => {
		await sandbox?.dispose();
		await emu?.close();
	});

	it.each(exampleFiles)('%s runs successfully', async (file) => {
		const example = examples.find((e) => e.file === file);
		if (!example) throw new Error(`${file} was not loaded`);
		const nodes = (example.workflow.nodes ?? []) as Array<{ type: string }>;
		expect(nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger' || n.type === 'n8n-nodes-base.executeWorkflowTrigger')).toBe(true);
		const result = await sandbox.execute(example.workflow.id);
		expectSuccess(result, SECRETS);
		for (const secret of SECRETS) expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
	});
});

if (!exampleFiles.length) {
	it.todo('examples/*.json: none yet');
}
