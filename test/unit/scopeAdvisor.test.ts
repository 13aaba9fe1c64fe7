import { spawnSync } from 'node:child_process';
import path from 'node:path';

import fc from 'fast-check';

import { readdirSync, readFileSync } from 'node:fs';

import {
	advise,
	adviseNode,
	formatAdvice,
	readWorkflowFiles,
	workflowsOf,
} from '../../scripts/scopeAdvisor';
import {
	leastPrivilegeScopes,
	OPERATION_TABLE,
	scopeNeedsOfCalls,
	type ScopeNeed,
} from '../../shared/operationScopes';
import { REPO_ROOT } from '../harness/packageTypes';

const celonis = (name: string, parameters: Record<string, unknown>) => ({
	name,
	type: 'n8n-nodes-celonis.celonis',
	parameters,
});
const workflow = (...nodes: unknown[]) => ({ name: 'wf', nodes });
const covers = (set: string[], needs: ScopeNeed[]) =>
	needs.every((n) => n.anyOf.some((s) => set.includes(s)));

describe('the least-privilege scope set', () => {
	const allNeeds = OPERATION_TABLE.flatMap((e) => scopeNeedsOfCalls(e.calls));

	it('satisfies every need, and no scope of it can be left out', () => {
		fc.assert(
			fc.property(fc.subarray(allNeeds), (needs) => {
				const set = leastPrivilegeScopes(needs);
				expect(covers(set, needs)).toBe(true);
				for (const scope of set)
					expect(
						covers(
							set.filter((s) => s !== scope),
							needs,
						),
					).toBe(false);
			}),
		);
	});

	it('prefers the narrow scope, and one broad scope over several narrow ones', () => {
		const push = scopeNeedsOfCalls([
			{ method: 'POST', path: '/data-ingestion/api/v1/data-push/p/jobs/' },
		]);
		const reload = scopeNeedsOfCalls([
			{ method: 'POST', path: '/integration/api/v1/data-pools/p/data-models/m/load' },
		]);
		const readPools = scopeNeedsOfCalls([{ method: 'GET', path: '/integration/api/pools' }]);
		expect(leastPrivilegeScopes(push)).toEqual(['integration.data-pools:data_push']);
		expect(leastPrivilegeScopes(readPools)).toEqual(['integration.data-pools:read']);
		expect(leastPrivilegeScopes([...push, ...reload, ...readPools])).toEqual([
			'integration.data-pools',
		]);
	});
});

describe('the scope advisor', () => {
	it('reads each kind of export: one workflow, an array, the public API’s { data }', () => {
		const one = workflow(celonis('A', { resource: 'auditLog', operation: 'getAll' }));
		expect(workflowsOf(one)).toHaveLength(1);
		expect(workflowsOf([one, one])).toHaveLength(2);
		expect(workflowsOf({ data: [one] })).toHaveLength(1);
		expect(workflowsOf({ something: 'else' })).toEqual([]);
	});

	it('says per Celonis node what it needs, with the node’s defaults for what the export left out', () => {
		const nodes = [
			celonis('Audit', { resource: 'auditLog', operation: 'getAll' }),
			// n8n leaves parameters at their default out of an export: resource/operation/method.
			celonis('Generic', { path: '/api/external/members' }),
			celonis('Login history', { resource: 'team' }),
			{ ...celonis('Disabled', { resource: 'dataPush', operation: 'pushItems' }), disabled: true },
			{ name: 'Other', type: 'n8n-nodes-base.httpRequest', parameters: {} },
		];
		const advice = advise([{ name: 'f.json', json: workflow(...nodes) }]);
		expect(advice.nodes.map((n) => [n.node, n.needs.map((x) => x.anyOf.join('|'))])).toEqual([
			['Audit', ['audit.log:read']],
			['Generic', ['team.user-group-info:read']],
			['Login history', ['team.login-history:read']],
		]);
		expect(advice.leastPrivilege).toEqual([
			'audit.log:read',
			'team.login-history:read',
			'team.user-group-info:read',
		]);
	});

	it('reads a generic request’s path from a full URL or from the literal start of an expression', () => {
		const url = adviseNode(
			'wf',
			celonis('U', { path: 'https://acme.eu-1.celonis.cloud/log/api/external/audit?x=1' }),
		);
		expect(url.needs.map((n) => n.anyOf)).toEqual([['audit.log:read']]);
		const expression = adviseNode(
			'wf',
			celonis('E', { path: '=/api/external/members?page={{ $json.page }}' }),
		);
		expect(expression.needs.map((n) => n.anyOf)).toEqual([['team.user-group-info:read']]);
		expect(expression.note).toMatch(/literal start of an expression/);
		const opaque = adviseNode('wf', celonis('O', { path: '={{ $json.path }}' }));
		expect(opaque.needs).toEqual([]);
		expect(opaque.note).toMatch(/known only when it runs/);
		const post = adviseNode('wf', celonis('P', { method: 'POST', path: '/integration/api/pools' }));
		expect(post.needs.map((n) => n.anyOf)).toEqual([['integration.data-pools']]);
	});

	it('names an operation the table does not know instead of guessing', () => {
		const advice = adviseNode(
			'wf',
			celonis('New', { resource: 'somethingNew', operation: 'doIt' }),
		);
		expect(advice.needs).toEqual([]);
		expect(advice.note).toMatch(/not in the scope table/);
	});

	it('prints for the examples what the README shows', () => {
		const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
		const shown = readme.split('$ npm run scopes -- examples/*.json\n')[1]?.split('```')[0];
		const files = readdirSync(path.join(REPO_ROOT, 'examples'))
			.filter((f) => f.endsWith('.json'))
			.sort()
			.map((f) => path.join(REPO_ROOT, 'examples', f));
		expect(shown).toBe(`${formatAdvice(advise(readWorkflowFiles(files)))}\n`);
	});

	it('runs as `npm run scopes -- <files>` over the examples', () => {
		const examples = path.join(REPO_ROOT, 'examples');
		const run = spawnSync(
			process.execPath,
			[
				path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'),
				path.join(REPO_ROOT, 'scripts/scopes.ts'),
				path.join(examples, 'scheduled-data-push.json'),
				path.join(examples, 'nightly-audit-log-export.json'),
			],
			{ encoding: 'utf8', cwd: REPO_ROOT },
		);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('Push Items to SALES_ORDERS (Data Push → Push Items to Table)');
		expect(run.stdout).toMatch(
			/Least-privilege scopes .*:\n {2}audit\.log:read integration\.data-pools\n?$/,
		);
		const usage = spawnSync(
			process.execPath,
			[
				path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'),
				path.join(REPO_ROOT, 'scripts/scopes.ts'),
			],
			{ encoding: 'utf8', cwd: REPO_ROOT },
		);
		expect(usage.status).toBe(2);
		expect(usage.stderr).toMatch(/Usage: npm run scopes/);
	});
});
