/**
 * Which OAuth scope a Celonis API path needs (docs/celonis-api.md, "Scopes and permissions"). Each rule
 * lists alternatives: any one of them is enough (e.g. Data Push accepts `integration.data-pools:data_push`
 * or the broader `integration.data-pools`). Paths without a rule are not checked before sending.
 */
export interface ScopeRule {
	api: string;
	prefix: RegExp;
	anyOf: string[];
	/** Read-only scopes that are enough for GET and HEAD on these paths, not for changes. */
	readAlso?: string[];
	/** The Celonis permission to grant when the scope is present but the call is still refused. */
	permission: string;
}

const DATA_POOLS = 'integration.data-pools';

export const SCOPE_RULES: readonly ScopeRule[] = [
	{
		api: 'Data Push API',
		prefix: /^\/(data-ingestion|integration)\/api\/v1\/data-push\//,
		anyOf: ['integration.data-pools:data_push', DATA_POOLS],
		permission: 'the "Data Push API" permission on the data pool',
	},
	{
		api: 'Continuous Data Push API',
		prefix: /^\/continuous-batch-processing\/api\//,
		anyOf: ['integration.data-pools:continuous_data_push', DATA_POOLS],
		permission: 'the "Data Push API" permission on the data pool',
	},
	{
		// Data models of a pool: reading them is what integration.data-models:read allows.
		api: 'Data Integration API',
		prefix: /^\/integration\/api\/(pools|v1\/data-pools)\/[^/]+\/data-models?(\/|$)/,
		anyOf: [DATA_POOLS],
		readAlso: ['integration.data-pools:read', 'integration.data-models:read'],
		permission: 'view and edit (manage) permissions on the data pool',
	},
	{
		api: 'Data Integration API',
		prefix: /^\/integration\/api\//,
		anyOf: [DATA_POOLS],
		readAlso: ['integration.data-pools:read'],
		permission: 'view and edit (manage) permissions on the data pool',
	},
	{
		api: 'Audit Log API',
		prefix: /^\/log\/api\/external\//,
		anyOf: ['audit.log:read'],
		permission: 'the team permission "Use Audit Log API" (Admin & Settings → Permissions)',
	},
	{
		api: 'Login History API',
		prefix: /^\/api\/external\/authentication-events/,
		anyOf: ['team.login-history:read'],
		permission: 'the team permission "Login history – Use API" (Admin & Settings → Permissions)',
	},
	{
		api: 'Members API',
		prefix: /^\/api\/external\/members/,
		anyOf: ['team.user-group-info:read'],
		permission: 'the team permission "Users – Use API" (Admin & Settings → Permissions)',
	},
	{
		api: 'Platform Adoption API',
		prefix: /^\/platform-adoption\/api\//,
		anyOf: ['platform-adoption.tracking-events:read'],
		permission: 'the team permission "Platform Adoption – Use API"',
	},
	{
		api: 'Permissions API',
		prefix: /^\/api\/authorization\/external\//,
		anyOf: ['authorization.permissions:read'],
		permission: 'the team permission to export permissions',
	},
	{
		api: 'SCIM API',
		prefix: /^\/(api\/)?user-provisioning\//,
		anyOf: ['user-provisioning.scim'],
		permission: 'the "User Provisioning – SCIM" permission',
	},
	{
		api: 'Event Subscription API',
		prefix:
			/^\/intelligence\/api\/(subscriptions|knowledge-models\/[^/]+\/triggers\/[^/]+\/subscriptions)/,
		anyOf: ['intelligence.subscriptions:manage'],
		permission: 'USE PACKAGE on the Studio package of the knowledge model',
	},
	{
		// Listing triggers with only the subscription scope is allowed (docs/celonis-api.md, "Scopes and
		// permissions"): the Celonis Trigger needs no other scope.
		api: 'Knowledge Model API (triggers)',
		prefix: /^\/intelligence\/api\/knowledge-models\/[^/]+\/triggers(\/[^/]+)?\/?$/,
		anyOf: ['intelligence.knowledge-models:read', 'intelligence.subscriptions:manage'],
		permission: 'USE PACKAGE on the Studio package of the knowledge model',
	},
	{
		api: 'Chat API',
		prefix: /^\/intelligence\/api\/ai\/agents\/[^/]+\/conversations/,
		anyOf: ['intelligence.conversations:write'],
		permission: 'USE PACKAGE on the Studio package of the agent',
	},
	{
		api: 'Tools API',
		prefix: /^\/intelligence\/api\/ai\/agents\/[^/]+\/tools/,
		anyOf: ['intelligence.tools:execute', 'studio'],
		permission: 'USE PACKAGE on the Studio package of the agent',
	},
	{
		api: 'Knowledge Model API',
		prefix: /^\/intelligence\/api\//,
		anyOf: ['intelligence.knowledge-models:read'],
		permission: 'USE PACKAGE on the Studio package of the knowledge model',
	},
	{
		api: 'MCP Server',
		prefix: /^\/studio-copilot\/api\//,
		anyOf: ['mcp-asset.tools:execute'],
		permission: 'USE on the package of the MCP asset',
	},
	{
		api: 'Package Manager',
		prefix: /^\/package-manager\/api\//,
		anyOf: ['package-manager', 'studio'],
		permission: 'permissions on the Studio space or package',
	},
	{
		api: 'Action Engine API',
		prefix: /^\/action-engine\/api\//,
		anyOf: ['action-engine.projects'],
		permission: 'permissions on the Action Engine project',
	},
];

/** The rule for a call, its alternatives resolved for the method (read-only scopes count only for reads). */
export function scopeRuleFor(path: string, method = 'GET'): ScopeRule | undefined {
	const rule = SCOPE_RULES.find((r) => r.prefix.test(path));
	if (!rule?.readAlso) return rule;
	return ['GET', 'HEAD'].includes(method.toUpperCase())
		? { ...rule, anyOf: [...rule.anyOf, ...rule.readAlso] }
		: rule;
}

/** The scopes of `rule` that `granted` lacks, or [] when one of the alternatives is present. */
export function missingScopes(rule: ScopeRule, granted: readonly string[]): string[] {
	return rule.anyOf.some((scope) => granted.includes(scope)) ? [] : rule.anyOf;
}
