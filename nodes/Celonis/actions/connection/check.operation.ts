import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { summaryItem } from '../../helpers/itemRunner';
import { checkConnection } from '../../services/connectionCheck';

const properties: INodeProperties[] = [
	{
		displayName:
			'Reads only (no write, nothing created): the team, who the credential acts as, its scopes and token, the rate-limit headroom, and for every operation of this node whether the credential can run it and what to add if not.',
		name: 'checkNotice',
		type: 'notice',
		default: '',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['connection'], operation: ['check'] } },
	properties,
);

/** One item, whatever the input: the check is about the credential, not about items. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return [summaryItem(await checkConnection(this, 0), items.length)];
}
