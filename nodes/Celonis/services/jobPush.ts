import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type NodeApiError,
} from 'n8n-workflow';

import type { CsvChunk } from '../helpers/csvWriter';
import { itemIndexOf, toNodeError } from '../helpers/nodeErrors';
import { concurrencyOf, type PushOptions } from '../helpers/pushParameters';
import {
	createJob,
	deleteJob,
	executeJob,
	waitForJob,
	type CallOptions,
	type ChunkKind,
	type JobSettings,
} from '../transport/api/dataPush';
import { retryPolicyOf } from '../transport/retry';
import { ChunkUploader } from './chunkUploader';

export type ChunkSink = (chunk: CsvChunk) => Promise<void>;

/** The one item a push returns. */
export interface PushSummary extends IDataObject {
	jobId: string | null;
	poolId: string;
	table: string;
	mode: string;
	rows: number | null;
	chunks: number;
	bytes: number;
	status: string;
	durationMs: number;
	logs: string[];
}

/** The summary of a push that had no rows: no job was created. */
export function noRowsSummary(
	target: { poolId: string; table: string; mode: string },
	started: number,
	why: string,
): PushSummary {
	return {
		jobId: null,
		poolId: target.poolId,
		table: target.table,
		mode: target.mode,
		rows: 0,
		chunks: 0,
		bytes: 0,
		status: 'NO_ROWS',
		durationMs: Date.now() - started,
		logs: [why],
	};
}

/**
 * The whole life of a data push job, as pycelonis does it: create → upload chunks (bounded parallelism) →
 * execute → poll with backoff until DONE or ERROR. An ERROR fails with the job's logs; a failure deletes the
 * job unless "Keep Failed Job" is set — but never a submitted job whose outcome is unknown (it may still land).
 */
export async function runJobPush(
	ctx: IExecuteFunctions,
	settings: JobSettings,
	kind: ChunkKind,
	options: PushOptions,
	produce: (sink: ChunkSink, uploader: ChunkUploader) => Promise<void>,
): Promise<PushSummary> {
	const started = Date.now();
	const call: CallOptions = { retry: retryPolicyOf(options) };
	const concurrency = concurrencyOf(options);
	const poolId = settings.dataPoolId;
	let created: CreatedJob | undefined;
	try {
		const job = await createJob(ctx, settings, call);
		created = { poolId, jobId: job.id };
		const uploader = new ChunkUploader(ctx, poolId, job.id, kind, concurrency, call);
		await produce(async (chunk) => await uploader.add(chunk), uploader);
		await uploader.drain();
		await executeJob(ctx, poolId, job.id, call);
		created.submitted = true;
		const summary: PushSummary = {
			jobId: job.id,
			poolId,
			table: settings.targetName,
			mode: settings.type,
			rows: uploader.rows,
			chunks: uploader.chunks,
			bytes: uploader.bytes,
			status: 'QUEUED',
			durationMs: 0,
			logs: [],
		};
		if (options.waitForCompletion !== false) {
			const final = await waitForJob(
				ctx,
				poolId,
				job.id,
				Math.max(1, options.waitTimeout ?? 3600) * 1000,
				call,
			);
			summary.status = final.status;
			summary.logs = Array.isArray(final.logs) ? final.logs.map(String) : [];
			// Finished: a job that ended in ERROR is cleaned up like any failed one.
			created.submitted = false;
			if (final.status !== 'DONE') {
				throw new NodeOperationError(
					ctx.getNode(),
					`Celonis could not load the pushed data into table "${settings.targetName}": job ${job.id} ended with status ${final.status}`,
					{
						description:
							summary.logs.length > 0
								? `The job's log: ${summary.logs.join(' | ')}`
								: 'The job has no log entries.',
					},
				);
			}
		}
		summary.durationMs = Date.now() - started;
		return summary;
	} catch (error) {
		throw await cleanUpFailedJob(ctx, error, created, options.keepFailedJob === true, call);
	}
}

interface CreatedJob {
	poolId: string;
	jobId: string;
	submitted?: boolean;
}

/** Deletes the job of a failed push (unless kept) and says so in the error; never hides the original error. */
async function cleanUpFailedJob(
	ctx: IExecuteFunctions,
	error: unknown,
	job: CreatedJob | undefined,
	keep: boolean,
	call: CallOptions,
): Promise<NodeOperationError | NodeApiError> {
	const nodeError = toNodeError(ctx.getNode(), error, itemIndexOf(error));
	if (!job) return nodeError;
	let note: string;
	if (job.submitted) {
		// Submitted and not known to have failed (a wait timed out, was cancelled or a status poll failed):
		// Celonis may still load it, so deleting it could throw away data that is about to land.
		note = `Job ${job.jobId} had been submitted and was not deleted: Celonis may still be loading it. Check it with the operation "Get Job".`;
	} else if (keep) {
		note = `The failed job ${job.jobId} was kept ("Keep Failed Job"); inspect it with the operation "Get Job" and delete it with "Delete Job".`;
	} else {
		try {
			const maxWaitMs = Math.min(call.retry?.maxWaitMs ?? 30_000, 30_000);
			await deleteJob(ctx, job.poolId, job.jobId, { retry: { ...call.retry, maxWaitMs } });
			note = `The failed job ${job.jobId} was deleted; set "Keep Failed Job" to keep it for inspection.`;
		} catch {
			note = `The failed job ${job.jobId} could not be deleted; delete it with the operation "Delete Job".`;
		}
	}
	nodeError.description = [nodeError.description, note].filter(Boolean).join(' ');
	return nodeError;
}
