import { z } from 'zod';

const faultStepSchema = z.object({
	status: z.number().int().min(100).max(599).optional(),
	headers: z.record(z.string()).optional(),
	/** string → sent as is; anything else → JSON. */
	body: z.unknown().optional(),
	delayMs: z.number().int().min(0).optional(),
	/** destroy the socket instead of answering */
	reset: z.literal(true).optional(),
	/** handle the request normally, then destroy the socket instead of answering: it landed, the client cannot know */
	dropResponse: z.literal(true).optional(),
	/** revoke every token (or only this client's) before the request is handled */
	revokeTokens: z.union([z.literal(true), z.object({ clientId: z.string() })]).optional(),
});

export const faultRuleSchema = z
	.object({
		id: z.string().optional(),
		method: z.string().optional(),
		/** exact path, `*` wildcards, or a regular expression when it starts with `^` */
		path: z.string().min(1),
		sequence: z.array(faultStepSchema).optional(),
		/** with `response`: apply it to each matching request with this probability (seeded PRNG) */
		probability: z.number().min(0).max(1).optional(),
		response: faultStepSchema.optional(),
		seed: z.number().int().optional(),
		/** maximum number of times a probabilistic rule fires */
		times: z.number().int().min(1).optional(),
	})
	.refine(
		(r) => r.sequence !== undefined || (r.probability !== undefined && r.response !== undefined),
		{
			message: 'a fault rule needs a sequence, or a probability and a response',
		},
	);

export type FaultStep = z.infer<typeof faultStepSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema>;
