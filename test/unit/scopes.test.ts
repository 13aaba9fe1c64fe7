import {
	assembleScopes,
	CELONIS_SCOPES,
	InvalidScopeSyntaxError,
	isKnownScope,
	parseScopeString,
} from '../../shared/scopes';

describe('scope catalogue', () => {
	it('holds every scope of the Celonis authentication page, once, each described', () => {
		const required = [
			'intelligence.knowledge-models:read',
			'intelligence.subscriptions:manage',
			'intelligence.tools:execute',
			'intelligence.conversations:write',
			'user-provisioning.scim',
			'audit.log:read',
			'integration.data-pools',
			'integration.data-pools:data_push',
			'integration.data-pools:continuous_data_push',
			'platform-adoption.tracking-events:read',
			'team.user-group-info:read',
			'team.login-history:read',
			'task-mining.gateway',
			'task-mining.metadata:read',
			'action-engine.projects',
			'studio',
			'authorization.permissions:read',
			'integration.data-models:read',
			'integration.data-pools:query',
			'integration.data-pools:read',
			'machine-learning',
			'mcp-asset.tools:execute',
			'on-prem-client',
			'orchestration-engine',
			'package-manager',
			'storage-manager.buckets',
			'knowledge-models.augmented-attributes:update',
			'knowledge-models:query',
			'knowledge-models:read',
			'skills:execute',
			'skills:read',
			'studio.packages:read',
			'tasks:read',
			'tasks:update',
			'triggers:manage',
			'triggers:read',
			'task-mining.clients:suspend',
		];
		const values = CELONIS_SCOPES.map((s) => s.value);
		expect(new Set(values).size).toBe(values.length);
		expect(values.slice().sort()).toEqual(required.slice().sort());
		for (const scope of CELONIS_SCOPES) {
			expect(scope.description.length).toBeGreaterThan(5);
			expect(isKnownScope(scope.value)).toBe(true);
		}
	});
});

describe('assembleScopes', () => {
	it('joins selected and custom scopes, trimmed, de-duplicated, in order', () => {
		expect(assembleScopes(['audit.log:read', 'studio'], '  my.scope:read  studio,other ')).toEqual([
			'audit.log:read',
			'studio',
			'my.scope:read',
			'other',
		]);
	});
	it('accepts nothing', () => {
		expect(assembleScopes(undefined, undefined)).toEqual([]);
		expect(assembleScopes([], '   ')).toEqual([]);
	});
	it('refuses scope tokens with quotes or backslashes, naming them', () => {
		expect(() => assembleScopes([], 'ok "bad" also\\bad')).toThrow(InvalidScopeSyntaxError);
		expect(() => assembleScopes([], 'ok "bad"')).toThrow(/"\\"bad\\""/);
	});
	it('parses the scope of a token response', () => {
		expect(parseScopeString(' a  b\tc ')).toEqual(['a', 'b', 'c']);
		expect(parseScopeString(undefined)).toEqual([]);
	});
});
