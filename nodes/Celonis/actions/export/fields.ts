import type { INodeProperties } from 'n8n-workflow';

import { retryOptionProperties } from '../common.descriptions';

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

/** "Late Event Lookback (Minutes)": sized to Celonis' ingestion delay (an event can appear minutes after its time). */
export const DEFAULT_LOOKBACK_MINUTES = 10;
export const MAX_LOOKBACK_MINUTES = 1440;

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
];

const limitFields: INodeProperties[] = [
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
