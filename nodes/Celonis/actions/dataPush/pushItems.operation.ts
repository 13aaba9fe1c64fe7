import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runAllItems } from '../../helpers/itemRunner';
import { pushItemsAsCsv } from '../../services/csvPush';
import {
	columnTypesProperty,
	dataPoolLocator,
	keyColumnsProperty,
	modeProperty,
	pushOptions,
	tableNameProperty,
	upsertStrategyOption,
} from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	tableNameProperty,
	modeProperty,
	{ ...keyColumnsProperty, displayOptions: { show: { mode: ['DELTA'] } } },
	columnTypesProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: (
			[
				...pushOptions,
				{
					displayName: 'Infer Dates',
					name: 'inferDates',
					type: 'boolean',
					default: true,
					description:
						'Whether text fields holding only ISO dates (2024-01-31) or date-times (2024-01-31T08:00:00Z) become DATE / DATETIME columns',
				},
				{
					displayName: 'Nested Values',
					name: 'nestedValues',
					type: 'options',
					options: [
						{
							name: 'Fail',
							value: 'error',
							description: 'Objects and lists in fields stop the push with the item that has them',
						},
						{
							name: 'Write as JSON Text',
							value: 'jsonText',
							description: 'Objects and lists become JSON text in a text column',
						},
					],
					default: 'error',
				},
				upsertStrategyOption,
			] as INodeProperties[]
		).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['pushItems'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runAllItems(this, items, async () => await pushItemsAsCsv(this, items, 'upserted'));
}
