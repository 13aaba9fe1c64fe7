/** Executes data-push jobs: NEW → QUEUED → RUNNING → DONE | ERROR, applying chunks to the in-memory tables. */
import { rmSync } from 'node:fs';
import {
	ChunkError,
	forEachCsvRow,
	readCsv,
	readParquet,
	type ChunkData,
	type CsvOptions,
} from './chunkReader';
import type { PushJob, Store } from './store';
import {
	coerce,
	datePatternParser,
	DEFAULT_VARCHAR_LENGTH,
	inferTypeFromStrings,
	inferTypeFromValue,
	type Column,
	type Row,
	type Table,
} from './tables';

export function startExecution(store: Store, job: PushJob): void {
	job.status = 'QUEUED';
	job.lastModified = Date.now();
	const { queuedMs, runningMs } = store.config.jobDelays;
	store.schedule(() => {
		if (job.status !== 'QUEUED') return;
		job.status = 'RUNNING';
		job.lastModified = Date.now();
		const started = Date.now();
		void runJob(store, job).then(
			() => finish(),
			(e: unknown) => finish(e instanceof Error ? e.message : String(e)),
		);
		function finish(error?: string): void {
			store.schedule(
				() => {
					if (!store.pushJobs.has(job.id)) return;
					if (error) job.logs.push(error);
					job.status = error ? 'ERROR' : 'DONE';
					job.lastModified = Date.now();
				},
				Math.max(0, runningMs - (Date.now() - started)),
			);
		}
	}, queuedMs);
}

export async function readChunk(
	path: string,
	fileType: 'CSV' | 'PARQUET',
	csv: CsvOptions | null,
): Promise<ChunkData> {
	return fileType === 'PARQUET' ? readParquet(path) : readCsv(path, csv ?? {});
}

interface Prepared {
	type: 'UPSERT' | 'DELETE';
	columns: Column[];
	rows: Row[];
}

function resolveColumns(
	job: PushJob,
	data: ChunkData,
	table: Table | undefined,
	csv: CsvOptions | null,
): Column[] {
	const fallback = job.fallbackVarcharLength ?? DEFAULT_VARCHAR_LENGTH;
	return data.columns.map((name) => {
		const schemaCol = job.tableSchema?.columns.find((c) => c.columnName === name);
		if (schemaCol)
			return {
				name,
				type: schemaCol.columnType,
				fieldLength: schemaCol.columnType === 'STRING' ? (schemaCol.fieldLength ?? fallback) : null,
			};
		const existing = table?.column(name);
		if (existing && job.type === 'DELTA') return { ...existing };
		let type: Column['type'];
		if (data.source === 'CSV') {
			type = inferTypeFromStrings(
				data.rows.map((r) => r[name] as string | null),
				csv?.decimalSeparator ?? '.',
				csv?.thousandSeparator,
			);
		} else {
			type = 'STRING';
			for (const r of data.rows) {
				const t = inferTypeFromValue(r[name]);
				if (t) {
					type = t;
					if (t !== 'INTEGER') break;
				}
			}
		}
		return { name, type, fieldLength: type === 'STRING' ? fallback : null };
	});
}

function keyOf(row: Row, keys: string[]): string {
	return JSON.stringify(keys.map((k) => row[k] ?? null));
}

export async function runJob(store: Store, job: PushJob): Promise<void> {
	if (job.type === 'DELTA' && job.keys.length === 0)
		throw new Error(`Job of type DELTA requires 'keys' (primary key columns) but none were given`);
	if (!store.config.dataPush.keepRows) return await countJob(store, job);
	const csv = (job.csvParsingOptions ?? null) as CsvOptions | null;
	const existing = store.tables.get(job.dataPoolId, job.targetName, job.connectionId);
	const prepared: Prepared[] = [];
	const dateParser = csv?.dateFormat ? datePatternParser(csv.dateFormat) : undefined;
	for (const chunk of job.chunks) {
		let data: ChunkData;
		try {
			data = await readChunk(chunk.file, chunk.fileType, csv);
		} catch (e) {
			throw new Error(`Chunk ${chunk.id}: ${(e as Error).message}`);
		}
		for (const k of job.keys)
			if (!data.columns.includes(k))
				throw new Error(
					`Chunk ${chunk.id}: key column '${k}' not found (columns: ${data.columns.join(', ')})`,
				);
		if (chunk.type === 'DELETE' && job.keys.length === 0)
			throw new Error(`Chunk ${chunk.id}: a deleted chunk needs 'keys' on the job`);
		const columns = resolveColumns(job, data, existing, csv);
		const rows: Row[] = [];
		for (const raw of data.rows) {
			const row: Row = {};
			for (const col of columns) {
				const c = coerce(raw[col.name], col, {
					decimalSeparator: csv?.decimalSeparator,
					thousandSeparator: csv?.thousandSeparator,
					dateParser,
				});
				if ('error' in c) throw new Error(`Chunk ${chunk.id}: ${c.error}`);
				row[col.name] = c.value;
			}
			rows.push(row);
		}
		prepared.push({ type: chunk.type, columns, rows });
	}
	// all chunks valid → apply atomically
	const table = store.tables.ensure(job.dataPoolId, job.targetName, job.connectionId);
	if (job.type === 'REPLACE') {
		table.columns = [];
		table.rows = [];
		table.rowsNotKept = 0;
	}
	for (const p of prepared) table.mergeColumns(p.columns);
	const keys = job.keys;
	const index = new Map<string, number>();
	if (keys.length) table.rows.forEach((r, i) => index.set(keyOf(r, keys), i));
	const nullify = job.upsertStrategy === 'UPSERT_WITH_NULLIFICATION';
	for (const p of prepared) {
		if (p.type === 'UPSERT') {
			for (const row of p.rows) {
				const full: Row = {};
				if (keys.length) {
					const k = keyOf(row, keys);
					const at = index.get(k);
					if (at !== undefined) {
						const old = table.rows[at] as Row;
						table.rows[at] = nullify ? fill(row, table.columns) : { ...old, ...row };
						continue;
					}
					index.set(k, table.rows.length);
				}
				Object.assign(full, fill(row, table.columns));
				table.rows.push(full);
			}
		} else {
			const del = new Set(p.rows.map((r) => keyOf(r, keys)));
			table.rows = table.rows.filter((r) => !del.has(keyOf(r, keys)));
			index.clear();
			table.rows.forEach((r, i) => index.set(keyOf(r, keys), i));
		}
	}
	for (let i = 0; i < table.rows.length; i++)
		table.rows[i] = fill(table.rows[i] as Row, table.columns);
}

/**
 * A REPLACE job whose rows are counted, not kept (config dataPush.keepRows false): every chunk is parsed (a record
 * of another length than the header fails it, as when rows are kept) and its values of typed columns (tableSchema)
 * are coerced, an empty field as null; the table then reports the count. Columns without a type in the job are not
 * inferred.
 */
async function countJob(store: Store, job: PushJob): Promise<void> {
	if (job.type !== 'REPLACE')
		throw new Error(
			'This emulator keeps no rows (dataPush.keepRows is false): only REPLACE jobs can run',
		);
	const csv = (job.csvParsingOptions ?? null) as CsvOptions | null;
	const dateParser = csv?.dateFormat ? datePatternParser(csv.dateFormat) : undefined;
	const fallback = job.fallbackVarcharLength ?? DEFAULT_VARCHAR_LENGTH;
	let count = 0;
	let columns: Column[] = [];
	for (const chunk of job.chunks) {
		if (chunk.type === 'DELETE') throw new Error(`Chunk ${chunk.id}: delete chunks need kept rows`);
		const typed: Column[] = (job.tableSchema?.columns ?? []).map((c) => ({
			name: c.columnName,
			type: c.columnType,
			fieldLength: c.columnType === 'STRING' ? (c.fieldLength ?? fallback) : null,
		}));
		const onRow = (row: Record<string, unknown>) => {
			for (const col of typed) {
				// Parsed without telling an unquoted empty field (null) from "" (too slow for gigabytes): empty is null.
				const value = row[col.name] === '' ? null : row[col.name];
				const c = coerce(value, col, {
					decimalSeparator: csv?.decimalSeparator,
					thousandSeparator: csv?.thousandSeparator,
					dateParser,
				});
				if ('error' in c) throw new ChunkError(c.error);
			}
			count++;
		};
		try {
			const names =
				chunk.fileType === 'PARQUET'
					? await readParquet(chunk.file).then((data) => {
							data.rows.forEach(onRow);
							return data.columns;
						})
					: await forEachCsvRow(chunk.file, csv ?? {}, onRow, false);
			if (columns.length === 0)
				columns = names.map(
					(name) =>
						typed.find((c) => c.name === name) ?? { name, type: 'STRING', fieldLength: fallback },
				);
		} catch (e) {
			throw new Error(`Chunk ${chunk.id}: ${(e as Error).message}`);
		}
	}
	const table = store.tables.ensure(job.dataPoolId, job.targetName, job.connectionId);
	table.columns = columns;
	table.rows = [];
	table.rowsNotKept = count;
}

function fill(row: Row, columns: Column[]): Row {
	const out: Row = {};
	for (const c of columns) out[c.name] = row[c.name] ?? null;
	return out;
}

export function deleteJobFiles(job: PushJob): void {
	for (const c of job.chunks) rmSync(c.file, { force: true });
}

export { ChunkError };
