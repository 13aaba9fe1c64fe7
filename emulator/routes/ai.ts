/** AI API: Process Copilot chat (docs/celonis-api.md#ai-api). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sendProblem } from '../errors';
import { HttpError, readJson, sendJson, type Ctx } from '../http';
import { PERMISSIONS } from '../permissions';
import type { RouteDef } from '../router';
import { ROUTE_SCOPES } from '../scopes';

const chatSchema = z
	.object({ message: z.string().min(1), conversationId: z.string().optional() })
	.strict();

async function chat(ctx: Ctx): Promise<void> {
	const agent = ctx.store.seed.agents.find((a) => a.id === ctx.params.agentId);
	if (!agent)
		return sendProblem(
			ctx.res,
			404,
			'Not Found',
			`Agent ${ctx.params.agentId} not found`,
			ctx.path,
		);
	const body = await readJson(ctx, chatSchema).catch((e: HttpError) => {
		throw new HttpError(400, e.message, (res) =>
			sendProblem(res, 400, 'Bad Request', e.message, ctx.path),
		);
	});
	sendJson(ctx, 200, {
		conversationId: body.conversationId ?? randomUUID(),
		text: `${agent.name} (emulated) received: ${body.message}`,
	});
}

export const aiRoutes: RouteDef[] = [
	{
		method: 'POST',
		path: '/intelligence/api/ai/agents/:agentId/conversations',
		family: 'ai',
		access: { scopes: ROUTE_SCOPES.conversations, permission: PERMISSIONS.agents },
		handler: chat,
	},
];
