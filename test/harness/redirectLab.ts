import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request that reached a host other than the team: what a redirect target would see. */
export interface TargetRequest {
	/** The Host header, e.g. `x.team.localhost:41234`. */
	host: string;
	method: string;
	path: string;
	authorization: string | undefined;
}

/** The other origins a team could redirect to; each is a base URL without a trailing slash. */
export interface RedirectTargets {
	/** The team's host name on another port. */
	sameHostOtherPort: string;
	/** A subdomain of the team's host on the team's port (follow-redirects keeps Authorization for it). */
	subdomain: string;
	/** Another host name on the team's port. */
	otherHost: string;
}

export interface RedirectLab {
	/** `http://team.localhost:<port>`: proxied to the emulator, so every credential check is the emulator's. */
	teamUrl: string;
	targets: RedirectTargets;
	/** Every request that reached a target, in order. */
	received: TargetRequest[];
	close(): Promise<void>;
}

/**
 * A Celonis team and its neighbours on loopback, told apart by the Host header (the way a real team and
 * `x.<team host>` share port 443 but not a machine): requests for the team's host and port are proxied to
 * the emulator; every other host (the team's host on a second port, a subdomain, another host) lands on a
 * recorder that answers 200 `{reached: <host>}`. The `*.localhost` names must resolve to 127.0.0.1
 * (test/harness/localhostDns.cjs).
 */
export async function startRedirectLab(emulatorUrl: string): Promise<RedirectLab> {
	const received: TargetRequest[] = [];
	const emulator = new URL(emulatorUrl);
	let teamHost = '';

	const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
		const host = (req.headers.host ?? '').toLowerCase();
		if (host === teamHost) {
			const upstream = http.request(
				{
					hostname: emulator.hostname,
					port: emulator.port,
					method: req.method,
					path: req.url,
					headers: req.headers,
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', () => res.destroy());
			req.pipe(upstream);
			return;
		}
		req.resume();
		req.on('end', () => {
			received.push({
				host,
				method: req.method ?? '',
				path: req.url ?? '',
				authorization: req.headers.authorization,
			});
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ reached: host }));
		});
	};

	const listen = async () => {
		const server = http.createServer(handle);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return { server, port: (server.address() as AddressInfo).port };
	};
	const team = await listen();
	const second = await listen();
	teamHost = `team.localhost:${team.port}`;

	return {
		teamUrl: `http://${teamHost}`,
		targets: {
			sameHostOtherPort: `http://team.localhost:${second.port}`,
			subdomain: `http://x.team.localhost:${team.port}`,
			otherHost: `http://elsewhere.localhost:${team.port}`,
		},
		received,
		close: async () => {
			for (const { server } of [team, second]) {
				server.closeAllConnections();
				await new Promise<void>((resolve) => server.close(() => resolve()));
			}
		},
	};
}
