import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body: string;
	/** the status the hook answered */
	status: number;
}

/** A local webhook receiver standing in for n8n: records every request and answers what `respond` says. */
export class Hook {
	readonly received: Received[] = [];
	respond: (req: { method: string; n: number }) => number = () => 200;
	private server?: Server;
	url = '';

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				const status = this.respond({
					method: req.method as string,
					n: this.received.filter((r) => r.method === req.method).length,
				});
				this.received.push({
					method: req.method as string,
					path: req.url as string,
					headers: req.headers,
					body,
					status,
				});
				res.statusCode = status;
				res.end();
			});
		});
		await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
		return this;
	}

	posts(): Received[] {
		return this.received.filter((r) => r.method === 'POST');
	}

	/** The events the hook accepted (2xx), in arrival order, whether delivered one by one or in arrays. */
	accepted(): { offset: number; subscriberId: string; eventId: string }[] {
		return this.posts()
			.filter((r) => r.status >= 200 && r.status < 300)
			.flatMap((r) => {
				const body = JSON.parse(r.body) as unknown;
				return (Array.isArray(body) ? body : [body]) as {
					offset: number;
					subscriberId: string;
					event: { id: string };
				}[];
			})
			.map((e) => ({ offset: e.offset, subscriberId: e.subscriberId, eventId: e.event.id }));
	}

	clear(): void {
		this.received.length = 0;
	}

	close(): Promise<void> {
		return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
	}
}
