import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { dateColumnOptions, DATETIME_FORMAT } from '../helpers/columns';
import { assertRowsFit, prepareRows, produceCsvChunks } from '../helpers/csvRows';
import { writerCsvParsingOptions } from '../helpers/csvWriter';
import {
	chunkBytesOf,
	columnOverridesOf,
	pushTargetOf,
	type PushOptions,
} from '../helpers/pushParameters';
import type { JobSettings } from '../transport/api/dataPush';
import { noRowsSummary, runJobPush, type PushSummary } from './jobPush';

/**
 * Push Items to Table and Delete Rows: the input items become CSV chunks of one data push job, upserted
 * (Replace or Delta by key) or, for `deleted`, removing the rows whose keys the items carry.
 */
export async function pushItemsAsCsv(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	kind: 'deleted' | 'upserted',
): Promise<PushSummary> {
	const started = Date.now();
	const { poolId, table, mode, keys } = pushTargetOf(
		ctx,
		0,
		kind === 'deleted' ? 'DELTA' : undefined,
	);
	const options = ctx.getNodeParameter('options', 0, {}) as PushOptions;
	const chunkBytes = chunkBytesOf(options);
	const overrides = kind === 'deleted' ? [] : columnOverridesOf(ctx);
	// Delete Rows sends only the key columns.
	const source =
		kind === 'deleted' ? items.map((item) => ({ json: pick(item.json, keys) })) : items;
	const prepared = prepareRows(source, options, keys, overrides);
	const { schema, columns, warnings } = prepared;
	if (schema.rows === 0)
		return noRowsSummary(
			{ poolId, table, mode },
			started,
			'No input item had any field, so no job was created and the table was left unchanged.',
		);
	// A row too big for a chunk is found now, before a job exists.
	assertRowsFit(source, prepared, chunkBytes);
	for (const message of warnings)
		ctx.addExecutionHints({ message, type: 'warning', location: 'outputPane' });

	const settings: JobSettings = {
		targetName: table,
		type: mode,
		dataPoolId: poolId,
		fileType: 'CSV',
		...(keys.length > 0 ? { keys } : {}),
		...(options.connectionId ? { connectionId: options.connectionId.trim() } : {}),
		// Delete chunks match rows of the existing table: its column types apply.
		...(kind === 'upserted' ? { tableSchema: { tableName: table, columns } } : {}),
		csvParsingOptions: {
			...writerCsvParsingOptions(),
			dateFormat: DATETIME_FORMAT,
			additionalColumnOptions: dateColumnOptions(columns),
		},
		...(options.upsertStrategy ? { upsertStrategy: options.upsertStrategy } : {}),
	};
	const summary = await runJobPush(ctx, settings, kind, options, async (sink, uploader) => {
		await produceCsvChunks(source, columns, chunkBytes, sink, () => uploader.busy);
	});
	return {
		...summary,
		...(warnings.length > 0 ? { warnings } : {}),
		durationMs: Date.now() - started,
	};
}

function pick(row: IDataObject, keys: string[]): IDataObject {
	const out: IDataObject = {};
	if (Object.keys(row).length === 0) return out;
	for (const k of keys) out[k] = row[k] ?? null;
	return out;
}
