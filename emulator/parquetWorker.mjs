// Parses one Parquet file in a worker thread (hyparquet is ESM-only; a worker keeps it out of the CJS module graph).
import { parentPort, workerData } from 'node:worker_threads';
import {
	asyncBufferFromFile,
	parquetMetadataAsync,
	parquetReadObjects,
	parquetSchema,
} from 'hyparquet';

try {
	const file = await asyncBufferFromFile(workerData.path);
	const metadata = await parquetMetadataAsync(file);
	const columns = parquetSchema(metadata).children.map((c) => c.element.name);
	const rows = await parquetReadObjects({ file, metadata });
	parentPort.postMessage({ ok: true, columns, rows });
} catch (e) {
	parentPort.postMessage({ ok: false, error: String(e && e.message ? e.message : e) });
}
