import type { RouteDef } from '../router';

export const intelligenceRoutes: RouteDef[] = [];
