import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as auditLog from './auditLog/AuditLog.resource';
import * as connection from './connection/Connection.resource';
import * as dataJob from './dataJob/DataJob.resource';
import * as dataModel from './dataModel/DataModel.resource';
import * as dataPush from './dataPush/DataPush.resource';
import * as exportPosition from './exportPosition/ExportPosition.resource';
import * as httpRequest from './httpRequest/HttpRequest.resource';
import * as knowledgeModel from './knowledgeModel/KnowledgeModel.resource';
import type { CelonisType } from './node.type';
import * as platformAdoption from './platformAdoption/PlatformAdoption.resource';
import * as subscription from './subscription/Subscription.resource';
import * as team from './team/Team.resource';

/** resource/operation → the operation module that executes it. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0);
	const operation = this.getNodeParameter('operation', 0);
	const celonis = { resource, operation } as CelonisType;
	let output: INodeExecutionData[];
	switch (celonis.resource) {
		case 'auditLog':
			output = await auditLog[celonis.operation].execute.call(this, items);
			break;
		case 'connection':
			output = await connection[celonis.operation].execute.call(this, items);
			break;
		case 'dataJob':
			output = await dataJob[celonis.operation].execute.call(this, items);
			break;
		case 'dataModel':
			output = await dataModel[celonis.operation].execute.call(this, items);
			break;
		case 'dataPush':
			output = await dataPush[celonis.operation].execute.call(this, items);
			break;
		case 'exportPosition':
			output = await exportPosition[celonis.operation].execute.call(this);
			break;
		case 'httpRequest':
			output = await httpRequest[celonis.operation].execute.call(this, items);
			break;
		case 'knowledgeModel':
			output = await knowledgeModel[celonis.operation].execute.call(this, items);
			break;
		case 'platformAdoption':
			output = await platformAdoption[celonis.operation].execute.call(this, items);
			break;
		case 'subscription':
			output = await subscription[celonis.operation].execute.call(this, items);
			break;
		case 'team':
			output = await team[celonis.operation].execute.call(this, items);
			break;
		default:
			throw new NodeOperationError(
				this.getNode(),
				`The operation "${String(operation)}" of resource "${String(resource)}" is not supported`,
			);
	}
	return [output];
}
