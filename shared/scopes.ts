/**
 * The OAuth scope catalogue of the Celonis Platform (docs.celonis.com "OAuth scopes", plus
 * `intelligence.tools:execute` from the "Migrating to OAuth 2.0" page). One list, used by the OAuth2
 * credential's scope multi-select and by the node's "which scope does this call need" checks.
 */
export interface CelonisScope {
	value: string;
	name: string;
	description: string;
}

export const CELONIS_SCOPES: readonly CelonisScope[] = [
	{
		value: 'action-engine.projects',
		name: 'Action Engine: Projects',
		description: 'Action Engine projects and skills (push and pull skills)',
	},
	{
		value: 'audit.log:read',
		name: 'Audit: Read Audit Log',
		description: 'Read the team audit log (Audit Log API)',
	},
	{
		value: 'authorization.permissions:read',
		name: 'Authorization: Read Permissions',
		description: 'Export team permissions (Permissions API)',
	},
	{
		value: 'integration.data-models:read',
		name: 'Integration: Read Data Models',
		description: 'Read data models',
	},
	{
		value: 'integration.data-pools',
		name: 'Integration: Data Pools',
		description:
			'Data pools: Data Push API, Continuous Data Push API, Process Data Model API, Data Job Execution API, content-cli, PyCelonis',
	},
	{
		value: 'integration.data-pools:continuous_data_push',
		name: 'Integration: Continuous Data Push',
		description: 'Push files continuously into data pools (Continuous Data Push API)',
	},
	{
		value: 'integration.data-pools:data_push',
		name: 'Integration: Data Push',
		description: 'Push data into data pools (Data Push API)',
	},
	{
		value: 'integration.data-pools:query',
		name: 'Integration: Query Data Pools',
		description: 'Query data pools',
	},
	{
		value: 'integration.data-pools:read',
		name: 'Integration: Read Data Pools',
		description: 'Read data pools',
	},
	{
		value: 'intelligence.conversations:write',
		name: 'Intelligence: Conversations',
		description: 'Chat API (Process Copilot conversations)',
	},
	{
		value: 'intelligence.knowledge-models:read',
		name: 'Intelligence: Read Knowledge Models',
		description: 'Knowledge Model API: knowledge models, records, data, filters, KPIs and triggers',
	},
	{
		value: 'intelligence.subscriptions:manage',
		name: 'Intelligence: Manage Subscriptions',
		description: 'Event Subscription API: create, update and replay subscriptions',
	},
	{
		value: 'intelligence.tools:execute',
		name: 'Intelligence: Execute Tools',
		description: 'Tools API of Process Intelligence agents',
	},
	{
		value: 'knowledge-models.augmented-attributes:update',
		name: 'Studio: Update Augmented Attributes',
		description: 'Update augmented attributes of knowledge models',
	},
	{
		value: 'knowledge-models:query',
		name: 'Studio: Query Knowledge Models',
		description: 'Query knowledge models',
	},
	{
		value: 'knowledge-models:read',
		name: 'Studio: Read Knowledge Models',
		description: 'Read knowledge models',
	},
	{
		value: 'machine-learning',
		name: 'Machine Learning Workbench',
		description: 'Machine Learning Workbench API',
	},
	{
		value: 'mcp-asset.tools:execute',
		name: 'MCP: Execute Agent Tools',
		description: 'Tools of Agent Tools (MCP server) assets',
	},
	{ value: 'on-prem-client', name: 'On-Prem Client', description: 'On-premise clients' },
	{
		value: 'orchestration-engine',
		name: 'Orchestration Engine',
		description: 'Process Orchestration and Forms',
	},
	{ value: 'package-manager', name: 'Package Manager', description: 'Studio package manager' },
	{
		value: 'platform-adoption.tracking-events:read',
		name: 'Platform Adoption: Read Tracking Events',
		description: 'Platform Adoption API (Studio adoption tracking events)',
	},
	{ value: 'skills:execute', name: 'Studio: Execute Skills', description: 'Execute skills' },
	{ value: 'skills:read', name: 'Studio: Read Skills', description: 'Read skills' },
	{
		value: 'storage-manager.buckets',
		name: 'Storage Manager: Buckets',
		description: 'SFTP Storage Manager API',
	},
	{
		value: 'studio',
		name: 'Studio',
		description: 'Studio resources (also accepted by the Tools API)',
	},
	{
		value: 'studio.packages:read',
		name: 'Studio: Read Packages',
		description: 'Read Studio packages',
	},
	{
		value: 'task-mining.clients:suspend',
		name: 'Task Mining: Suspend Clients',
		description: 'Suspend data capturing of Task Mining clients',
	},
	{
		value: 'task-mining.gateway',
		name: 'Task Mining: Gateway',
		description: 'Task Mining Gateway integration API',
	},
	{
		value: 'task-mining.metadata:read',
		name: 'Task Mining: Read Metadata',
		description: 'Task Mining user metadata',
	},
	{ value: 'tasks:read', name: 'Studio: Read Tasks', description: 'Read tasks' },
	{ value: 'tasks:update', name: 'Studio: Update Tasks', description: 'Update tasks' },
	{
		value: 'team.login-history:read',
		name: 'Team: Read Login History',
		description: 'Login History API (authentication events)',
	},
	{
		value: 'team.user-group-info:read',
		name: 'Team: Read Members and Groups',
		description: 'User Group Info API (team members)',
	},
	{ value: 'triggers:manage', name: 'Studio: Manage Triggers', description: 'Manage triggers' },
	{ value: 'triggers:read', name: 'Studio: Read Triggers', description: 'Read triggers' },
	{
		value: 'user-provisioning.scim',
		name: 'User Provisioning: SCIM',
		description: 'SCIM API (users and groups)',
	},
];

const KNOWN_SCOPES = new Set(CELONIS_SCOPES.map((s) => s.value));

export function isKnownScope(scope: string): boolean {
	return KNOWN_SCOPES.has(scope);
}

/** A scope is printable ASCII without spaces, quotes or backslashes (docs/celonis-api.md, "OAuth"). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export class InvalidScopeSyntaxError extends Error {
	constructor(readonly invalid: string[]) {
		super(
			`These custom scopes contain characters a scope cannot have: ${invalid.map((s) => JSON.stringify(s)).join(', ')}. ` +
				'Separate scopes with spaces and use only printable characters without quotes or backslashes.',
		);
		this.name = 'InvalidScopeSyntaxError';
	}
}

/**
 * Joins the selected and the custom (space or comma separated) scopes into the list sent to
 * `/oauth2/token`: trimmed, de-duplicated, in the user's order.
 */
export function assembleScopes(selected: unknown, custom: unknown): string[] {
	const fromList = Array.isArray(selected) ? selected.map((s) => String(s).trim()) : [];
	const fromCustom = typeof custom === 'string' ? custom.split(/[\s,]+/) : [];
	const all = [...fromList, ...fromCustom].filter((s) => s !== '');
	const invalid = all.filter((s) => !SCOPE_TOKEN.test(s));
	if (invalid.length > 0) throw new InvalidScopeSyntaxError(invalid);
	return [...new Set(all)];
}

/** Parses the `scope` of a token response (space separated) into a list. */
export function parseScopeString(scope: unknown): string[] {
	return typeof scope === 'string' ? scope.split(/\s+/).filter((s) => s !== '') : [];
}
