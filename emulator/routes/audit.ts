/** Audit Log API v1 (pageNumber) and v2 (cursor) (docs/celonis-api.md#audit-log-api). */
import { sendJson, type Ctx } from '../http';
import { cursorPage, pageNumberPage } from '../paging';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';

const access = { scopes: ROUTE_SCOPES.audit, permission: PERMISSIONS.auditLog };

export const auditRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/log/api/external/audit',
		family: 'audit',
		access,
		handler: (ctx: Ctx) => sendJson(ctx, 200, pageNumberPage(ctx, ctx.store.audit)),
	},
	{
		method: 'GET',
		path: '/log/api/external/v2/audit',
		family: 'audit',
		access,
		handler: (ctx: Ctx) => sendJson(ctx, 200, cursorPage(ctx, ctx.store.audit)),
	},
];
