import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { FileBody } from '../../helpers/fileBody';
import { errorMayHaveActed, toNodeError } from '../../helpers/nodeErrors';
import { pollUntilDone } from '../../helpers/waiting';
import { fileFormData } from '../multipart';
import { celonisRequest, type Reconciled } from '../request';
import type { CelonisResponse } from '../responses';
import type { RetryPolicy } from '../retry';

/**
 * The Data Push API (docs/celonis-api.md, "Data Push API"): jobs of a data pool, their chunks, their
 * execution. Writes are made exactly once: a lost answer is looked up (the job list, the job's chunk list,
 * its status) before anything is sent again.
 */
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
	retry?: Partial<RetryPolicy>;
}

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
			retry: o.retry,
			reconcile: async (): Promise<Reconciled> => {
				const created = await findCreated();
				return created ? { status: 200, headers: {}, body: created } : 'resend';
			},
		});
	} catch (error) {
		// The last attempt's answer was lost too: the job it may have made is adopted, never left behind.
		const created = errorMayHaveActed(error) ? await findCreated() : undefined;
		if (!created) throw toNodeError(ctx.getNode(), error);
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

async function getJson<T>(ctx: IExecuteFunctions, path: string, o: CallOptions): Promise<T> {
	const response = await celonisRequest.call(ctx, {
		method: 'GET',
		path,
		responseFormat: 'json',
		itemIndex: o.itemIndex,
		retry: o.retry,
	});
	return response.body as T;
}

export async function getJob(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions = {},
): Promise<DataPushJob> {
	return await getJson<DataPushJob>(ctx, jobPath(poolId, jobId), o);
}

export async function listJobs(
	ctx: IExecuteFunctions,
	poolId: string,
	o: CallOptions = {},
): Promise<DataPushJob[]> {
	const jobs = await getJson<unknown>(ctx, `${jobsPath(poolId)}/`, o);
	return Array.isArray(jobs) ? (jobs as DataPushJob[]) : [];
}

export async function listChunks(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions = {},
): Promise<DataPushChunk[]> {
	const chunks = await getJson<unknown>(ctx, `${jobPath(poolId, jobId)}/chunks`, o);
	return Array.isArray(chunks) ? (chunks as DataPushChunk[]) : [];
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
		retry: o.retry,
	});
}

function checksumMatches(checksum: unknown, md5Hex: string): boolean {
	if (typeof checksum !== 'string' || checksum === '') return false;
	const c = checksum.trim();
	return c.toLowerCase() === md5Hex || c === Buffer.from(md5Hex, 'hex').toString('base64');
}

export interface ChunkFile {
	body: FileBody;
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
 * Uploads one chunk (multipart, part `file`, read from its body while it is sent) exactly once: the
 * transport keeps the token fresh and builds the body anew for every attempt; when an answer is lost (5xx, broken connection) the job's chunk list
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
	const sameChecksum = async () =>
		(await listChunks(ctx, poolId, jobId, o)).filter((c) => checksumMatches(c.checksum, md5 ?? ''));
	const before = md5 === undefined ? 0 : (file.sameChecksumBefore ?? (await sameChecksum()).length);
	const response = await celonisRequest.call(ctx, {
		method: 'POST',
		path: `${jobPath(poolId, jobId)}/chunks/${kind}`,
		makeBody: () => fileFormData('file', file.fileName, file.body),
		responseFormat: 'json',
		itemIndex: o.itemIndex,
		retry: o.retry,
		...(md5
			? {
					reconcile: async (): Promise<Reconciled> => {
						const same = await sameChecksum();
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
 * Submits (executes) a job. Rate limits are waited for up to the call's maximum wait; when Celonis'
 * submission budget is used up for longer (250 per team per UTC hour), the error says when it resets (see
 * transport/errors). A lost answer is reconciled by looking at the job's status.
 */
export async function executeJob(
	ctx: IExecuteFunctions,
	poolId: string,
	jobId: string,
	o: CallOptions & { qs?: IDataObject } = {},
): Promise<void> {
	await celonisRequest.call(ctx, {
		method: 'POST',
		path: jobPath(poolId, jobId),
		qs: o.qs,
		responseFormat: 'text',
		itemIndex: o.itemIndex,
		retry: o.retry,
		reconcile: async () => {
			const job = await getJob(ctx, poolId, jobId, o);
			return job.status !== 'NEW' ? { status: 200, headers: {}, body: '' } : 'resend';
		},
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
