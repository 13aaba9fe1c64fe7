import type { RouteDef } from '../router';

export const teamRoutes: RouteDef[] = [];
