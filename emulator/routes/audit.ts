import type { RouteDef } from '../router';

export const auditRoutes: RouteDef[] = [];
