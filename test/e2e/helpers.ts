/** Shared pieces of the real-n8n e2e tests: workflow builders and emulator inspection. */
import path from 'node:path';
import { maskSecrets, type ExecuteResult, type N8nRun } from '../../scripts/n8n-cli';

export const repoRoot = path.resolve(__dirname, '..', '..');

export { DEMO_IDENTITIES as DEMO } from '../../scripts/n8n-fixtures';

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

/** A manual-trigger workflow whose other nodes all hang off the trigger (they run one after another). */
export function manualWorkflow(id: string, name: string, nodes: WorkflowNode[]) {
	const trigger = {
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		parameters: {},
	};
	const all = [trigger, ...nodes].map((node, i) => ({
		id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
		position: [i * 240, 0],
		...node,
	}));
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: all,
		connections: {
			Start: { main: [nodes.map((node) => ({ node: node.name, type: 'main', index: 0 }))] },
		},
	};
}

/** n8n's own HTTP Request node using one of our credentials as a "Predefined Credential Type". */
export function httpRequestNode(
	name: string,
	url: string,
	credentialType: string,
	credential: { id: string; name: string },
): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'GET',
			url,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: credentialType,
			options: {},
		},
		credentials: { [credentialType]: credential },
	};
}

/** First output item of a node's first run. */
export function firstJson(
	run: N8nRun | undefined,
	node: string,
): Record<string, unknown> | undefined {
	return run?.data.resultData.runData[node]?.[0]?.data?.main[0]?.[0]?.json;
}

/** Every error message/description in a run, joined (for assertions on what the user sees). */
export function errorText(run: N8nRun | undefined): string {
	if (!run) return '';
	const parts: Array<string | undefined> = [
		run.data.resultData.error?.message,
		run.data.resultData.error?.description,
	];
	for (const runs of Object.values(run.data.resultData.runData)) {
		for (const r of runs) parts.push(r.error?.message, r.error?.description);
	}
	return parts.filter(Boolean).join('\n');
}

export async function tokenStats(
	emulatorUrl: string,
): Promise<{ issued: number; byClient: Record<string, number> }> {
	const res = await fetch(`${emulatorUrl}/__emulator/token-stats`);
	if (!res.ok) throw new Error(`token-stats: HTTP ${res.status}`);
	return (await res.json()) as { issued: number; byClient: Record<string, number> };
}

/** Fails with n8n's (masked) output when an execution did not succeed, so a red test says why. */
export function expectSuccess(result: ExecuteResult, secrets: string[]): void {
	if (result.ok) return;
	const tail = maskSecrets(`${result.stdout}\n${result.stderr}`, secrets)
		.trim()
		.split('\n')
		.slice(-40)
		.join('\n');
	throw new Error(
		`n8n execution failed (exit ${result.exitCode}): ${errorText(result.run) || '(no error in run data)'}\n--- n8n output (tail) ---\n${tail}`,
	);
}
