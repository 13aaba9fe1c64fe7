import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { COLUMN_TYPES, type ColumnOverride } from '../../shared/columns';
import { errorItem, toNodeError } from '../../shared/items';
import { ParameterError, resourceIdOf } from '../../shared/parameters';
import { deleteJob, type CallOptions } from './jobApi';

export const dataPoolLocator: INodeProperties = {
	displayName: 'Data Pool',
	name: 'dataPool',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The data pool that holds the table',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a data pool...',
			typeOptions: { searchListMethod: 'searchDataPools', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. b7a3c9e0-1f2d-4c5b-9a8e-000000000001',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[A-Za-z0-9_-]+$',
						errorMessage: 'A data pool ID has only letters, digits, - and _',
					},
				},
			],
		},
	],
};

export const tableNameProperty: INodeProperties = {
	displayName: 'Table Name',
	name: 'tableName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. SALES_ORDERS',
	description: 'The table in the data pool (targetName); created when it does not exist',
};

export const keyColumnsProperty: INodeProperties = {
	displayName: 'Key Columns',
	name: 'keyColumns',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. ORDER_ID or ORDER_ID, ITEM_NO',
	description: 'The fields of the items that identify a row (primary key), comma-separated',
};

export const columnTypesProperty: INodeProperties = {
	displayName: 'Column Types',
	name: 'columnTypes',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Column Type',
	default: {},
	description:
		'Types are inferred from the data (text, integer, float, boolean, date, datetime); set a type or a text length here to override them',
	options: [
		{
			name: 'column',
			displayName: 'Column',
			values: [
				{
					displayName: 'Column',
					name: 'column',
					type: 'string',
					default: '',
					description: 'Field name of the items',
				},
				{
					displayName: 'Type',
					name: 'type',
					type: 'options',
					options: [
						{ name: 'Auto (Inferred)', value: 'auto' },
						...COLUMN_TYPES.map((t) => ({
							name: t.charAt(0) + t.slice(1).toLowerCase(),
							value: t,
						})),
					],
					default: 'auto',
				},
				{
					displayName: 'Text Length',
					name: 'fieldLength',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 65000 },
					default: 0,
					description:
						'VARCHAR length of a text column in bytes; 0 = the longest value of the data (at least 80)',
				},
			],
		},
	],
};

/** Options every job-based push shares. */
export const pushOptions: INodeProperties[] = [
	{
		displayName: 'Chunk Size (MB)',
		name: 'chunkSizeMb',
		type: 'number',
		typeOptions: { minValue: 0.001, maxValue: 1023, numberPrecision: 3 },
		default: 50,
		description:
			'Largest upload per request, in MB (1 MB = 1,048,576 bytes). Celonis refuses chunks of 1 GB or more.',
	},
	{
		displayName: 'Data Connection ID',
		name: 'connectionId',
		type: 'string',
		default: '',
		description:
			'The data connection (data source) whose schema holds the table; empty = the global pool schema',
	},
	{
		displayName: 'Keep Failed Job',
		name: 'keepFailedJob',
		type: 'boolean',
		default: false,
		description:
			'Whether a job whose push failed stays in Celonis for inspection (by default it is deleted)',
	},
	{
		displayName: 'Max Rate-Limit Wait (Seconds)',
		name: 'maxRateLimitWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 300,
		description:
			'How long one request may wait for Celonis rate limits and retries. Celonis allows 250 job submissions per team per hour; when that budget is used up for longer, the node fails and says when it resets.',
	},
	{
		displayName: 'Upload Concurrency',
		name: 'uploadConcurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 8 },
		default: 2,
		description: 'How many chunks are uploaded at the same time',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until Celonis has loaded the data (status DONE or ERROR); otherwise the node ends once the job is submitted',
	},
	{
		displayName: 'Wait Timeout (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 3600,
		description: 'How long to wait for the job to finish before the node fails',
	},
];

export interface PushOptions {
	chunkSizeMb?: number;
	connectionId?: string;
	inferDates?: boolean;
	keepFailedJob?: boolean;
	maxRateLimitWait?: number;
	nestedValues?: 'error' | 'jsonText';
	uploadConcurrency?: number;
	upsertStrategy?: string;
	waitForCompletion?: boolean;
	waitTimeout?: number;
	fallbackVarcharLength?: number;
}

const MB = 1024 * 1024;
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

export function callOptionsOf(options: PushOptions): CallOptions {
	return { maxWaitMs: Math.max(0, (options.maxRateLimitWait ?? 300) * 1000) };
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

export function splitNames(raw: unknown): string[] {
	return String(raw ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

export function columnOverridesOf(ctx: IExecuteFunctions): ColumnOverride[] {
	return (ctx.getNodeParameter('columnTypes.column', 0, []) as ColumnOverride[]) ?? [];
}

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

/** One output item for an operation that turns all input items into one push, paired with all of them. */
export function summaryItem(json: IDataObject, itemCount: number): INodeExecutionData {
	return {
		json,
		pairedItem: Array.from({ length: Math.max(1, itemCount) }, (_, item) => ({ item })),
	};
}

/**
 * Runs a push that consumes all input items: the error (with "Continue On Fail") becomes one error item
 * paired with all inputs; otherwise it fails the node with the item it names.
 */
export async function runAllItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	push: () => Promise<IDataObject>,
): Promise<INodeExecutionData[]> {
	try {
		return [summaryItem(await push(), items.length)];
	} catch (error) {
		const itemIndex = itemOf(error);
		if (ctx.continueOnFail()) {
			const item = errorItem(error, itemIndex ?? 0);
			return [{ ...item, pairedItem: summaryItem({}, items.length).pairedItem }];
		}
		throw toNodeError(ctx.getNode(), error, itemIndex);
	}
}

/** The `[item N]` an error message names, else the item index it carries. */
function itemOf(error: unknown): number | undefined {
	const m = /^\[item (\d+)\]/.exec((error as Error)?.message ?? '');
	if (m) return Number(m[1]);
	const ctxIndex = (error as { context?: { itemIndex?: unknown } })?.context?.itemIndex;
	return typeof ctxIndex === 'number' ? ctxIndex : undefined;
}

/** Deletes the job of a failed push (unless kept) and says so in the error; never hides the original error. */
export async function cleanUpFailedJob(
	ctx: IExecuteFunctions,
	error: unknown,
	job: { poolId: string; jobId: string; submitted?: boolean } | undefined,
	keep: boolean,
	call: CallOptions,
): Promise<NodeOperationError | ReturnType<typeof toNodeError>> {
	const nodeError = toNodeError(ctx.getNode(), error, itemOf(error));
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
			await deleteJob(ctx, job.poolId, job.jobId, {
				...call,
				maxWaitMs: Math.min(call.maxWaitMs ?? 30_000, 30_000),
			});
			note = `The failed job ${job.jobId} was deleted; set "Keep Failed Job" to keep it for inspection.`;
		} catch {
			note = `The failed job ${job.jobId} could not be deleted; delete it with the operation "Delete Job".`;
		}
	}
	nodeError.description = [nodeError.description, note].filter(Boolean).join(' ');
	return nodeError;
}
