/** Key-type probes used by content-cli and pycelonis: /api/cloud/team, /api/cloud, /api/cloud/permissions, /api/team (docs/celonis-api.md#team-url-and-authentication). */
import { sendJson, type Ctx } from '../http';
import { hasPermission, PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';

const any = { scopes: ROUTE_SCOPES.any };

function team(ctx: Ctx): void {
	const t = ctx.store.seed.team;
	sendJson(ctx, 200, {
		id: t.id,
		name: t.name,
		domain: t.domain,
		realm: t.realm,
		visible: true,
		active: true,
	});
}

function cloud(ctx: Ctx): void {
	const t = ctx.store.seed.team;
	const idn = ctx.identity!;
	const user = idn.userEmail ? ctx.store.usersByEmail.get(idn.userEmail.toLowerCase()) : undefined;
	sendJson(ctx, 200, {
		id: user?.id ?? `${idn.kind}-${idn.id}`,
		email: user?.email ?? null,
		name: user?.name ?? idn.id,
		teamName: t.name,
		teamId: t.id,
		teamDomain: t.domain,
		apiToken: null,
		active: true,
		role: user?.role ?? (idn.kind === 'appKey' ? 'APPLICATION' : 'MEMBER'),
		groupIds: [],
		admin: idn.permissions.includes('*'),
		member: true,
		analyst: false,
		applicationKey: idn.kind === 'appKey',
	});
}

function permissions(ctx: Ctx): void {
	const p = ctx.identity!.permissions;
	const services: { serviceName: string; permissions: string[] }[] = [
		{
			serviceName: 'audit-log',
			permissions: hasPermission(p, PERMISSIONS.auditLog) ? ['USE_API'] : [],
		},
		{
			serviceName: 'team',
			permissions: [
				...(hasPermission(p, PERMISSIONS.loginHistory) ? ['LOGIN_HISTORY_USE_API'] : []),
				...(hasPermission(p, PERMISSIONS.members) ? ['USERS_USE_API'] : []),
			],
		},
		{
			serviceName: 'event-collection',
			permissions: [
				...(hasPermission(p, PERMISSIONS.poolsManage) ? ['EDIT_ALL_DATA_POOLS'] : []),
				...(hasPermission(p, PERMISSIONS.dataPush) ? ['DATA_PUSH_API'] : []),
			],
		},
		{
			serviceName: 'package-manager',
			permissions: hasPermission(p, PERMISSIONS.knowledgeModels) ? ['USE_ALL_PACKAGES'] : [],
		},
		{
			serviceName: 'platform-adoption',
			permissions: hasPermission(p, PERMISSIONS.platformAdoption) ? ['USE_API'] : [],
		},
	];
	sendJson(
		ctx,
		200,
		services.filter((s) => s.permissions.length > 0),
	);
}

function teamDetails(ctx: Ctx): void {
	const t = ctx.store.seed.team;
	const dp = ctx.store.config.dataPush;
	sendJson(ctx, 200, {
		id: t.id,
		name: t.name,
		domain: t.domain,
		privacyType: 'PRIVATE',
		active: true,
		trackingEnabled: false,
		dataPushJobSubmissionLimitPerSec: dp.perSecond,
		dataPushJobSubmissionLimitPerHour: dp.perHour,
		unlimitedDataPushJobSubmissions: dp.unlimited,
	});
}

export const probeRoutes: RouteDef[] = [
	{ method: 'GET', path: '/api/cloud/team', family: 'probe', access: any, handler: team },
	{ method: 'GET', path: '/api/cloud', family: 'probe', access: any, handler: cloud },
	{
		method: 'GET',
		path: '/api/cloud/permissions',
		family: 'probe',
		access: any,
		handler: permissions,
	},
	{ method: 'GET', path: '/api/team', family: 'probe', access: any, handler: teamDetails },
];
