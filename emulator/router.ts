/** A tiny routing table: `/a/:id/b` patterns, optional trailing slash, method dispatch. */
import type { AccessRule } from './auth';
import type { Family } from './errors';
import type { Ctx } from './http';

export interface RouteDef {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
	path: string;
	family: Family;
	/** omitted = no authentication (token endpoint, discovery, inspection API) */
	access?: AccessRule;
	handler: (ctx: Ctx) => unknown;
}

interface Compiled {
	def: RouteDef;
	rx: RegExp;
	names: string[];
}

export class Router {
	private routes: Compiled[] = [];
	/** first literal segment → candidates, for cheap matching */
	private bySegment = new Map<string, Compiled[]>();

	add(defs: RouteDef[]): void {
		for (const def of defs) {
			const names: string[] = [];
			const src = def.path
				.replace(/\/+$/, '')
				.split('/')
				.map((seg) => {
					if (seg.startsWith(':')) {
						names.push(seg.slice(1));
						return '([^/]+)';
					}
					return seg.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
				})
				.join('/');
			const c: Compiled = { def, rx: new RegExp(`^${src}/?$`), names };
			this.routes.push(c);
			const first = def.path.split('/')[1] ?? '';
			const list = this.bySegment.get(first) ?? [];
			list.push(c);
			this.bySegment.set(first, list);
		}
	}

	/** `route` when path and method match; `methodMismatch` when only the path matches. */
	match(
		method: string,
		path: string,
	): { route?: RouteDef; params: Record<string, string>; methodMismatch: boolean } {
		const first = path.split('/', 2)[1] ?? '';
		const candidates = this.bySegment.get(first) ?? [];
		let pathMatched = false;
		for (const c of candidates) {
			const m = c.rx.exec(path);
			if (!m) continue;
			const effective = method === 'HEAD' && c.def.method === 'GET' ? 'GET' : method;
			if (c.def.method !== effective) {
				pathMatched = true;
				continue;
			}
			const params: Record<string, string> = {};
			c.names.forEach((n, i) => {
				try {
					params[n] = decodeURIComponent(m[i + 1] as string);
				} catch {
					params[n] = m[i + 1] as string;
				}
			});
			return { route: c.def, params, methodMismatch: false };
		}
		return { params: {}, methodMismatch: pathMatched };
	}
}

export function familyOfPath(path: string): Family {
	if (path.startsWith('/oauth2') || path.startsWith('/.well-known')) return 'oauth';
	if (path.startsWith('/__emulator')) return 'inspect';
	if (path.startsWith('/data-ingestion') || path.startsWith('/integration/api/v1/data-push'))
		return 'dataPush';
	if (path.startsWith('/integration') || path.startsWith('/continuous-batch-processing'))
		return 'integration';
	if (path.startsWith('/intelligence/api/ai')) return 'ai';
	if (path.startsWith('/intelligence')) return 'intelligence';
	if (path.startsWith('/log/')) return 'audit';
	if (path.startsWith('/api/external') || path.startsWith('/platform-adoption')) return 'team';
	return 'common';
}
