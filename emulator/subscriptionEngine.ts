import { z } from 'zod';
import type { Store } from './store';

export const fireSchema = z.object({}).passthrough().optional();
export async function fireTrigger(_store: Store, triggerId: string, _body: unknown, _wait: boolean): Promise<unknown> {
	return { triggerId, delivered: 0 };
}
