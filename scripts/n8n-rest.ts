/**
 * The n8n editor's REST API as the owner uses it: sign in, publish (activate) and unpublish workflows, read
 * executions. n8n 2.41 publishes through an outbox: a workflow's triggers and webhooks go live (or are
 * removed) a moment after the call returns, so activate/deactivate wait for the publication status.
 */
import { LOCAL_OWNER, type OwnerLogin } from './n8n-fixtures';

export interface PublicationStatus {
	status: string;
	liveVersionId: string | null;
	triggers: Array<{
		nodeId: string;
		nodeName?: string;
		status: string;
		errorMessage: string | null;
	}>;
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	workflowId: string;
}

export class PublicationError extends Error {
	constructor(
		message: string,
		readonly status: PublicationStatus,
	) {
		super(message);
	}
}

export interface N8nRest {
	call<T>(method: string, route: string, body?: unknown): Promise<T>;
	activate(workflowId: string, timeoutMs?: number): Promise<void>;
	deactivate(workflowId: string, timeoutMs?: number): Promise<void>;
	publicationStatus(workflowId: string): Promise<PublicationStatus>;
	/** The executions of a workflow, newest first (at most `limit`, which n8n caps at 100). */
	executions(workflowId: string, limit?: number): Promise<ExecutionSummary[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function n8nRest(baseUrl: string, owner: OwnerLogin = LOCAL_OWNER): N8nRest {
	let cookie: string | undefined;
	const login = async () => {
		const res = await fetch(`${baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
		});
		if (!res.ok) throw new Error(`signing in as ${owner.email} failed: HTTP ${res.status}`);
		const set = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (!set) throw new Error('signing in returned no n8n-auth cookie');
		cookie = set.split(';')[0];
	};
	const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
		if (!cookie) await login();
		const res = await fetch(`${baseUrl}/rest${route}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: cookie as string },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok)
			throw new Error(`${method} /rest${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return (parsed.data ?? parsed) as T;
	};
	const publicationStatus = async (workflowId: string) =>
		await call<PublicationStatus>('GET', `/workflows/${workflowId}/publication-status`);
	const waitFor = async (
		workflowId: string,
		done: (status: PublicationStatus) => boolean,
		timeoutMs: number,
	) => {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const status = await publicationStatus(workflowId);
			if (done(status)) return;
			if (status.status === 'failed' || status.status === 'partial') {
				const errors = status.triggers.map((t) => t.errorMessage).filter(Boolean);
				throw new PublicationError(
					`workflow ${workflowId} could not be published: ${errors.join('; ')}`,
					status,
				);
			}
			if (Date.now() > deadline)
				throw new Error(`workflow ${workflowId}: ${JSON.stringify(status)} after ${timeoutMs} ms`);
			await sleep(200);
		}
	};
	return {
		call,
		publicationStatus,
		async activate(workflowId, timeoutMs = 90_000) {
			const { versionId } = await call<{ versionId: string }>('GET', `/workflows/${workflowId}`);
			await call('POST', `/workflows/${workflowId}/activate`, { versionId });
			await waitFor(
				workflowId,
				(s) => s.status === 'published' && s.liveVersionId === versionId,
				timeoutMs,
			);
		},
		async deactivate(workflowId, timeoutMs = 60_000) {
			await call('POST', `/workflows/${workflowId}/deactivate`, {});
			await waitFor(workflowId, (s) => s.status === 'not_published', timeoutMs);
		},
		async executions(workflowId, limit = 100) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const page = await call<{ results: ExecutionSummary[] }>(
				'GET',
				`/executions?filter=${filter}&limit=${limit}`,
			);
			return page.results;
		},
	};
}
