import type { RouteDef } from '../router';

export const integrationRoutes: RouteDef[] = [];
