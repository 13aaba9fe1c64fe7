import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runAllItems } from '../../helpers/itemRunner';
import { pushFiles } from '../../services/filePush';
import {
	binaryPropertyProperty,
	columnTypesProperty,
	csvOptionsProperty,
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
	{
		...binaryPropertyProperty,
		placeholder: 'e.g. data or data, attachment_1',
		description:
			'The binary field of the input items that holds the CSV or Parquet file; several fields comma-separated. Every file of every item goes into the one job.',
	},
	{
		displayName: 'File Type',
		name: 'fileType',
		type: 'options',
		options: [
			{
				name: 'Auto-Detect',
				value: 'auto',
				description: 'Parquet by its signature, CSV by its type or extension',
			},
			{ name: 'CSV', value: 'CSV' },
			{ name: 'Parquet', value: 'PARQUET' },
		],
		default: 'auto',
	},
	{ ...csvOptionsProperty, displayOptions: { hide: { fileType: ['PARQUET'] } } },
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
					displayName: 'Text Length (Fallback)',
					name: 'fallbackVarcharLength',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 65000 },
					default: 0,
					description:
						'VARCHAR length of text columns without a length; 0 = the longest field of the CSV file (at least 80). Parquet files otherwise get the Celonis default of 80.',
				},
				upsertStrategyOption,
			] as INodeProperties[]
		).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['pushFile'] } },
	properties,
);

/**
 * Push File to Table: the files of all items (each a CSV or Parquet file in one or several binary fields)
 * into one job; CSV files cut into chunks at row boundaries, Parquet files sent as they are.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runAllItems(this, items, async () => await pushFiles(this, items));
}
