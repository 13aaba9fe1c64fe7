import type { AllEntities } from 'n8n-workflow';

/** Every resource of the Celonis node with its operations: the router's switch is checked against it. */
type NodeMap = {
	auditLog: 'getAll';
	connection: 'check';
	dataJob: 'execute';
	dataModel: 'reload';
	dataPush:
		| 'continuousPush'
		| 'createJob'
		| 'deleteJob'
		| 'deleteRows'
		| 'executeJob'
		| 'getChunks'
		| 'getJob'
		| 'getManyJobs'
		| 'pushFile'
		| 'pushItems'
		| 'uploadChunk';
	exportPosition: 'confirm';
	httpRequest: 'request';
	platformAdoption: 'getTrackingEvents';
	team: 'getLoginHistory' | 'getMembers';
};

export type CelonisType = AllEntities<NodeMap>;
