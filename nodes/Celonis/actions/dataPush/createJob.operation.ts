import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import { parseJsonParameter } from '../../helpers/parameters';
import { pushTargetOf } from '../../helpers/pushParameters';
import { createJob, type JobSettings } from '../../transport/api/dataPush';
import {
	dataPoolLocator,
	keyColumnsProperty,
	modeProperty,
	tableNameProperty,
} from '../common.descriptions';

const properties: INodeProperties[] = [
	dataPoolLocator,
	tableNameProperty,
	modeProperty,
	{ ...keyColumnsProperty, displayOptions: { show: { mode: ['DELTA'] } } },
	{
		displayName: 'File Type',
		name: 'fileType',
		type: 'options',
		options: [
			{ name: 'CSV', value: 'CSV' },
			{ name: 'Parquet', value: 'PARQUET' },
		],
		default: 'CSV',
		description: 'The format of the chunks you will upload',
	},
	{
		displayName: 'Additional Job Fields (JSON)',
		name: 'additionalFields',
		type: 'json',
		default: '{}',
		description:
			'More fields of the job, e.g. {"connectionId": "…", "tableSchema": {…}, "csvParsingOptions": {…}, "upsertStrategy": "UPSERT_WITH_NULLIFICATION"}',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataPush'], operation: ['createJob'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const { poolId, table: targetName, mode: type, keys } = pushTargetOf(this, i);
		const extra =
			parseJsonParameter(
				this.getNodeParameter('additionalFields', i, '{}'),
				'Additional Job Fields (JSON)',
			) ?? {};
		if (typeof extra !== 'object' || Array.isArray(extra) || extra === null)
			throw new ParameterError('"Additional Job Fields (JSON)" must be a JSON object.');
		const settings: JobSettings = {
			...(extra as IDataObject),
			targetName,
			type,
			dataPoolId: poolId,
			fileType: this.getNodeParameter('fileType', i, 'CSV') as 'CSV' | 'PARQUET',
			...(keys.length > 0 ? { keys } : {}),
		};
		return [{ json: await createJob(this, settings, { itemIndex: i }) }];
	});
}
