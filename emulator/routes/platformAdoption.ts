/** Platform Adoption API: tracking events v1 (pageNumber) and v2 (cursor) (docs/celonis-api.md#platform-adoption-api). */
import { GeneratedLog } from '../generatedLog';
import { sendJson, type Ctx } from '../http';
import { cursorPage, pageNumberPage } from '../paging';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';
import type { TrackingEvent } from '../teamData';

const access = { scopes: ROUTE_SCOPES.platformAdoption, permission: PERMISSIONS.platformAdoption };
const EMPTY = new GeneratedLog<TrackingEvent>(
	0,
	() => 0,
	() => undefined as never,
	() => 0,
);

/** Generated events are all of type STUDIO_ASSET; other types have no events. */
function logFor(ctx: Ctx): GeneratedLog<TrackingEvent> {
	return ctx.params.type === 'STUDIO_ASSET' ? ctx.store.tracking : EMPTY;
}

export const platformAdoptionRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/platform-adoption/api/external/adoption-tracking-events/:type',
		family: 'team',
		access,
		handler: (ctx: Ctx) => sendJson(ctx, 200, pageNumberPage(ctx, logFor(ctx))),
	},
	{
		method: 'GET',
		path: '/platform-adoption/api/external/v2/adoption-tracking-events/:type',
		family: 'team',
		access,
		handler: (ctx: Ctx) => sendJson(ctx, 200, cursorPage(ctx, logFor(ctx))),
	},
];
