import type { RouteDef } from '../router';

export const continuousPushRoutes: RouteDef[] = [];
