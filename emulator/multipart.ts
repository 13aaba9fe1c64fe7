/** Streaming multipart parsing with busboy. Files are streamed to disk (never buffered whole in memory). */
import Busboy from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http';

export interface UploadedFile {
	field: string;
	filename: string;
	path: string;
	size: number;
	md5: string;
	head: Buffer;
}
export interface MultipartResult {
	fields: Record<string, string>;
	files: UploadedFile[];
}

export function isMultipart(req: IncomingMessage): boolean {
	return /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

/**
 * Parse a multipart body. File parts are written to `fileDir/<uuid>`; a file larger than `maxFileBytes` aborts with
 * `onTooLarge()` (thrown as HttpError 400 by default).
 */
export function parseMultipart(
	req: IncomingMessage,
	opts: { fileDir?: string; maxFileBytes?: number; tooLargeMessage?: string } = {},
): Promise<MultipartResult> {
	return new Promise((resolve, reject) => {
		let bb: Busboy.Busboy;
		try {
			bb = Busboy({ headers: req.headers, limits: { fieldSize: 1024 * 1024 } });
		} catch (e) {
			reject(new HttpError(400, `Malformed multipart/form-data request: ${(e as Error).message}`));
			return;
		}
		const fields: Record<string, string> = {};
		const files: UploadedFile[] = [];
		const pending: Promise<void>[] = [];
		let failed = false;
		const fail = (err: Error) => {
			if (failed) return;
			failed = true;
			for (const f of files) rmSync(f.path, { force: true });
			req.unpipe(bb);
			req.resume();
			reject(err);
		};
		bb.on('field', (name, value) => {
			fields[name] = value;
		});
		bb.on('file', (field, stream, info) => {
			if (!opts.fileDir) {
				stream.resume();
				return;
			}
			const path = `${opts.fileDir}/${randomUUID()}`;
			const file: UploadedFile = {
				field,
				filename: info.filename ?? field,
				path,
				size: 0,
				md5: '',
				head: Buffer.alloc(0),
			};
			files.push(file);
			const hash = createHash('md5');
			const out = createWriteStream(path);
			pending.push(
				new Promise<void>((res, rej) => {
					out.on('finish', () => res());
					out.on('error', rej);
				}),
			);
			stream.on('data', (chunk: Buffer) => {
				file.size += chunk.length;
				if (file.head.length < 16)
					file.head = Buffer.concat([file.head, chunk.subarray(0, 16 - file.head.length)]);
				if (opts.maxFileBytes !== undefined && file.size > opts.maxFileBytes) {
					stream.destroy();
					out.destroy();
					fail(
						new HttpError(
							400,
							opts.tooLargeMessage ?? `File larger than ${opts.maxFileBytes} bytes`,
						),
					);
					return;
				}
				hash.update(chunk);
			});
			stream.on('end', () => {
				file.md5 = hash.digest('hex');
			});
			stream.pipe(out);
		});
		bb.on('error', (e) =>
			fail(new HttpError(400, `Malformed multipart/form-data request: ${(e as Error).message}`)),
		);
		bb.on('close', () => {
			if (failed) return;
			Promise.all(pending).then(
				() => resolve({ fields, files }),
				(e) => fail(e as Error),
			);
		});
		req.pipe(bb);
	});
}
