import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoRequest {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/**
 * A tiny HTTP server that plays a Celonis team for a User API key (`echo-api-key`) and answers what it
 * received: it shows exactly what the node put on the wire (method, query, headers, body bytes), which the
 * emulator, being a faithful Celonis, has no reason to reveal. Also serves files, text, redirects and delays.
 */
export async function startEchoTeam(): Promise<{
	url: string;
	requests: EchoRequest[];
	close(): Promise<void>;
}> {
	const requests: EchoRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://x');
			const query: Record<string, string | string[]> = {};
			for (const key of new Set(url.searchParams.keys())) {
				const all = url.searchParams.getAll(key);
				query[key] = all.length > 1 ? all : all[0];
			}
			const body = Buffer.concat(chunks);
			requests.push({
				method: req.method ?? '',
				path: url.pathname,
				query,
				headers: req.headers,
				body,
			});
			const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
				res.writeHead(status, { 'content-type': 'application/json', ...headers });
				res.end(JSON.stringify(value));
			};
			if (req.headers.authorization !== 'Bearer echo-api-key')
				return json(401, { error: 'Unauthorized' });
			if (url.pathname === '/api/cloud/team') return json(200, { domain: 'echo' });
			if (url.pathname === '/file') {
				res.writeHead(200, {
					'content-type': 'text/csv',
					'content-disposition': `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20export.csv`,
				});
				return res.end('a,b\n1,2\n');
			}
			if (url.pathname === '/text') {
				res.writeHead(200, { 'content-type': 'text/plain' });
				return res.end('plain answer');
			}
			if (url.pathname === '/redirect') {
				res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
				return res.end();
			}
			if (url.pathname === '/list')
				return json(200, { content: [{ id: 1 }, { id: 2 }, 3], total: 3 });
			// pageNumber family that caps the page size at 3 (as Celonis caps at 200) and says so in pageSize.
			if (url.pathname === '/capped') {
				const pageNumber = Number(url.searchParams.get('pageNumber') ?? 0);
				const size = Math.min(3, Number(url.searchParams.get('pageSize') ?? 3));
				const content = Array.from({ length: 10 }, (_, i) => ({ n: i })).slice(
					pageNumber * size,
					pageNumber * size + size,
				);
				return json(200, { content, pageNumber, pageSize: size, totalCount: 10 });
			}
			// An audit log v2 that answers newest first (Celonis does not document the order).
			if (url.pathname === '/log/api/external/v2/audit') {
				const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
				return json(200, {
					content: [3, 2, 1].map((n) => ({
						userId: `u${n}`,
						event: 'TEST',
						timestamp: at(n),
						message: { n },
					})),
				});
			}
			// An API that ignores paging parameters: always the first page.
			if (url.pathname === '/unpaged')
				return json(200, {
					content: [{ n: 0 }, { n: 1 }],
					pageNumber: 0,
					pageSize: 2,
					totalCount: 6,
				});
			if (url.pathname === '/delay') {
				setTimeout(
					() => json(200, { i: Number(url.searchParams.get('i')) }),
					Number(url.searchParams.get('ms') ?? 0),
				);
				return;
			}
			if (url.pathname.startsWith('/status/')) {
				const status = Number(url.pathname.split('/')[2]);
				return json(status, {
					title: 'Echo failure',
					status,
					detail: `asked for ${status}`,
					errorCode: 'ECHO',
				});
			}
			return json(200, {
				method: req.method,
				path: url.pathname,
				query,
				contentType: req.headers['content-type'] ?? null,
				headers: Object.fromEntries(
					Object.entries(req.headers).filter(([k]) => k.startsWith('x-')),
				),
				body: body.toString('utf8'),
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
