import type { RouteDef } from '../router';

export const subscriptionRoutes: RouteDef[] = [];
