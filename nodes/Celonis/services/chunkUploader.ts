import type { IExecuteFunctions } from 'n8n-workflow';

import type { CsvChunk } from '../helpers/csvWriter';
import {
	uploadChunk,
	type CallOptions,
	type ChunkFile,
	type ChunkKind,
} from '../transport/api/dataPush';

/**
 * Uploads chunks with at most `concurrency` in flight; the first failure stops the rest. `add` waits while
 * the limit is reached; a producer that holds a chunk's bytes in memory while it builds the next one waits
 * for `ready()` first, so it never holds more than `concurrency` chunks.
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

	/** Resolves once another upload can start (and throws the first failure, if any). */
	async ready(): Promise<void> {
		this.throwIfFailed();
		while (this.inFlight.size >= this.concurrency) {
			await Promise.race(this.inFlight);
			this.throwIfFailed();
		}
	}

	async add(chunk: CsvChunk, fileName?: string): Promise<void> {
		await this.addFile(
			{
				body: chunk.body,
				fileName: fileName ?? `chunk-${String(chunk.index + 1).padStart(5, '0')}.csv`,
				md5: chunk.md5,
			},
			chunk.bytes,
			chunk.rows,
		);
	}

	async addFile(file: ChunkFile, bytes: number, rows = 0): Promise<void> {
		await this.ready();
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
