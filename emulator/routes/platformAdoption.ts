import type { RouteDef } from '../router';

export const platformAdoptionRoutes: RouteDef[] = [];
