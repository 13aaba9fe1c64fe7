import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import { toOutputItems } from '../../helpers/output';
import { locatorIdOf, returnLimitOf, splitNames } from '../../helpers/parameters';
import { retryPolicyOf, type RetryOptionValues } from '../../transport';
import {
	intelligencePaths,
	listAll,
	MAX_FIELDS,
	MAX_READABLE_ROWS,
} from '../../transport/api/intelligence';
import {
	knowledgeModelLocator,
	limitFields,
	recordLocator,
	retryOptionProperties,
} from '../common.descriptions';

const recordFields = {
	loadOptionsMethod: 'getRecordFields',
	loadOptionsDependsOn: ['knowledgeModel.value', 'record.value'],
};

const properties: INodeProperties[] = [
	knowledgeModelLocator,
	recordLocator,
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'multiOptions',
		typeOptions: recordFields,
		default: [],
		required: true,
		description:
			'The fields of the record to read (at most 200). An expression may also return IDs (a list or comma-separated), including RECORD.FIELD for a field of a related record. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	...limitFields,
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Sort Field',
		default: {},
		description: 'Sort the rows by fields among "Fields", the first one most significant',
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'field',
						type: 'options',
						typeOptions: recordFields,
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [
							{ name: 'Ascending', value: 'asc' },
							{ name: 'Descending', value: 'desc' },
						],
						default: 'asc',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Distinct Rows',
				name: 'distinct',
				type: 'boolean',
				default: false,
				description: 'Whether rows that are equal in every field are returned once',
			},
			{
				displayName: 'Filter Expressions',
				name: 'filterExpressions',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				placeholder: "e.g. STATUS eq 'OPEN'",
				description:
					"Celonis filter expressions, one per line, all of which a row must meet (e.g. NET_VALUE gt 1000 and STATUS eq 'OPEN')",
			},
			{
				displayName: 'Knowledge Model Filter Names or IDs',
				name: 'filters',
				type: 'multiOptions',
				typeOptions: {
					loadOptionsMethod: 'getKnowledgeModelFilters',
					loadOptionsDependsOn: ['knowledgeModel.value'],
				},
				default: [],
				description:
					'Filters defined in the knowledge model that the rows must meet. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_READABLE_ROWS },
				default: 1000,
				description: 'Rows per request',
			},
			...retryOptionProperties('page request'),
			{
				displayName: 'Search Field Name or ID',
				name: 'searchField',
				type: 'options',
				typeOptions: recordFields,
				default: '',
				description:
					'The field "Search Term" is looked for in; empty = every field of "Fields". Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Search Term',
				name: 'searchTerm',
				type: 'string',
				default: '',
				description: 'Only rows whose field contains this text (case-insensitive)',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['knowledgeModel'], operation: ['getRecordData'] } },
	properties,
);

interface DataOptions extends RetryOptionValues {
	distinct?: boolean;
	filterExpressions?: string;
	filters?: string[] | string;
	pageSize?: number;
	searchField?: string;
	searchTerm?: string;
}

/**
 * Rows of a record (GET .../{km}/records/{record}/data), page by page. Celonis lets a client read only the
 * first 5,000 rows of a filtered, sorted record: with Return All, reaching them adds a hint to narrow it.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		const km = locatorIdOf(this, 'knowledgeModel', i, 'Knowledge Model', 'knowledge model');
		const record = locatorIdOf(this, 'record', i, 'Record', 'record');
		const options = this.getNodeParameter('options', i, {}) as DataOptions;
		const fields = fieldIdsOf(this.getNodeParameter('fields', i, []), 'Fields');
		if (fields.length === 0)
			throw new ParameterError('Choose at least one of the record\'s "Fields".');
		if (fields.length > MAX_FIELDS)
			throw new ParameterError(
				`"Fields" names ${fields.length} fields; Celonis reads at most ${MAX_FIELDS} per request. Read the others in a second node.`,
			);
		const sort = sortOf(this.getNodeParameter('sort', i, {}) as IDataObject, fields);
		const filterExpressions = String(options.filterExpressions ?? '')
			.split(/\r?\n/)
			.map((line) => line.trim())
			.filter((line) => line !== '');
		const filters = fieldIdsOf(options.filters ?? [], 'Knowledge Model Filters');
		const searchTerm = String(options.searchTerm ?? '');
		const qs: IDataObject = {
			fields: fields.join(','),
			...(sort.length > 0 ? { sort: sort.join(',') } : {}),
			...(filters.length > 0 ? { filters: filters.join(',') } : {}),
			...(filterExpressions.length > 0 ? { filterExpr: filterExpressions } : {}),
			...(options.distinct ? { options: 'distinct' } : {}),
			...(searchTerm !== ''
				? { searchTerm, ...(options.searchField ? { searchField: options.searchField } : {}) }
				: {}),
		};
		const limit = returnLimitOf(this, i);
		const rows = await listAll(this, intelligencePaths.recordData(km, record), {
			qs,
			itemsField: 'content.data',
			pageSize: options.pageSize ?? 1000,
			limit,
			itemIndex: i,
			retry: retryPolicyOf(options),
		});
		if (limit === undefined && rows.length >= MAX_READABLE_ROWS) {
			this.addExecutionHints({
				message: `Celonis returns only the first ${MAX_READABLE_ROWS.toLocaleString('en-US')} rows of a query, and this one reached them: there may be more. Narrow it with filters, a filter expression or a search.`,
				type: 'warning',
				location: 'outputPane',
			});
		}
		return toOutputItems(rows);
	});
}

/** Field or filter IDs from a multi-select, or from an expression (a list or comma-separated text). */
function fieldIdsOf(value: unknown, field: string): string[] {
	const ids = (Array.isArray(value) ? value : splitNames(value)).map((v) => String(v).trim());
	for (const id of ids) {
		if (id === '' || /[,\s]/.test(id) || [...id].some((c) => c.charCodeAt(0) < 0x20))
			throw new ParameterError(
				`"${field}" contains "${id.slice(0, 80)}", which is not a field ID (IDs have no commas, spaces or control characters).`,
			);
	}
	return [...new Set(ids)];
}

/** `+FIELD` / `-FIELD`, each among the requested fields (Celonis sorts only by those). */
function sortOf(sort: IDataObject, fields: string[]): string[] {
	const entries = (Array.isArray(sort.field) ? sort.field : []) as Array<{
		field?: string;
		direction?: string;
	}>;
	return entries.map(({ field = '', direction }) => {
		if (!fields.includes(field))
			throw new ParameterError(
				`Sort field "${field}" is not among "Fields" (${fields.join(', ')}); Celonis sorts only by fields that are read.`,
			);
		return `${direction === 'desc' ? '-' : '+'}${field}`;
	});
}
