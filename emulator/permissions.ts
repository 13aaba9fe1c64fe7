/**
 * Celonis permission names used in seed files. `*` grants everything. Pool-scoped permissions may be granted for one
 * pool as `<permission>:<poolId>`.
 */
export const PERMISSIONS = {
	auditLog: 'audit-log:use',
	loginHistory: 'login-history:use',
	members: 'members:use',
	platformAdoption: 'platform-adoption:use',
	dataPush: 'data-push',
	continuousPush: 'continuous-push',
	poolsView: 'data-pools:view',
	poolsManage: 'data-pools:manage',
	knowledgeModels: 'knowledge-models:use',
	subscriptions: 'subscriptions:manage',
	agents: 'agents:use',
} as const;

/** Permissions implied by another one. */
const IMPLIED: Partial<Record<string, string[]>> = {
	[PERMISSIONS.poolsView]: [PERMISSIONS.poolsManage],
};

export function hasPermission(granted: readonly string[], perm: string, poolId?: string): boolean {
	if (granted.includes('*')) return true;
	const candidates = [perm, ...(IMPLIED[perm] ?? [])];
	return candidates.some(
		(p) => granted.includes(p) || (poolId !== undefined && granted.includes(`${p}:${poolId}`)),
	);
}
