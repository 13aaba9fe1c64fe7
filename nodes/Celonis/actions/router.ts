import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as auditLog from './auditLog/AuditLog.resource';
import * as dataJob from './dataJob/DataJob.resource';
import * as dataModel from './dataModel/DataModel.resource';
import * as dataPush from './dataPush/DataPush.resource';
import * as exportPosition from './exportPosition/ExportPosition.resource';
import * as httpRequest from './httpRequest/HttpRequest.resource';
import * as platformAdoption from './platformAdoption/PlatformAdoption.resource';
import * as team from './team/Team.resource';

type Operation = {
	execute: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
};

const resources: Record<string, Record<string, Operation>> = {
	httpRequest: { request: httpRequest.request },
	dataPush: {
		continuousPush: dataPush.continuousPush,
		createJob: dataPush.createJob,
		deleteJob: dataPush.deleteJob,
		deleteRows: dataPush.deleteRows,
		executeJob: dataPush.executeJob,
		getChunks: dataPush.getChunks,
		getJob: dataPush.getJob,
		getManyJobs: dataPush.getManyJobs,
		pushFile: dataPush.pushFile,
		pushItems: dataPush.pushItems,
		uploadChunk: dataPush.uploadChunk,
	},
	dataModel: { reload: dataModel.reload },
	dataJob: { execute: dataJob.execute },
	auditLog: { getAll: auditLog.getAll },
	exportPosition: { confirm: exportPosition.confirm },
	team: { getLoginHistory: team.getLoginHistory, getMembers: team.getMembers },
	platformAdoption: { getTrackingEvents: platformAdoption.getTrackingEvents },
};

/** resource/operation → the operation module that executes it. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = resources[resource]?.[operation];
	if (!handler || typeof handler.execute !== 'function') {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}
	return [await handler.execute.call(this, items)];
}
