import type { FileBody } from '../helpers/fileBody';

/**
 * A multipart/form-data body with one file part whose bytes are read while the request is sent.
 *
 * n8n's HTTP client (axios, under httpRequestWithAuthentication) sends any spec-compliant FormData — an
 * object with `append`, `entries` and the FormData tag — as a stream: it frames each part itself, reads a
 * file part through its `stream()`, and sets Content-Length from the parts' `size`. A global FormData
 * would need a Blob, i.e. every byte of the chunk copied into memory first; this form hands axios the
 * FileBody instead, so a chunk of any size costs only the pieces in flight. Build one per attempt: the
 * body is read again each time.
 */
export function fileFormData(field: string, fileName: string, body: FileBody): FormData {
	const file: FilePart = {
		name: fileName,
		type: body.type,
		size: body.size,
		stream: () => body.read(),
		[Symbol.toStringTag]: 'File',
	};
	return new StreamedForm([[field, file]]) as unknown as FormData;
}

interface FilePart {
	name: string;
	type: string;
	size: number;
	stream: () => AsyncIterable<Uint8Array>;
	[Symbol.toStringTag]: 'File';
}

/** A class, not a plain object: axios takes a plain object tagged FormData for a forgery and sends it as JSON. */
class StreamedForm {
	readonly [Symbol.toStringTag] = 'FormData';

	constructor(private readonly parts: Array<[string, FilePart]>) {}

	append(): never {
		throw new Error('This form is built complete and cannot be appended to');
	}

	*entries(): IterableIterator<[string, FilePart]> {
		yield* this.parts;
	}

	[Symbol.iterator](): IterableIterator<[string, FilePart]> {
		return this.entries();
	}
}

/** Whether a body is a FormData, the global one or one of fileFormData's. */
export function isFormData(body: unknown): boolean {
	return (
		body !== null &&
		typeof body === 'object' &&
		(body as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData'
	);
}
