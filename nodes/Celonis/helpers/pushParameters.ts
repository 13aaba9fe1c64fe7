import type { IExecuteFunctions } from 'n8n-workflow';

import type { ColumnOverride } from './columns';
import { ParameterError } from './nodeErrors';
import { resourceIdOf, splitNames } from './parameters';

/** The Options collection of the data push operations (see pushOptions in common.descriptions). */
export interface PushOptions {
	chunkSizeMb?: number;
	connectionId?: string;
	inferDates?: boolean;
	keepFailedJob?: boolean;
	maxRetries?: number;
	/** Max Total Wait in these operations (0.1.0's name, kept for saved workflows; see retryOptionProperties) */
	maxRateLimitWait?: number;
	nestedValues?: 'error' | 'jsonText';
	uploadConcurrency?: number;
	upsertStrategy?: string;
	waitForCompletion?: boolean;
	waitTimeout?: number;
	fallbackVarcharLength?: number;
}

const MB = 1024 * 1024;
/** Celonis refuses chunks of 1 GB or more. */
export const MAX_CHUNK_BYTES = 1024 * MB - 1;

/** Chunk size in bytes from the option in MB; refuses sizes Celonis would refuse. */
export function chunkBytesOf(options: PushOptions): number {
	const mb = options.chunkSizeMb ?? 50;
	if (typeof mb !== 'number' || !Number.isFinite(mb) || mb < 0.001 || mb * MB > MAX_CHUNK_BYTES) {
		throw new ParameterError(
			`"Chunk Size (MB)" must be between 0.001 (1 KB) and 1023 (Celonis refuses chunks of 1 GB or more); it is ${String(mb)}.`,
		);
	}
	return Math.floor(mb * MB);
}

export function concurrencyOf(options: PushOptions): number {
	const n = Math.floor(options.uploadConcurrency ?? 2);
	if (!Number.isFinite(n) || n < 1 || n > 8)
		throw new ParameterError(
			`"Upload Concurrency" must be between 1 and 8; it is ${String(options.uploadConcurrency)}.`,
		);
	return n;
}

const TABLE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Celonis tables are Vertica tables: a letter or _ first, then letters, digits, _ or $, at most 128 characters. */
export function validateTableName(raw: unknown): string {
	const name = typeof raw === 'string' ? raw.trim() : '';
	if (name === '')
		throw new ParameterError('Enter a "Table Name": the table in the data pool to push into.');
	if (name.length > 128 || !TABLE_NAME_RE.test(name)) {
		throw new ParameterError(
			`"${name.slice(0, 140)}" is not a valid Celonis table name: use a letter or _ first, then letters, digits, _ or $ (at most 128 characters), e.g. SALES_ORDERS.`,
		);
	}
	return name;
}

export function poolIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return resourceIdOf(
		ctx.getNodeParameter('dataPool', itemIndex, '', { extractValue: true }),
		'Data Pool',
		'data pool',
	);
}

/** Where a push goes: the pool, the table, Replace or Delta, and the key columns a Delta push needs. */
export interface PushTarget {
	poolId: string;
	table: string;
	mode: 'DELTA' | 'REPLACE';
	keys: string[];
}

/**
 * Reads the push target of item `itemIndex`. `mode` overrides the Mode parameter (Delete Rows is always
 * Delta). A Delta push without key columns is refused: Celonis matches rows by them.
 */
export function pushTargetOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
	mode?: 'DELTA' | 'REPLACE',
): PushTarget {
	const poolId = poolIdOf(ctx, itemIndex);
	const table = validateTableName(ctx.getNodeParameter('tableName', itemIndex));
	const chosen =
		mode ?? (ctx.getNodeParameter('mode', itemIndex, 'REPLACE') === 'DELTA' ? 'DELTA' : 'REPLACE');
	const keys =
		chosen === 'DELTA' ? splitNames(ctx.getNodeParameter('keyColumns', itemIndex, '')) : [];
	if (chosen === 'DELTA' && keys.length === 0) {
		throw new ParameterError(
			mode === 'DELTA'
				? 'Enter the "Key Columns": the fields of the items that identify the rows to delete.'
				: 'A Delta push needs "Key Columns": the fields that identify a row, so Celonis can update it. Use the mode Replace to overwrite the whole table instead.',
		);
	}
	return { poolId, table, mode: chosen, keys };
}

export function columnOverridesOf(ctx: IExecuteFunctions): ColumnOverride[] {
	return (ctx.getNodeParameter('columnTypes.column', 0, []) as ColumnOverride[]) ?? [];
}

/** A data push job ID (letters, digits, - and _), so it can never reshape the path it goes into. */
export function requireJobId(value: unknown): string {
	const id = String(value ?? '').trim();
	if (id === '') throw new ParameterError('Enter the "Job ID" of the data push job.');
	if (!/^[A-Za-z0-9_-]+$/.test(id))
		throw new ParameterError(
			`"${id.slice(0, 80)}" is not a data push job ID (letters, digits, - and _ only).`,
		);
	return id;
}
