import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { CsvChunk } from '../../shared/csv';
import {
	callOptionsOf,
	cleanUpFailedJob,
	concurrencyOf,
	type PushOptions,
	type PushSummary,
} from './common';
import {
	ChunkUploader,
	createJob,
	executeJob,
	waitForJob,
	type ChunkKind,
	type JobSettings,
} from './jobApi';

export type ChunkSink = (chunk: CsvChunk) => Promise<void>;

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
	const call = callOptionsOf(options);
	const concurrency = concurrencyOf(options);
	const poolId = settings.dataPoolId;
	let created: { poolId: string; jobId: string; submitted?: boolean } | undefined;
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
