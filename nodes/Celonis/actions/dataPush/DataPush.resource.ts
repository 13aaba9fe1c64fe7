import type { INodeProperties } from 'n8n-workflow';

import * as continuousPush from './continuousPush.operation';
import * as createJob from './createJob.operation';
import * as deleteJob from './deleteJob.operation';
import * as deleteRows from './deleteRows.operation';
import * as executeJob from './executeJob.operation';
import * as getChunks from './getChunks.operation';
import * as getJob from './getJob.operation';
import * as getManyJobs from './getManyJobs.operation';
import * as pushFile from './pushFile.operation';
import * as pushItems from './pushItems.operation';
import * as uploadChunk from './uploadChunk.operation';

export {
	continuousPush,
	createJob,
	deleteJob,
	deleteRows,
	executeJob,
	getChunks,
	getJob,
	getManyJobs,
	pushFile,
	pushItems,
	uploadChunk,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dataPush'] } },
		options: [
			{
				name: 'Continuous Push',
				value: 'continuousPush',
				action: 'Send items or a file to continuous push',
				description:
					'Hand items or a file to the Continuous Data Push API (loaded on its next flush)',
			},
			{
				name: 'Create Job',
				value: 'createJob',
				action: 'Create a data push job',
				description: 'Create an empty data push job (for uploading chunks yourself)',
			},
			{ name: 'Delete Job', value: 'deleteJob', action: 'Delete a data push job' },
			{
				name: 'Delete Rows',
				value: 'deleteRows',
				action: 'Delete rows from a table',
				description: 'Remove the rows whose keys the input items carry',
			},
			{
				name: 'Execute Job',
				value: 'executeJob',
				action: 'Execute a data push job',
				description: 'Submit a job with its chunks and optionally wait for it',
			},
			{ name: 'Get Chunks', value: 'getChunks', action: 'Get the chunks of a data push job' },
			{ name: 'Get Job', value: 'getJob', action: 'Get a data push job' },
			{ name: 'Get Many Jobs', value: 'getManyJobs', action: 'Get many data push jobs' },
			{
				name: 'Push File to Table',
				value: 'pushFile',
				action: 'Push a file to a table',
				description: 'Load a CSV or Parquet file into a data pool table',
			},
			{
				name: 'Push Items to Table',
				value: 'pushItems',
				action: 'Push items to a table',
				description: 'Load the input items into a data pool table (replace or upsert)',
			},
			{ name: 'Upload Chunk', value: 'uploadChunk', action: 'Upload a chunk to a data push job' },
		],
		default: 'pushItems',
	},
	...pushItems.description,
	...pushFile.description,
	...deleteRows.description,
	...continuousPush.description,
	...createJob.description,
	...uploadChunk.description,
	...executeJob.description,
	...getJob.description,
	...getManyJobs.description,
	...getChunks.description,
	...deleteJob.description,
];
