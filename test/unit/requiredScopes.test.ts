import { missingScopes, scopeRuleFor } from '../../shared/scopeRules';

describe('scope rules', () => {
	it('map API paths to the scopes that open them', () => {
		expect(scopeRuleFor('/log/api/external/v2/audit')?.anyOf).toEqual(['audit.log:read']);
		expect(scopeRuleFor('/data-ingestion/api/v1/data-push/p/jobs', 'POST')?.anyOf).toEqual([
			'integration.data-pools:data_push',
			'integration.data-pools',
		]);
		expect(scopeRuleFor('/integration/api/v1/data-push/p/jobs', 'POST')?.api).toBe('Data Push API');
		expect(scopeRuleFor('/api/external/members')?.anyOf).toEqual(['team.user-group-info:read']);
		expect(scopeRuleFor('/intelligence/api/subscriptions')?.api).toBe('Event Subscription API');
		expect(scopeRuleFor('/intelligence/api/knowledge-models')?.api).toBe('Knowledge Model API');
		expect(scopeRuleFor('/api/cloud/team')).toBeUndefined();
	});

	it('let the subscription scope list triggers (the Celonis Trigger needs nothing else), not read data', () => {
		const triggers = scopeRuleFor('/intelligence/api/knowledge-models/km/triggers')!;
		expect(missingScopes(triggers, ['intelligence.subscriptions:manage'])).toEqual([]);
		expect(missingScopes(triggers, ['intelligence.knowledge-models:read'])).toEqual([]);
		expect(
			missingScopes(scopeRuleFor('/intelligence/api/knowledge-models/km/triggers/t')!, [
				'intelligence.subscriptions:manage',
			]),
		).toEqual([]);
		const create = scopeRuleFor('/intelligence/api/knowledge-models/km/triggers/t/subscriptions');
		expect(create?.api).toBe('Event Subscription API');
		expect(
			missingScopes(scopeRuleFor('/intelligence/api/knowledge-models/km/records/r/data')!, [
				'intelligence.subscriptions:manage',
			]),
		).toEqual(['intelligence.knowledge-models:read']);
	});

	it('let read-only integration scopes read, but not reload or execute', () => {
		const read = scopeRuleFor('/integration/api/pools', 'GET')!;
		expect(missingScopes(read, ['integration.data-pools:read'])).toEqual([]);
		// Reading data models is not reading pools: the emulator (and the scope's name) say so.
		expect(missingScopes(read, ['integration.data-models:read'])).not.toEqual([]);
		for (const models of [
			'/integration/api/pools/p/data-models',
			'/integration/api/pools/p/data-models/m',
			'/integration/api/pools/p/data-model/m/tables',
			'/integration/api/v1/data-pools/p/data-models/m/last-load',
		])
			expect(missingScopes(scopeRuleFor(models, 'GET')!, ['integration.data-models:read'])).toEqual(
				[],
			);
		const reload = scopeRuleFor('/integration/api/v1/data-pools/p/data-models/m/load', 'POST')!;
		expect(
			missingScopes(reload, ['integration.data-models:read', 'integration.data-pools:read']),
		).toEqual(['integration.data-pools']);
		expect(missingScopes(reload, ['integration.data-pools'])).toEqual([]);
	});
});
