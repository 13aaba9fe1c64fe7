import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';
import * as getFilters from './getFilters.operation';
import * as getKpis from './getKpis.operation';
import * as getRecordData from './getRecordData.operation';
import * as getRecords from './getRecords.operation';

export { getAll, getFilters, getKpis, getRecordData, getRecords };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['knowledgeModel'] } },
		options: [
			{
				name: 'Get Filters',
				value: 'getFilters',
				action: 'Get the filters of a knowledge model',
				description: 'List the filters a knowledge model defines',
			},
			{
				name: 'Get KPIs',
				value: 'getKpis',
				action: 'Get the key performance indicators of a knowledge model',
				description: 'List the KPIs of a knowledge model, optionally with their values',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many knowledge models',
				description: 'List the knowledge models the credential may use',
			},
			{
				name: 'Get Record Data',
				value: 'getRecordData',
				action: 'Get the rows of a record',
				description:
					'Read rows of a record: chosen fields, filters, filter expressions, search and sort',
			},
			{
				name: 'Get Records',
				value: 'getRecords',
				action: 'Get the records of a knowledge model',
				description: 'List the records (tables) of a knowledge model',
			},
		],
		default: 'getRecordData',
	},
	...getAll.description,
	...getRecords.description,
	...getRecordData.description,
	...getKpis.description,
	...getFilters.description,
];
