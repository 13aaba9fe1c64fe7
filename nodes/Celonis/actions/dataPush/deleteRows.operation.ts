import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runAllItems } from '../../helpers/itemRunner';
import { pushItemsAsCsv } from '../../services/csvPush';
import {
	dataPoolLocator,
	keyColumnsProperty,
	pushOptions,
	tableNameProperty,
} from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	tableNameProperty,
	{
		...keyColumnsProperty,
		description:
			'The fields of the items that identify the rows to delete, comma-separated; other fields are ignored',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: pushOptions,
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['deleteRows'] } },
	properties,
);

/** Items carrying key values → one Delta job with a deleted chunk: the rows with those keys leave the table. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runAllItems(this, items, async () => await pushItemsAsCsv(this, items, 'deleted'));
}
