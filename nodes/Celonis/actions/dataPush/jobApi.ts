import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type JsonObject,
} from 'n8n-workflow';

import type { CsvChunk } from '../../shared/csv';
import { describeRateLimitReset } from '../../../../shared/rateLimit';
import { pollUntilDone } from '../../shared/waiting';
import { errorMayHaveActed } from '../../shared/items';
import {
	celonisRequest,
	describeErrorBody,
	type CelonisResponse,
	type Reconciled,
} from '../../transport';

/** Data Push API (celonis-api.md §5): `/data-ingestion/api/v1/data-push/{poolId}/jobs`. */
export const jobsPath = (poolId: string) =>
	`/data-ingestion/api/v1/data-push/${encodeURIComponent(poolId)}/jobs`;
export const jobPath = (poolId: string, jobId: string) =>
	`${jobsPath(poolId)}/${encodeURIComponent(jobId)}`;

export type JobType = 'DELTA' | 'REPLACE';
export type ChunkKind = 'deleted' | 'upserted';

export interface DataPushJob extends IDataObject {
	id: string;
	status: string;
	logs?: string[];
}

export interface DataPushChunk extends IDataObject {
	id: string;
	type?: string;
	checksum?: string | null;
}

export interface JobSettings extends IDataObject {
	targetName: string;
	type: JobType;
	dataPoolId: string;
	fileType: 'CSV' | 'PARQUET';
}

export const FINAL_STATUSES = ['CANCELED', 'DONE', 'ERROR'];

export interface CallOptions {
	itemIndex?: number;
	/** Longest time the transport may wait for rate limits and retries of one call. */
	maxWaitMs?: number;
}

const retryOf = (o: CallOptions) => (o.maxWaitMs !== undefined ? { maxWaitMs: o.maxWaitMs } : {});

/**
 * Creates a job exactly once. When the answer is lost (the job may exist), the pool's jobs are compared
 * with those listed before: one new NEW job for this table is ours and is adopted; none means the create
 * never landed and it is sent again; several (another run creating jobs for the same table at the same
 * moment) cannot be told apart, so nothing is resent or adopted and the error names them.
 */
export async function createJob(
	ctx: IExecuteFunctions,
	settings: JobSettings,
	o: CallOptions = {},
): Promise<DataPushJob> {
	// The jobs that were there before: none of them can be the one this call creates.
	const before = new Set((await listJobs(ctx, settings.dataPoolId, o)).map((j) => j.id));
	/** The job a lost attempt created, if it can be told apart; undefined when there is none. */
	const findCreated = async (): Promise<DataPushJob | undefined> => {
		const candidates = (await listJobs(ctx, settings.dataPoolId, o)).filter(
			(j) =>
				!before.has(j.id) &&
				j.status === 'NEW' &&
				j.targetName === settings.targetName &&
				(j.type === undefined || j.type === settings.type),
		);
		if (candidates.length <= 1) return candidates[0];
		throw new NodeOperationError(
			ctx.getNode(),
			`The answer to creating a data push job for table "${settings.targetName}" was lost, and the pool now holds ${candidates.length} new jobs for that table (${candidates.map((j) => j.id).join(', ')}): which one this run created cannot be told`,
			{
				itemIndex: o.itemIndex,
				description:
					'Another run may be pushing into the same table right now. Nothing was uploaded. Check the jobs with "Get Many Jobs", delete the empty NEW ones with "Delete Job", and run the workflow again.',
			},
		);
	};
	let response: CelonisResponse;
	try {
		response = await celonisRequest.call(ctx, {
			method: 'POST',
			path: `${jobsPath(settings.dataPoolId)}/`,
			body: settings,
			responseFormat: 'json',
			itemIndex: o.itemIndex,
			retry: retryOf(o),
			reconcile: async (): Promise<Reconciled> => {
				const created = await findCreated();
				return created ? { status: 200, headers: {}, body: created } : 'resend';
			},
		});
	} catch (error) {
		// The last attempt's answer was lost too: the job it may have made is adopted, never left behind.
		const created = errorMayHaveActed(error) ? await findCreated() : undefined;
		if (!created) throw error;
		response = { status: 200, headers: {}, body: created };
	}
	const job = response.body as DataPushJob;
	if (!job || typeof job.id !== 'string') {
		throw new NodeOperationError(
			ctx.getNode(),
			'Celonis created the data push job but its answer has no job id',
			{ itemIndex: o.itemIndex },
		);
	}
	return job;
}

export async function getJob(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions = {},
): Promise<DataPushJob> {
	const response = await celonisRequest.call(ctx, {
		method: 'GET',
		path: jobPath(poolId, jobId),
		responseFormat: 'json',
		itemIndex: o.itemIndex,
		retry: retryOf(o),
	});
	return response.body as DataPushJob;
}

export async function listJobs(
	ctx: IExecuteFunctions,
	poolId: string,
	o: CallOptions = {},
): Promise<DataPushJob[]> {
	const response = await celonisRequest.call(ctx, {
		method: 'GET',
		path: `${jobsPath(poolId)}/`,
		responseFormat: 'json',
		itemIndex: o.itemIndex,
		retry: retryOf(o),
	});
	return Array.isArray(response.body) ? (response.body as DataPushJob[]) : [];
}

export async function listChunks(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions = {},
): Promise<DataPushChunk[]> {
	const response = await celonisRequest.call(ctx, {
		method: 'GET',
		path: `${jobPath(poolId, jobId)}/chunks`,
		responseFormat: 'json',
		itemIndex: o.itemIndex,
		retry: retryOf(o),
	});
	return Array.isArray(response.body) ? (response.body as DataPushChunk[]) : [];
}

export async function deleteJob(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions = {},
): Promise<void> {
	await celonisRequest.call(ctx, {
		method: 'DELETE',
		path: jobPath(poolId, jobId),
		responseFormat: 'text',
		itemIndex: o.itemIndex,
		retry: retryOf(o),
	});
}

function checksumMatches(checksum: unknown, md5Hex: string): boolean {
	if (typeof checksum !== 'string' || checksum === '') return false;
	const c = checksum.trim();
	return c.toLowerCase() === md5Hex || c === Buffer.from(md5Hex, 'hex').toString('base64');
}

export interface ChunkFile {
	blob: Blob;
	fileName: string;
	/** MD5 (hex) of the file, to look it up in the job's chunk list when an upload's answer was lost. */
	md5?: string;
	/**
	 * How many chunks with this checksum the job held before this upload. A lost answer means "landed" only
	 * when there is one more now, so identical chunks are never mistaken for each other. Unknown = listed first.
	 */
	sameChecksumBefore?: number;
}

/**
 * Uploads one chunk (multipart, part `file`) exactly once: the transport keeps the token fresh and builds
 * the body anew for every attempt; when an answer is lost (5xx, broken connection) the job's chunk list
 * says whether the chunk landed (by checksum) before it is sent again.
 */
export async function uploadChunk(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	kind: ChunkKind,
	file: ChunkFile,
	o: CallOptions = {},
): Promise<IDataObject> {
	const md5 = file.md5;
	const countSame = async () =>
		(await listChunks(ctx, poolId, jobId, o)).filter((c) => checksumMatches(c.checksum, md5 ?? ''))
			.length;
	const before = md5 === undefined ? 0 : (file.sameChecksumBefore ?? (await countSame()));
	const response = await celonisRequest.call(ctx, {
		method: 'POST',
		path: `${jobPath(poolId, jobId)}/chunks/${kind}`,
		makeBody: () => {
			const form = new FormData();
			form.append('file', file.blob, file.fileName);
			return form;
		},
		responseFormat: 'json',
		itemIndex: o.itemIndex,
		retry: retryOf(o),
		...(md5
			? {
					reconcile: async (): Promise<Reconciled> => {
						const same = (await listChunks(ctx, poolId, jobId, o)).filter((c) =>
							checksumMatches(c.checksum, md5),
						);
						return same.length > before
							? { status: 200, headers: {}, body: same[same.length - 1] }
							: 'resend';
					},
				}
			: {}),
	});
	return (response.body && typeof response.body === 'object' ? response.body : {}) as IDataObject;
}

/**
 * Submits (executes) a job. Rate limits are waited for up to the transport's maximum wait; when Celonis'
 * submission budget is used up for longer (250 per team per UTC hour), fails saying when it resets.
 * A lost answer is reconciled by looking at the job's status.
 */
export async function executeJob(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions & { qs?: IDataObject } = {},
): Promise<void> {
	const response = await celonisRequest.call(ctx, {
		method: 'POST',
		path: jobPath(poolId, jobId),
		qs: o.qs,
		responseFormat: 'text',
		itemIndex: o.itemIndex,
		retry: retryOf(o),
		neverError: true,
		reconcile: async () => {
			const job = await getJob(ctx, poolId, jobId, o);
			return job.status !== 'NEW' ? { status: 200, headers: {}, body: '' } : 'resend';
		},
	});
	if (response.status < 400) return;
	const said = describeErrorBody(response.body);
	const node = ctx.getNode();
	const payload: JsonObject = {
		message: said ?? `HTTP ${response.status}`,
		httpCode: String(response.status),
	};
	if (response.status === 429) {
		const reset = describeRateLimitReset(response.headers);
		const limit = response.headers['x-ratelimit-limit'];
		const hourly = !reset || reset.seconds > 60;
		throw new NodeApiError(node, payload, {
			httpCode: '429',
			itemIndex: o.itemIndex,
			message: hourly
				? `Celonis' data push submission budget is used up${limit ? ` (${limit} jobs per hour for the team)` : ''}${reset ? `; it resets at ${reset.at} (in ${reset.inText})` : ''}`
				: `Celonis rate-limited the submission of data push job ${jobId}${reset ? `; the limit resets at ${reset.at} (in ${reset.inText})` : ''}`,
			description:
				`Celonis allows 10 job submissions per second and 250 per hour per team (the hour starts at the full UTC hour). ` +
				`Run the workflow again after the reset, or raise the option "Max Rate-Limit Wait" to have the node wait for it.${said ? ` Celonis said: ${said}.` : ''}`,
		});
	}
	throw new NodeApiError(node, payload, {
		httpCode: String(response.status),
		itemIndex: o.itemIndex,
		message:
			response.status === 409
				? `Celonis refused to execute data push job ${jobId} (HTTP 409): it is no longer NEW`
				: `Celonis refused to execute data push job ${jobId} (HTTP ${response.status})${said ? `: ${said}` : ''}`,
		description:
			response.status === 409
				? `Only a NEW job can be executed, once. Create a new job.${said ? ` Celonis said: ${said}.` : ''}`
				: `Check the pool and job id.${said ? ` Celonis said: ${said}.` : ''}`,
	});
}

/** Polls a job until DONE, ERROR or CANCELED, with backoff; fails after `timeoutMs`. */
export async function waitForJob(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	timeoutMs: number,
	o: CallOptions = {},
): Promise<DataPushJob> {
	return await pollUntilDone(
		ctx,
		{
			what: `Data push job ${jobId}`,
			timeoutMs,
			itemIndex: o.itemIndex,
			onTimeout:
				'Celonis keeps loading it. Raise the option "Wait Timeout", or check the job later with the operation "Get Job".',
		},
		async () => {
			const job = await getJob(ctx, poolId, jobId, o);
			return FINAL_STATUSES.includes(job.status)
				? { done: true, value: job }
				: { done: false, state: job.status };
		},
	);
}

/**
 * Uploads chunks with at most `concurrency` in flight. `add` waits while the limit is reached, so the
 * producer never holds more than `concurrency` + 1 chunks in memory; the first failure stops the rest.
 */
export class ChunkUploader {
	private readonly inFlight = new Set<Promise<void>>();
	private failure: { error: unknown } | undefined;
	/** This job is ours and fresh: how many chunks of each checksum landed, and the upload of each in flight. */
	private readonly landedByChecksum = new Map<string, number>();
	private readonly uploadingByChecksum = new Map<string, Promise<void>>();
	chunks = 0;
	bytes = 0;
	rows = 0;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly poolId: string,
		private readonly jobId: string,
		private readonly kind: ChunkKind,
		private readonly concurrency: number,
		private readonly o: CallOptions,
	) {}

	get busy(): boolean {
		return this.inFlight.size > 0;
	}

	async add(chunk: CsvChunk): Promise<void> {
		const fileName = `chunk-${String(chunk.index + 1).padStart(5, '0')}.csv`;
		await this.addFile({ blob: chunk.blob, fileName, md5: chunk.md5 }, chunk.bytes, chunk.rows);
	}

	async addFile(file: ChunkFile, bytes: number, rows = 0): Promise<void> {
		this.throwIfFailed();
		while (this.inFlight.size >= this.concurrency) {
			await Promise.race(this.inFlight);
			this.throwIfFailed();
		}
		// Identical chunks go one after the other, so the count before each upload is known exactly.
		const md5 = file.md5;
		const previous = md5 !== undefined ? this.uploadingByChecksum.get(md5) : undefined;
		const task: Promise<void> = (async () => {
			await previous;
			const before = md5 !== undefined ? (this.landedByChecksum.get(md5) ?? 0) : undefined;
			await uploadChunk(
				this.ctx,
				this.poolId,
				this.jobId,
				this.kind,
				{ ...file, sameChecksumBefore: before },
				this.o,
			);
			if (md5 !== undefined) this.landedByChecksum.set(md5, (before ?? 0) + 1);
		})().then(
			() => {
				this.chunks++;
				this.bytes += bytes;
				this.rows += rows;
			},
			(error: unknown) => {
				this.failure ??= { error };
			},
		);
		if (md5 !== undefined) this.uploadingByChecksum.set(md5, task);
		const tracked = task.finally(() => this.inFlight.delete(tracked));
		this.inFlight.add(tracked);
	}

	async drain(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.race(this.inFlight);
		this.throwIfFailed();
	}

	private throwIfFailed(): void {
		if (this.failure) throw this.failure.error;
	}
}
