import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { COLUMN_TYPES } from '../helpers/columns';
import { DEFAULT_LOOKBACK_MINUTES, MAX_LOOKBACK_MINUTES } from '../helpers/watermark';

/** Parameter descriptions that several operations share: each is defined here once. */

export const dataPoolLocator: INodeProperties = {
	displayName: 'Data Pool',
	name: 'dataPool',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The data pool that holds the table',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a data pool...',
			typeOptions: { searchListMethod: 'searchDataPools', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. b7a3c9e0-1f2d-4c5b-9a8e-000000000001',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[A-Za-z0-9_-]+$',
						errorMessage: 'A data pool ID has only letters, digits, - and _',
					},
				},
			],
		},
	],
};

export const tableNameProperty: INodeProperties = {
	displayName: 'Table Name',
	name: 'tableName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. SALES_ORDERS',
	description: 'The table in the data pool (targetName); created when it does not exist',
};

export const keyColumnsProperty: INodeProperties = {
	displayName: 'Key Columns',
	name: 'keyColumns',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. ORDER_ID or ORDER_ID, ITEM_NO',
	description: 'The fields of the items that identify a row (primary key), comma-separated',
};

export const columnTypesProperty: INodeProperties = {
	displayName: 'Column Types',
	name: 'columnTypes',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Column Type',
	default: {},
	description:
		'Types are inferred from the data (text, integer, float, boolean, date, datetime); set a type or a text length here to override them',
	options: [
		{
			name: 'column',
			displayName: 'Column',
			values: [
				{
					displayName: 'Column',
					name: 'column',
					type: 'string',
					default: '',
					description: 'Field name of the items',
				},
				{
					displayName: 'Type',
					name: 'type',
					type: 'options',
					options: [
						{ name: 'Auto (Inferred)', value: 'auto' },
						...COLUMN_TYPES.map((t) => ({
							name: t.charAt(0) + t.slice(1).toLowerCase(),
							value: t,
						})),
					],
					default: 'auto',
				},
				{
					displayName: 'Text Length',
					name: 'fieldLength',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 65000 },
					default: 0,
					description:
						'VARCHAR length of a text column in bytes; 0 = the longest value of the data (at least 80)',
				},
			],
		},
	],
};

export const modeProperty: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	options: [
		{
			name: 'Delta (Upsert by Key)',
			value: 'DELTA',
			description: 'Insert new rows and update rows whose key columns match',
		},
		{
			name: 'Replace',
			value: 'REPLACE',
			description: 'The table afterwards holds exactly the pushed rows',
		},
	],
	default: 'REPLACE',
};

export const upsertStrategyOption: INodeProperties = {
	displayName: 'Upsert Strategy',
	name: 'upsertStrategy',
	type: 'options',
	options: [
		{ name: 'Celonis Default', value: '' },
		{ name: 'Keep Unchanged Metadata', value: 'UPSERT_WITH_UNCHANGED_METADATA' },
		{ name: 'Nullify Missing Columns', value: 'UPSERT_WITH_NULLIFICATION' },
	],
	default: '',
	description: 'How a Delta push updates a row that exists (upsertStrategy)',
};

export const binaryPropertyProperty: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	description: 'The binary property of the input items that holds the CSV or Parquet file',
};

export const csvOptionsProperty: INodeProperties = {
	displayName: 'CSV Options',
	name: 'csvOptions',
	type: 'collection',
	placeholder: 'Add CSV Option',
	default: {},
	description: 'How Celonis reads a CSV file (csvParsingOptions); ignored for Parquet',
	options: [
		{
			displayName: 'Character Set',
			name: 'charSet',
			type: 'string',
			default: 'UTF-8',
			placeholder: 'e.g. UTF-8 or ISO-8859-1',
		},
		{
			displayName: 'Date Format',
			name: 'dateFormat',
			type: 'string',
			default: '',
			placeholder: 'e.g. yyyy-MM-dd HH:mm:ss',
			description: 'Java date pattern of date columns',
		},
		{ displayName: 'Decimal Separator', name: 'decimalSeparator', type: 'string', default: '.' },
		{ displayName: 'Escape Character', name: 'escapeSequence', type: 'string', default: '"' },
		{
			displayName: 'Header Row',
			name: 'headerRow',
			type: 'boolean',
			default: true,
			description:
				'Whether the first row names the columns (every chunk starts with it); otherwise the columns are named COLUMN_1, COLUMN_2, …',
		},
		{
			displayName: 'Line Ending',
			name: 'lineEnding',
			type: 'options',
			options: [
				{ name: 'CRLF', value: '\r\n', description: 'Windows line breaks (\\r\\n)' },
				{ name: 'LF', value: '\n', description: 'Unix line breaks (\\n)' },
			],
			default: '\n',
		},
		{ displayName: 'Quote Character', name: 'quoteSequence', type: 'string', default: '"' },
		{
			displayName: 'Separator',
			name: 'separatorSequence',
			type: 'string',
			default: ',',
			description: 'Field separator, e.g. , or ; (use \\t for tab)',
		},
		{ displayName: 'Thousands Separator', name: 'thousandSeparator', type: 'string', default: '' },
	],
};

export const jobIdProperty: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 3f2c6a1e-…',
	description: 'ID of the data push job (the "ID" of Create Job or Get Many Jobs)',
};

/**
 * "Max Retries" and "Max Total Wait" for an operation's Options collection; `what` is what gets retried.
 * `waitName` is the saved name of Max Total Wait: the data push operations keep 0.1.0's `maxRateLimitWait`,
 * as n8n drops a saved value whose name the description no longer has.
 */
export function retryOptionProperties(
	what: string,
	waitName: 'maxWaitSeconds' | 'maxRateLimitWait' = 'maxWaitSeconds',
): INodeProperties[] {
	return [
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: 5,
			description: `How often a rate-limited (429), unavailable (502/503/504) or broken ${what} is retried`,
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: waitName,
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 300,
			description: `How long the retries of one ${what} may wait in total, including waits Celonis asks for with x-ratelimit-reset`,
		},
	];
}

/** Options every job-based push shares. */
export const pushOptions: INodeProperties[] = [
	{
		displayName: 'Chunk Size (MB)',
		name: 'chunkSizeMb',
		type: 'number',
		typeOptions: { minValue: 0.001, maxValue: 1023, numberPrecision: 3 },
		default: 50,
		description:
			'Largest upload per request, in MB (1 MB = 1,048,576 bytes). Celonis refuses chunks of 1 GB or more.',
	},
	{
		displayName: 'Data Connection ID',
		name: 'connectionId',
		type: 'string',
		default: '',
		description:
			'The data connection (data source) whose schema holds the table; empty = the global pool schema',
	},
	{
		displayName: 'Keep Failed Job',
		name: 'keepFailedJob',
		type: 'boolean',
		default: false,
		description:
			'Whether a job whose push failed stays in Celonis for inspection (by default it is deleted)',
	},
	...retryOptionProperties('request to Celonis', 'maxRateLimitWait'),
	{
		displayName: 'Upload Concurrency',
		name: 'uploadConcurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 8 },
		default: 2,
		description: 'How many chunks are uploaded at the same time',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until Celonis has loaded the data (status DONE or ERROR); otherwise the node ends once the job is submitted',
	},
	{
		displayName: 'Wait Timeout (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 3600,
		description: 'How long to wait for the job to finish before the node fails',
	},
];

/** "Wait for Completion" and "Wait Timeout" of operations that start something in Celonis. */
export function waitParameters(whatFinishes: string): INodeProperties[] {
	return [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: true,
			description: `Whether to wait until ${whatFinishes} (a failure then fails the node)`,
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 3600,
			displayOptions: { show: { waitForCompletion: [true] } },
			description: 'How long to wait before the node fails',
		},
	];
}

/**
 * The parameters shared by the event exports (Audit Log → Get Many, Team → Get Login History / Get
 * Members, Platform Adoption → Get Tracking Events). Each operation picks the groups it supports.
 */
export interface ExportFieldGroups {
	/** "New Events Since Last Run" mode */
	incremental?: boolean;
	/** time window (presets, custom From/To) */
	window?: boolean;
}

const windowFields = (incremental: boolean): INodeProperties[] => [
	{
		displayName: 'Time Window',
		name: 'timeWindow',
		type: 'options',
		options: [
			{ name: 'All Events', value: 'all', description: 'Everything Celonis keeps' },
			{ name: 'Custom', value: 'custom', description: 'From and To dates' },
			{ name: 'Last 24 Hours', value: 'last24Hours' },
			{ name: 'Last 30 Days', value: 'last30Days' },
			{ name: 'Last 7 Days', value: 'last7Days' },
			{ name: 'Last Hour', value: 'lastHour' },
		],
		default: 'last24Hours',
		description: incremental
			? 'Which events to export. With "New Events Since Last Run", this is where the first run starts; later runs continue after the last exported event.'
			: 'Which events to export, by their timestamp',
	},
	{
		displayName: 'From',
		name: 'from',
		type: 'dateTime',
		default: '',
		displayOptions: { show: { timeWindow: ['custom'] } },
		description:
			"Oldest event time to export (inclusive). Without a time zone it is read in the workflow's time zone. Empty = from the oldest event.",
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'dateTime',
		default: '',
		displayOptions: {
			show: { timeWindow: ['custom'], ...(incremental ? { exportMode: ['window'] } : {}) },
		},
		description:
			'Events before this time are exported (exclusive). Empty or in the future = up to now.',
	},
];

const modeFields: INodeProperties[] = [
	{
		displayName: 'Export',
		name: 'exportMode',
		type: 'options',
		options: [
			{
				name: 'Events in Time Window',
				value: 'window',
				description: 'Every run exports the events of the time window',
			},
			{
				name: 'New Events Since Last Run',
				value: 'incremental',
				description:
					'Every run exports only the events that were not exported by a previous successful run of this node (position kept in the workflow; production runs only — manual test runs in the editor do not move it)',
			},
		],
		default: 'window',
	},
	{
		displayName: 'Confirm Position',
		name: 'confirmPosition',
		type: 'options',
		options: [
			{
				name: 'In a Later Step',
				value: 'laterStep',
				description:
					'The new position waits for an Export Position → Confirm node at the end of the workflow. If a step before it fails, the next run exports the same events again: at least once, nothing lost, duplicates possible.',
			},
			{
				name: 'When This Node Succeeds',
				value: 'nodeSucceeds',
				description:
					'The position moves on as soon as this node has read every page: exactly once, as long as nothing after this node fails (if a later step fails, those events are not exported again)',
			},
		],
		default: 'nodeSucceeds',
		displayOptions: { show: { exportMode: ['incremental'] } },
		description: 'When the events of a run count as exported',
	},
	{
		displayName: 'Keep Position In',
		name: 'positionStore',
		type: 'options',
		options: [
			{
				name: 'N8n Database (Queue Mode)',
				value: 'database',
				description:
					"For n8n in queue mode (main and workers): the events already exported are recorded in n8n's database, which every worker reads; runs of the workflow's exports take turns, so overlapping runs export each event once",
			},
			{
				name: 'Workflow Static Data',
				value: 'staticData',
				description:
					'For n8n in one process (the usual set-up). In queue mode a worker does not receive the static data, so every run would start over.',
			},
		],
		default: 'staticData',
		displayOptions: { show: { exportMode: ['incremental'], confirmPosition: ['nodeSucceeds'] } },
		description: 'Where the export remembers what it exported',
	},
];

export const limitFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

const outputFields: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'CSV File',
				value: 'csv',
				description: 'One CSV file in a binary field, written page by page',
			},
			{ name: 'Items', value: 'items', description: 'One item per event' },
			{
				name: 'JSON Lines File',
				value: 'jsonl',
				description:
					'One JSON Lines file (one event per line) in a binary field, written page by page',
			},
		],
		default: 'items',
	},
	{
		displayName: 'Flatten Nested Fields',
		name: 'flatten',
		type: 'boolean',
		default: false,
		displayOptions: { show: { output: ['items'] } },
		description:
			'Whether to turn nested objects such as message and diffPayload into columns (message.nodeName, diffPayload.oldValue, …), e.g. for spreadsheets',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { output: ['csv', 'jsonl'] } },
		description: 'The name of the binary field of the output item that holds the file',
	},
];

const optionsField = (groups: ExportFieldGroups): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Escape Spreadsheet Formulas',
			name: 'escapeFormulas',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/output': ['csv'] } },
			description:
				'Whether CSV cells that start with =, +, -, @ get a leading apostrophe so that spreadsheets do not run them as formulas',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			placeholder: 'e.g. audit-log.csv',
			displayOptions: { show: { '/output': ['csv', 'jsonl'] } },
			description: "Name of the output file; empty = a name with the export's time window",
		},
		...(groups.incremental
			? [
					{
						displayName: 'Late Event Lookback (Minutes)',
						name: 'lateEventLookback',
						type: 'number' as const,
						typeOptions: { minValue: 0, maxValue: MAX_LOOKBACK_MINUTES, numberPrecision: 0 },
						default: DEFAULT_LOOKBACK_MINUTES,
						displayOptions: { show: { '/exportMode': ['incremental'] } },
						description:
							'How far before the newest exported event each run looks for events that Celonis added late (its ingestion delay). They are exported once: the events already exported are recognised by their fingerprint. An event whose time lies further back than this when it appears is not exported. 0 = only events at or after the newest exported one.',
					},
				]
			: []),
		...retryOptionProperties('page request'),
		...(groups.incremental
			? [
					{
						displayName: 'Max Wait for Other Runs (Seconds)',
						name: 'maxLockWait',
						type: 'number' as const,
						typeOptions: { minValue: 0 },
						default: 600,
						displayOptions: {
							show: { '/exportMode': ['incremental'], '/positionStore': ['database'] },
						},
						description:
							"With the position in n8n's database, runs of the workflow's exports take turns: how long a run waits for another to finish before it fails, exporting nothing",
					},
				]
			: []),
		{
			displayName: 'Page Size',
			name: 'pageSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 200 },
			default: 200,
			description: 'Events per request (Celonis allows 1 to 200)',
		},
		...(groups.incremental
			? [
					{
						displayName: 'Start Over',
						name: 'startOver',
						type: 'boolean' as const,
						default: false,
						displayOptions: { show: { '/exportMode': ['incremental'] } },
						description:
							'Whether to ignore the stored position and export the Time Window again, then continue from there',
					},
				]
			: []),
	],
});

export function exportFields(groups: ExportFieldGroups): INodeProperties[] {
	return [
		...(groups.incremental ? modeFields : []),
		...(groups.window ? windowFields(groups.incremental ?? false) : []),
		...limitFields,
		...outputFields,
		optionsField(groups),
	];
}

/** A resource locator of a Celonis object: from a list search, or by its ID (letters, digits, - and _). */
function idLocator(
	name: string,
	displayName: string,
	what: string,
	searchListMethod: string,
	example: string,
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${what}...`,
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${example}`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[A-Za-z0-9_-]+$',
							errorMessage: `A ${what} ID has only letters, digits, - and _`,
						},
					},
				],
			},
		],
	};
}

export const knowledgeModelLocator = idLocator(
	'knowledgeModel',
	'Knowledge Model',
	'knowledge model',
	'searchKnowledgeModels',
	'o2c-km',
	'The Knowledge Model (published in a Studio package the credential may use)',
);

export const recordLocator = idLocator(
	'record',
	'Record',
	'record',
	'searchRecords',
	'SALES_ORDER',
	'The record of the Knowledge Model',
);

export const triggerLocator = idLocator(
	'trigger',
	'Trigger',
	'trigger',
	'searchTriggers',
	'late-delivery',
	'The Knowledge Model trigger whose events start the workflow',
);

export const subscriptionLocator = idLocator(
	'subscription',
	'Subscription',
	'subscription',
	'searchSubscriptions',
	'3f2c6a1e-0000-4000-8000-000000000001',
	'The event subscription (Celonis calls a webhook with the events of a trigger)',
);

/** How an event of a trigger becomes an item (Celonis Trigger, Subscription → Get Failed Events). */
export const eventOutputProperty: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	options: [
		{
			name: 'Record Fields',
			value: 'fields',
			description:
				"One item per event: the record's fields as {field: value}, plus eventId, offset, triggerId and creationDate",
		},
		{
			name: 'Raw Event',
			value: 'raw',
			description: 'One item per event, as Celonis sent it (fields as a list of {ID, value, type})',
		},
	],
	default: 'fields',
};

/** The node's Authentication choice, and the credential each choice needs. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{
			name: 'OAuth2 (Client Credentials)',
			value: 'oAuth2',
			description: 'Recommended by Celonis: least-privilege scopes, tokens that expire',
		},
		{
			name: 'OAuth2 (Authorization Code)',
			value: 'oAuth2AuthCode',
			description:
				'A person signs in to Celonis and approves; the workflow acts as that person with the scopes they granted',
		},
		{
			name: 'API Key',
			value: 'apiKey',
			description: 'A User API key (Bearer); Celonis is phasing static keys out',
		},
		{
			name: 'Application Key',
			value: 'appKey',
			description: 'An Application key (AppKey); Celonis is phasing static keys out',
		},
	],
	default: 'oAuth2',
};

export const celonisCredentials: INodeCredentialDescription[] = [
	{
		name: 'celonisOAuth2Api',
		required: true,
		displayOptions: { show: { authentication: ['oAuth2'] } },
	},
	{
		name: 'celonisAuthCodeOAuth2Api',
		required: true,
		displayOptions: { show: { authentication: ['oAuth2AuthCode'] } },
	},
	{
		name: 'celonisApiKeyApi',
		required: true,
		displayOptions: { show: { authentication: ['apiKey'] } },
	},
	{
		name: 'celonisAppKeyApi',
		required: true,
		displayOptions: { show: { authentication: ['appKey'] } },
	},
];
