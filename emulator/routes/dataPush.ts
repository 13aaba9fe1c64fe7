import type { RouteDef } from '../router';

export const dataPushRoutes: RouteDef[] = [];
import type { PushJob } from '../store';
export function presentJob(j: PushJob): Record<string, unknown> {
	return { id: j.id, status: j.status };
}
