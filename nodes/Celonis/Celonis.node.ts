import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as auditLog from './actions/auditLog/AuditLog.resource';
import * as connection from './actions/connection/Connection.resource';
import * as dataJob from './actions/dataJob/DataJob.resource';
import * as dataModel from './actions/dataModel/DataModel.resource';
import * as dataPush from './actions/dataPush/DataPush.resource';
import * as exportPosition from './actions/exportPosition/ExportPosition.resource';
import * as httpRequest from './actions/httpRequest/HttpRequest.resource';
import * as knowledgeModel from './actions/knowledgeModel/KnowledgeModel.resource';
import * as platformAdoption from './actions/platformAdoption/PlatformAdoption.resource';
import * as subscription from './actions/subscription/Subscription.resource';
import * as team from './actions/team/Team.resource';
import { authenticationProperty, celonisCredentials } from './actions/common.descriptions';
import { router } from './actions/router';
import * as listSearch from './methods/listSearch';
import * as loadOptions from './methods/loadOptions';

export class Celonis implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Celonis',
		name: 'celonis',
		icon: { light: 'file:../../icons/celonis.svg', dark: 'file:../../icons/celonis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Call any Celonis API, push data into data pools and export audit logs',
		defaults: { name: 'Celonis' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// The Confirm step of an export only works on the workflow's stored positions: no credential.
		credentials: celonisCredentials.map((c) => ({
			...c,
			displayOptions: { ...c.displayOptions, hide: { resource: ['exportPosition'] } },
		})),
		properties: [
			{ ...authenticationProperty, displayOptions: { hide: { resource: ['exportPosition'] } } },
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Audit Log', value: 'auditLog', description: 'Export the team audit log' },
					{
						name: 'Connection',
						value: 'connection',
						description: 'Check what the credential can do',
					},
					{ name: 'Data Job', value: 'dataJob', description: 'Run the data jobs of a data pool' },
					{ name: 'Data Model', value: 'dataModel', description: 'Reload data models' },
					{
						name: 'Data Push',
						value: 'dataPush',
						description: 'Push items or files into data pool tables',
					},
					{
						name: 'Export Position',
						value: 'exportPosition',
						description: 'Confirm the position of an incremental export at the end of a workflow',
					},
					{ name: 'HTTP Request', value: 'httpRequest', description: 'Any Celonis API path' },
					{
						name: 'Knowledge Model',
						value: 'knowledgeModel',
						description: 'Read knowledge models: records, record data, KPIs, filters',
					},
					{
						name: 'Platform Adoption',
						value: 'platformAdoption',
						description: 'Studio adoption tracking events',
					},
					{
						name: 'Subscription',
						value: 'subscription',
						description: 'Event subscriptions to Knowledge Model triggers',
					},
					{ name: 'Team', value: 'team', description: 'Login history and members' },
				],
				default: 'httpRequest',
			},
			...httpRequest.description,
			...connection.description,
			...dataPush.description,
			...dataModel.description,
			...dataJob.description,
			...auditLog.description,
			...team.description,
			...platformAdoption.description,
			...exportPosition.description,
			...knowledgeModel.description,
			...subscription.description,
		],
	};

	methods = {
		listSearch: {
			searchDataJobs: listSearch.searchDataJobs,
			searchDataModels: listSearch.searchDataModels,
			searchDataPools: listSearch.searchDataPools,
			searchKnowledgeModels: listSearch.searchKnowledgeModels,
			searchRecords: listSearch.searchRecords,
			searchSubscriptions: listSearch.searchSubscriptions,
			searchTriggers: listSearch.searchTriggers,
		},
		loadOptions: {
			getKnowledgeModelFilters: loadOptions.getKnowledgeModelFilters,
			getRecordFields: loadOptions.getRecordFields,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
