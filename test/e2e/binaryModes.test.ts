/**
 * Push File reads its files through n8n's binary stream helpers, in the real n8n CLI, in the binary data modes a
 * self-hosted n8n offers without external storage: filesystem (the default in regular mode) and database (the
 * default in queue mode; n8n itself loads such a file from the database before streaming it). The file is written
 * by n8n's own Convert to File node, then cut into many chunks.
 */
import type { Emulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { createN8nSandbox, type N8nSandbox } from '../../scripts/n8n-cli';
import { CREDENTIAL_IDS, CREDENTIAL_NAMES, emulatorCredentials } from '../../scripts/n8n-fixtures';
import { DEMO, expectSuccess, firstJson, repoRoot } from './helpers';

const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
const ROWS = 2000;
const SECRETS = [DEMO.apiKey, DEMO.appKey, DEMO.clientSecret];

function workflow(id: string) {
	const nodes = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
		{
			name: 'Rows',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'raw',
				jsonOutput: `={{ { rows: Array.from({ length: ${ROWS} }, (_, i) => ({ ID: i, NAME: 'Name ' + i + (i % 7 === 0 ? ', "quoted"' : ''), NOTE: i % 5 === 0 ? 'two\\nlines' : 'one line' })) } }}`,
				options: {},
			},
		},
		{
			name: 'Split',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'rows', options: {} },
		},
		{
			name: 'File',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			parameters: { operation: 'csv', binaryPropertyName: 'data', options: {} },
		},
		{
			name: 'Push File',
			type: 'n8n-nodes-celonis.celonis',
			typeVersion: 1,
			parameters: {
				authentication: 'appKey',
				resource: 'dataPush',
				operation: 'pushFile',
				dataPool: { __rl: true, mode: 'id', value: POOL },
				tableName: 'BINARY_MODES',
				mode: 'REPLACE',
				options: { chunkSizeMb: 0.01 },
			},
			credentials: {
				celonisAppKeyApi: {
					id: CREDENTIAL_IDS.celonisAppKeyApi,
					name: CREDENTIAL_NAMES.celonisAppKeyApi,
				},
			},
		},
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++)
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return {
		id,
		name: `Push File (${id})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: nodes.map((node, i) => ({
			id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
			position: [i * 240, 0],
			...node,
		})),
		connections,
	};
}

describe.each([
	['filesystem', /^filesystem(-v2)?:/],
	['database', /^database:/],
])("Push File with n8n's %s binary data mode", (mode, idPattern) => {
	let emu: Emulator;
	let sandbox: N8nSandbox;
	const id = `pushFile${mode}`;

	beforeAll(async () => {
		emu = await startEmulator({ quiet: true });
		emu.configure({ jobDelays: { queuedMs: 5, runningMs: 10 } });
		sandbox = await createN8nSandbox({
			packageDir: repoRoot,
			env: { N8N_DEFAULT_BINARY_DATA_MODE: mode },
		});
		await sandbox.importCredentials(emulatorCredentials(emu.url));
		await sandbox.importWorkflow(workflow(id) as never);
	});
	afterAll(async () => {
		await sandbox?.dispose();
		await emu?.close();
	});

	it('a CSV file written by Convert to File lands row for row, cut into many chunks', async () => {
		const result = await sandbox.execute(id);
		expectSuccess(result, SECRETS);
		const file = result.run!.data.resultData.runData.File[0].data!.main[0]![0] as unknown as {
			binary: { data: { id?: string } };
		};
		expect(file.binary.data.id).toMatch(idPattern);
		const summary = firstJson(result.run, 'Push File')!;
		expect(summary).toMatchObject({ status: 'DONE', rows: ROWS, files: 1 });
		expect(summary.chunks as number).toBeGreaterThanOrEqual(5);
		const rows = emu.store.tables.find(POOL, 'BINARY_MODES')!.rows;
		expect([...rows].sort((a, b) => Number(a.ID) - Number(b.ID))).toEqual(
			Array.from({ length: ROWS }, (_, i) => ({
				ID: i,
				NAME: `Name ${i}${i % 7 === 0 ? ', "quoted"' : ''}`,
				NOTE: i % 5 === 0 ? 'two\nlines' : 'one line',
			})),
		);
	});
});
