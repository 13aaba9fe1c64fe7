import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem, toNodeError } from '../../shared/items';
import { ParameterError, resourceIdOf } from '../../shared/parameters';
import { celonisRequest } from '../../transport';
import { dataPoolLocator, poolIdOf, splitNames } from '../dataPush/common';
import { pollUntilDone, waitParameters } from '../../shared/waiting';

const properties: INodeProperties[] = [
	dataPoolLocator,
	{
		displayName: 'Data Model',
		name: 'dataModel',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a data model...',
				typeOptions: { searchListMethod: 'searchDataModels', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. d4a7a000-0000-4000-8000-000000000101',
			},
		],
	},
	{
		displayName: 'Reload Type',
		name: 'reloadType',
		type: 'options',
		options: [
			{ name: 'Complete', value: 'complete', description: 'Load every table anew' },
			{
				name: 'From Cache',
				value: 'fromCache',
				description: 'Load only what changed (fullReload=false)',
			},
			{
				name: 'Partial (Some Tables)',
				value: 'partial',
				description: 'Load the chosen tables anew, the others from cache',
			},
		],
		default: 'complete',
	},
	{
		displayName: 'Tables',
		name: 'tables',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. SALES_ORDERS, ACTIVITIES',
		description: 'Names, aliases or IDs of the data model tables to reload, comma-separated',
		displayOptions: { show: { reloadType: ['partial'] } },
	},
	...waitParameters('the load has finished'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataModel'], operation: ['reload'] } },
	properties,
);

const IN_PROGRESS = ['CANCELLING', 'LOST_CONNECTION', 'RUNNING'];
const SUCCESS = ['SUCCESS', 'WARNING'];

/** Process Data Model API (celonis-api.md §7.3): trigger a load, then follow `last-load`. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		try {
			const started = Date.now();
			const poolId = poolIdOf(this, i);
			const modelId = resourceIdOf(
				this.getNodeParameter('dataModel', i, '', { extractValue: true }),
				'Data Model',
				'data model',
			);
			const base = `/integration/api/v1/data-pools/${encodeURIComponent(poolId)}/data-models/${encodeURIComponent(modelId)}`;
			const reloadType = this.getNodeParameter('reloadType', i, 'complete') as string;
			const lastLoad = async () =>
				(
					await celonisRequest.call(this, {
						method: 'GET',
						path: `${base}/last-load`,
						responseFormat: 'json',
						itemIndex: i,
					})
				).body as IDataObject;
			const before = await lastLoad();

			let tableIds: string[] | undefined;
			if (reloadType === 'partial') {
				const wanted = splitNames(this.getNodeParameter('tables', i, ''));
				if (wanted.length === 0)
					throw new ParameterError('Enter the "Tables" to reload (names, aliases or IDs).');
				const tables = (
					await celonisRequest.call(this, {
						method: 'GET',
						path: `${base}/tables`,
						responseFormat: 'json',
						itemIndex: i,
					})
				).body as IDataObject[];
				tableIds = wanted.map((w) => {
					const t = (Array.isArray(tables) ? tables : []).find((x) =>
						[x.id, x.name, x.alias, x.aliasOrName].some(
							(v) => typeof v === 'string' && v.toLowerCase() === w.toLowerCase(),
						),
					);
					if (!t) {
						const known = (Array.isArray(tables) ? tables : [])
							.map((x) => String(x.aliasOrName ?? x.name))
							.join(', ');
						throw new ParameterError(
							`The data model has no table "${w}". Its tables: ${known || '(none)'}.`,
						);
					}
					return String(t.id);
				});
				await celonisRequest.call(this, {
					method: 'POST',
					path: `${base}/load/partial-sync`,
					body: JSON.stringify(tableIds),
					headers: { 'Content-Type': 'application/json' },
					responseFormat: 'text',
					itemIndex: i,
				});
			} else {
				await celonisRequest.call(this, {
					method: 'POST',
					path: `${base}/load`,
					qs: { fullReload: reloadType === 'complete' },
					responseFormat: 'text',
					itemIndex: i,
				});
			}
			const out: IDataObject = {
				poolId,
				dataModelId: modelId,
				reloadType,
				...(tableIds ? { tableIds } : {}),
			};
			if (!this.getNodeParameter('waitForCompletion', i, true))
				return [{ json: { ...out, status: 'TRIGGERED', durationMs: Date.now() - started } }];

			return await pollUntilDone(
				this,
				{
					what: `The load of data model ${modelId}`,
					timeoutMs: (this.getNodeParameter('waitTimeout', i, 3600) as number) * 1000,
					itemIndex: i,
					onTimeout: 'Raise "Wait Timeout", or turn off "Wait for Completion".',
				},
				async () => {
					const load = await lastLoad();
					const isNew = load.dataLoadId && load.dataLoadId !== before.dataLoadId;
					const status = String(load.loadStatus ?? '');
					if (!isNew || !status || IN_PROGRESS.includes(status))
						return { done: false, state: status };
					if (!SUCCESS.includes(status)) {
						throw new NodeOperationError(
							this.getNode(),
							`The load of data model ${modelId} ended with status ${status}`,
							{
								itemIndex: i,
								description: load.message
									? `Celonis said: ${String(load.message)}`
									: "Check the data model's load history in Celonis.",
							},
						);
					}
					const result = {
						...out,
						status,
						dataLoadId: load.dataLoadId,
						loadType: load.loadType,
						startDate: load.startDate,
						endDate: load.endDate,
						message: load.message ?? null,
						durationMs: Date.now() - started,
					};
					return { done: true, value: [{ json: result }] };
				},
			);
		} catch (error) {
			throw toNodeError(this.getNode(), error, i);
		}
	});
}
