/**
 * `npm run dev -- --queue`: like `npm run dev`, but n8n runs in queue mode — main (editor, webhooks, triggers) and
 * workers on throw-away Postgres and Redis — with the package installed through n8n's Community Nodes installer from
 * a local registry (see queue-cluster.ts). Executions, editor runs included, run on the workers; each records in
 * its execution data which worker ran it when the workflow has a "Record worker" node (the queue examples do).
 * Nothing persists: Ctrl-C stops every process and removes every temp folder.
 *
 * Options: --workers N (2), --emulator-port N (8787), --n8n-port N (5678), --verbose.
 */
import { startEmulator } from '../emulator';
import { CREDENTIAL_NAMES, emulatorCredentials, LOCAL_OWNER, loadExamples } from './n8n-fixtures';
import { startQueueCluster } from './queue-cluster';
import { requestsWorkflow, type Workflow } from './queue-workflows';

export async function runQueueDev(opts: {
	repoRoot: string;
	args: string[];
	log: (message: string) => void;
}): Promise<void> {
	const { args, log } = opts;
	const option = (name: string, fallback: number) => {
		const i = args.indexOf(name);
		return i >= 0 ? Number(args[i + 1]) : fallback;
	};
	const emu = await startEmulator({
		port: option('--emulator-port', 8787),
		host: '127.0.0.1',
		quiet: !args.includes('--verbose'),
	});
	log(`emulator listening on ${emu.url}`);
	let stopping: Promise<void> | undefined;
	let cluster: Awaited<ReturnType<typeof startQueueCluster>> | undefined;
	const stop = (code: number) => {
		stopping ??= (async () => {
			log('stopping n8n, the workers, Postgres, Redis, the registry and the emulator…');
			await cluster?.stop();
			await emu.close();
			process.exit(code);
		})();
		return stopping;
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));
	try {
		cluster = await startQueueCluster({
			packageDir: opts.repoRoot,
			workers: option('--workers', 2),
			mainPort: option('--n8n-port', 5678),
			log,
		});
		log(
			'installing n8n-nodes-celonis through Settings → Community Nodes (main, then every worker)…',
		);
		await cluster.installPackage();
		const credentialIds = await cluster.createCredentials(emulatorCredentials(emu.url));
		const examples = await loadExamples(opts.repoRoot);
		for (const { workflow } of examples) await cluster.createWorkflow(workflow, credentialIds);
		const hook = requestsWorkflow('celonis-queue') as Workflow;
		const { id } = await cluster.createWorkflow(hook, credentialIds);
		await cluster.activate(id);

		for (const service of [cluster.main, ...cluster.workers].map((p) => p.service))
			service.process.on('exit', (code) => {
				if (!stopping) {
					log(`${service.name} exited unexpectedly (code ${code}):\n${service.tail(20)}`);
					void stop(1);
				}
			});
		const url = `http://localhost:${cluster.main.url.split(':').pop()}`;
		process.stdout.write(
			[
				'',
				`  n8n editor (main)  ${url}`,
				`  sign in            ${LOCAL_OWNER.email} / ${LOCAL_OWNER.password}`,
				`  workers            ${cluster.workers.map((w) => `${w.name} (health ${w.healthUrl}/healthz)`).join(', ')}`,
				`  postgres / redis   127.0.0.1:${cluster.postgres.port} (db n8n, user postgres) / 127.0.0.1:${cluster.redis.port}`,
				`  registry           ${cluster.registry.url} (${cluster.packed.name}@${cluster.packed.version} from npm pack)`,
				`  Celonis emulator   ${emu.url}`,
				`  credentials        ${Object.values(CREDENTIAL_NAMES).join(', ')}`,
				`  workflows          ${examples.map((e) => e.workflow.name ?? e.file).join(', ')}, ${hook.name} (active)`,
				`  try it             curl -s -X POST ${url}/webhook/celonis-queue -H 'content-type: application/json' -d '{"calls":[{"path":"/api/cloud/team"}]}'`,
				'',
				'  Ctrl-C stops everything and removes every temp folder.',
				'',
			].join('\n'),
		);
	} catch (error) {
		log(`ERROR: ${(error as Error).message}`);
		await stop(1);
	}
}
