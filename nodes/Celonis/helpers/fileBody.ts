/**
 * The bytes of one upload (a data push chunk, a continuous push file), described instead of held: its
 * size is known before it is sent (Content-Length), and `read()` produces the bytes from the start as
 * often as needed — once per attempt, as a retried multipart request is built anew. Whether the bytes
 * are re-serialised from items, sliced from a file read once, or streamed from n8n's binary store is up
 * to the one who makes it; the transport only reads.
 */
export interface FileBody {
	/** Exact size in bytes. */
	readonly size: number;
	/** MIME type of the file part. */
	readonly type: string;
	/** The bytes from the first one, in pieces; every call starts over. */
	read(): AsyncIterable<Uint8Array>;
}

/** A body over bytes already in memory (small files, tests). */
export function bytesBody(bytes: Uint8Array, type = 'application/octet-stream'): FileBody {
	return {
		size: bytes.length,
		type,
		async *read() {
			yield bytes;
		},
	};
}

/** A body over pieces held in memory (a chunk cut from a file read once). */
export function piecesBody(pieces: readonly Uint8Array[], type: string): FileBody {
	let size = 0;
	for (const piece of pieces) size += piece.length;
	return {
		size,
		type,
		async *read() {
			yield* pieces;
		},
	};
}

/**
 * Wraps a body so that a read which does not produce exactly `size` bytes fails instead of sending a
 * request whose Content-Length does not match its content (the source changed between two reads).
 */
export function checkedBody(body: FileBody, what: string): FileBody {
	return {
		size: body.size,
		type: body.type,
		async *read() {
			let produced = 0;
			for await (const piece of body.read()) {
				produced += piece.length;
				if (produced > body.size) break;
				yield piece;
			}
			if (produced !== body.size)
				throw new Error(
					`${what} changed while it was uploaded: ${produced} bytes instead of ${body.size}`,
				);
		},
	};
}
