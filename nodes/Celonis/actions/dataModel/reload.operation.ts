import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import { resourceIdOf, splitNames } from '../../helpers/parameters';
import { poolIdOf } from '../../helpers/pushParameters';
import { triggerAndPoll } from '../../services/triggerAndPoll';
import { dataModels } from '../../transport/api/integration';
import { dataPoolLocator, waitParameters } from '../common.descriptions';

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

/** Process Data Model API: trigger a load, then follow `last-load` until the new load finished. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const poolId = poolIdOf(this, i);
		const modelId = resourceIdOf(
			this.getNodeParameter('dataModel', i, '', { extractValue: true }),
			'Data Model',
			'data model',
		);
		const reloadType = this.getNodeParameter('reloadType', i, 'complete') as string;
		const tableIds =
			reloadType === 'partial' ? await tableIdsOf.call(this, poolId, modelId, i) : undefined;
		const summary: IDataObject = {
			poolId,
			dataModelId: modelId,
			reloadType,
			...(tableIds ? { tableIds } : {}),
		};
		return await triggerAndPoll(this, i, summary, {
			what: `The load of data model ${modelId}`,
			readState: async () => await dataModels.lastLoad(this, poolId, modelId, i),
			trigger: async () =>
				tableIds
					? await dataModels.loadTables(this, poolId, modelId, tableIds, i)
					: await dataModels.load(this, poolId, modelId, reloadType === 'complete', i),
			settle: (load, before) => {
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
				return {
					done: true,
					value: {
						status,
						dataLoadId: load.dataLoadId,
						loadType: load.loadType,
						startDate: load.startDate,
						endDate: load.endDate,
						message: load.message ?? null,
					},
				};
			},
		});
	});
}

/** The IDs of the tables named in "Tables" (by name, alias or ID). */
async function tableIdsOf(
	this: IExecuteFunctions,
	poolId: string,
	modelId: string,
	i: number,
): Promise<string[]> {
	const wanted = splitNames(this.getNodeParameter('tables', i, ''));
	if (wanted.length === 0)
		throw new ParameterError('Enter the "Tables" to reload (names, aliases or IDs).');
	const tables = await dataModels.tables(this, poolId, modelId, i);
	return wanted.map((w) => {
		const t = tables.find((x) =>
			[x.id, x.name, x.alias, x.aliasOrName].some(
				(v) => typeof v === 'string' && v.toLowerCase() === w.toLowerCase(),
			),
		);
		if (!t) {
			const known = tables.map((x) => String(x.aliasOrName ?? x.name)).join(', ');
			throw new ParameterError(
				`The data model has no table "${w}". Its tables: ${known || '(none)'}.`,
			);
		}
		return String(t.id);
	});
}
