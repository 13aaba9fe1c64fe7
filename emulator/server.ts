/** The HTTP server: faults → routing → rate limits → auth → handler → request log. node:http only. */
import {
	createServer as createHttpServer,
	type IncomingMessage,
	type Server,
	type ServerResponse,
} from 'node:http';
import { authenticate, checkAccess } from './auth';
import { sendErrorDto, sendFamilyError, type Family } from './errors';
import { HttpError, type Ctx } from './http';
import { redactAuthorization, redactQuery } from './requestLog';
import { familyOfPath, Router, type RouteDef } from './router';
import type { Store } from './store';
import type { FaultStep } from './faultSchema';
import { oauthRoutes } from './routes/oauth';
import { authorizeRoutes } from './routes/authorize';
import { probeRoutes } from './routes/probes';
import { inspectRoutes } from './routes/inspect';
import { dataPushRoutes } from './routes/dataPush';
import { continuousPushRoutes } from './routes/continuousPush';
import { integrationRoutes } from './routes/integration';
import { auditRoutes } from './routes/audit';
import { teamRoutes } from './routes/team';
import { platformAdoptionRoutes } from './routes/platformAdoption';
import { knowledgeModelRoutes } from './routes/knowledgeModels';
import { aiRoutes } from './routes/ai';
import { subscriptionRoutes } from './routes/subscriptions';

function buildRouter(): Router {
	const r = new Router();
	r.add(oauthRoutes);
	r.add(authorizeRoutes);
	r.add(probeRoutes);
	r.add(inspectRoutes);
	r.add(dataPushRoutes);
	r.add(continuousPushRoutes);
	r.add(integrationRoutes);
	r.add(auditRoutes);
	r.add(teamRoutes);
	r.add(platformAdoptionRoutes);
	r.add(knowledgeModelRoutes);
	r.add(aiRoutes);
	r.add(subscriptionRoutes);
	return r;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function applyFaultResponse(res: ServerResponse, step: FaultStep): void {
	const status = step.status ?? 500;
	if (step.headers) for (const [k, v] of Object.entries(step.headers)) res.setHeader(k, v);
	let body = '';
	if (step.body !== undefined) {
		body = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
		if (!res.hasHeader('content-type'))
			res.setHeader(
				'content-type',
				typeof step.body === 'string' ? 'text/plain' : 'application/json',
			);
	}
	res.statusCode = status;
	res.setHeader('content-length', Buffer.byteLength(body));
	res.end(body);
}

/** x-ratelimit-* headers every API response carries (docs/celonis-api.md#rate-limits); enforces the optional generic limiter. */
function rateLimitHeaders(ctx: Ctx, route: RouteDef): boolean {
	const { store, res } = ctx;
	const now = Date.now();
	if (route.family === 'intelligence' || route.family === 'ai') {
		const cfg = store.config.intelligence;
		const perDay = store.intelligenceDay.count(now);
		if (perDay >= cfg.perDay || store.intelligenceSecond.count(now) >= cfg.perSecond) {
			const dayFull = perDay >= cfg.perDay;
			const reset = dayFull
				? store.intelligenceDay.secondsUntilFree(now)
				: store.intelligenceSecond.secondsUntilFree(now);
			const at = new Date(now + reset * 1000).toISOString().slice(11, 19);
			sendErrorDto(
				res,
				429,
				'Rate limit exceeded',
				`Rate limit for INTELLIGENCE_API_RATE_LIMIT is exceeded. Please try again at ${at} UTC.`,
				'LIMIT_RATE_EXCEEDED',
				{
					'x-ratelimit-limit': String(dayFull ? cfg.perDay : cfg.perSecond),
					'x-ratelimit-remaining': '0',
					'x-ratelimit-reset': String(reset),
				},
			);
			return false;
		}
		store.intelligenceDay.add(now);
		store.intelligenceSecond.add(now);
		res.setHeader('x-ratelimit-limit', String(cfg.perDay));
		res.setHeader('x-ratelimit-remaining', String(Math.max(0, cfg.perDay - perDay - 1)));
	}
	const rps = store.config.rateLimit.requestsPerSecond;
	if (rps !== null) {
		if (!store.genericLimiter.tryAdd(rps, now)) {
			sendFamilyError(
				res,
				route.family,
				429,
				`Rate limit of ${rps} requests per second exceeded.`,
				{
					'x-ratelimit-limit': String(rps),
					'x-ratelimit-remaining': '0',
					'x-ratelimit-reset': String(store.genericLimiter.secondsUntilFree(now)),
				},
			);
			return false;
		}
		if (!res.hasHeader('x-ratelimit-limit')) {
			res.setHeader('x-ratelimit-limit', String(rps));
			res.setHeader(
				'x-ratelimit-remaining',
				String(Math.max(0, rps - store.genericLimiter.count(now))),
			);
		}
	} else if (!res.hasHeader('x-ratelimit-limit')) {
		const limit = store.config.rateLimit.nominalLimit;
		store.nominalWindow.add(now);
		res.setHeader('x-ratelimit-limit', String(limit));
		res.setHeader(
			'x-ratelimit-remaining',
			String(Math.max(0, limit - store.nominalWindow.count(now))),
		);
	}
	return true;
}

function createRequestHandler(store: Store, router: Router = buildRouter(), quiet = true) {
	return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const started = performance.now();
		const rawUrl = req.url ?? '/';
		const q = rawUrl.indexOf('?');
		let path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
		if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
		const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
		const method = (req.method ?? 'GET').toUpperCase();
		const inspect = path.startsWith('/__emulator');
		const ctx: Ctx = {
			req,
			res,
			method,
			path,
			query,
			params: {},
			store,
			origin: `http://${req.headers.host ?? 'localhost'}`,
			family: familyOfPath(path),
			log: { identity: { kind: 'none' } },
		};
		if (!inspect) {
			res.on('close', () => {
				const entry = {
					seq: store.requestLog.nextSeq(),
					time: new Date().toISOString(),
					method,
					path,
					query: redactQuery(query),
					status: res.headersSent ? res.statusCode : 0,
					durationMs: Math.round((performance.now() - started) * 100) / 100,
					identity: ctx.log.identity ?? { kind: 'none' as const },
					authorization: redactAuthorization(req.headers.authorization),
					oauth: ctx.log.oauth,
					fault: ctx.log.fault,
				};
				store.requestLog.add(entry);
				if (!quiet)
					process.stdout.write(
						`${entry.method} ${entry.path} ${entry.status} ${entry.durationMs}ms ${entry.identity.kind}${entry.identity.id ? `:${entry.identity.id}` : ''}\n`,
					);
			});
		}
		try {
			if (!inspect) {
				const fault = store.faults.match(method, path);
				if (fault) {
					ctx.log.fault = fault.id;
					const { step } = fault;
					if (step.revokeTokens)
						store.tokens.revoke(
							step.revokeTokens === true ? undefined : step.revokeTokens.clientId,
						);
					if (step.delayMs) await sleep(step.delayMs);
					if (step.reset) {
						req.socket.destroy();
						return;
					}
					if (step.status !== undefined) return applyFaultResponse(res, step);
					if (step.dropResponse) swallowResponse(req, res);
				}
			}
			const m = router.match(method, path);
			if (!m.route) {
				if (m.methodMismatch)
					return sendFamilyError(
						res,
						ctx.family,
						405,
						`Request method '${method}' is not supported for ${path}`,
					);
				return sendFamilyError(res, ctx.family, 404, `Path ${path} not found`);
			}
			const route = m.route;
			ctx.params = m.params;
			ctx.family = route.family;
			if (route.access) {
				const auth = authenticate(store, req.headers.authorization, headerValue(req, 'appkey'));
				if ('fail' in auth) {
					ctx.log.identity = { kind: auth.kind };
					auth.fail(res);
					return;
				}
				ctx.identity = auth.identity;
				ctx.log.identity = { kind: auth.identity.kind, id: auth.identity.id };
				if (!checkAccess(ctx, auth.identity, route.access)) return;
				if (!rateLimitHeaders(ctx, route)) return;
			}
			await route.handler(ctx);
		} catch (err) {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			if (err instanceof HttpError) {
				if (err.render) return err.render(res);
				return sendFamilyError(res, ctx.family, err.status, err.message);
			}
			if (!quiet)
				process.stderr.write(
					`emulator: unhandled error on ${method} ${path}: ${(err as Error)?.message}\n`,
				);
			return sendFamilyError(
				res,
				ctx.family as Family,
				500,
				`Something went wrong while handling the request: ${(err as Error)?.message ?? 'unknown'}`,
			);
		}
	};
}

/** The request is handled as usual, but whatever it answers is replaced by a dropped connection. */
function swallowResponse(req: IncomingMessage, res: ServerResponse): void {
	res.writeHead = (() => res) as unknown as ServerResponse['writeHead'];
	res.setHeader = (() => res) as unknown as ServerResponse['setHeader'];
	res.write = (() => true) as unknown as ServerResponse['write'];
	res.end = ((): ServerResponse => {
		req.socket.destroy();
		return res;
	}) as unknown as ServerResponse['end'];
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
	const v = req.headers[name];
	return Array.isArray(v) ? v[0] : v;
}

export function createServer(store: Store, quiet = true): Server {
	const handler = createRequestHandler(store, buildRouter(), quiet);
	const server = createHttpServer({ keepAliveTimeout: 30_000 }, (req, res) => {
		void handler(req, res);
	});
	return server;
}
