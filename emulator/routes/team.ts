/** Team API: login history and members (docs/celonis-api.md#team-api). */
import { HttpError, intParam, sendJson, type Ctx } from '../http';
import { MAX_PAGE_SIZE, pageNumberPage } from '../paging';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';

function members(ctx: Ctx): void {
	const pageNumber = intParam(ctx, 'pageNumber', 0, 0);
	const pageSize = intParam(ctx, 'pageSize', MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE);
	const raw = ctx.query.get('includeInternal');
	if (raw !== null && raw !== 'true' && raw !== 'false')
		throw new HttpError(400, "Query parameter 'includeInternal' must be of type 'Boolean'.");
	const includeInternal = raw !== 'false';
	const all = ctx.store.team.members
		.filter((m) => includeInternal || !m.internal)
		.map(({ internal: _i, ...m }) => m);
	sendJson(ctx, 200, {
		content: all.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize),
		pageNumber,
		pageSize,
		totalCount: all.length,
	});
}

export const teamRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/api/external/authentication-events',
		family: 'team',
		access: { scopes: ROUTE_SCOPES.loginHistory, permission: PERMISSIONS.loginHistory },
		handler: (ctx: Ctx) => sendJson(ctx, 200, pageNumberPage(ctx, ctx.store.logins)),
	},
	{
		method: 'GET',
		path: '/api/external/members',
		family: 'team',
		access: { scopes: ROUTE_SCOPES.members, permission: PERMISSIONS.members },
		handler: members,
	},
];
