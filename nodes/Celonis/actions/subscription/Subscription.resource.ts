import type { INodeProperties } from 'n8n-workflow';

import * as deleteSubscription from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getFailedEvents from './getFailedEvents.operation';
import * as pause from './pause.operation';
import * as replayFromOffset from './replayFromOffset.operation';
import * as resume from './resume.operation';
import * as resumeFromLatest from './resumeFromLatest.operation';

export {
	deleteSubscription as delete,
	get,
	getAll,
	getFailedEvents,
	pause,
	replayFromOffset,
	resume,
	resumeFromLatest,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['subscription'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a subscription',
				description: 'Remove a subscription: Celonis stops calling its webhook',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a subscription',
				description: 'Status, trigger, callback URI and last delivered offset of one subscription',
			},
			{
				name: 'Get Failed Events',
				value: 'getFailedEvents',
				action: 'Get the failed events of a subscription',
				description:
					'Take over the events a failed or suspended subscription could not deliver (Celonis removes them)',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many subscriptions',
				description: "List the team's event subscriptions",
			},
			{
				name: 'Pause',
				value: 'pause',
				action: 'Pause a subscription',
				description: 'Stop deliveries; Celonis keeps the events until the subscription is resumed',
			},
			{
				name: 'Replay From Offset',
				value: 'replayFromOffset',
				action: 'Replay the events of a subscription from an offset',
				description: 'Deliver the events from an offset again',
			},
			{
				name: 'Resume',
				value: 'resume',
				action: 'Resume a subscription',
				description: 'Deliver the events kept while paused or failed, then new ones',
			},
			{
				name: 'Resume From Latest',
				value: 'resumeFromLatest',
				action: 'Resume a subscription from the latest event',
				description: 'Drop the events kept while paused or failed; deliver only new ones',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...pause.description,
	...resume.description,
	...resumeFromLatest.description,
	...replayFromOffset.description,
	...getFailedEvents.description,
	...deleteSubscription.description,
];
