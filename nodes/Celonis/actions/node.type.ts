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
	knowledgeModel: 'getAll' | 'getFilters' | 'getKpis' | 'getRecordData' | 'getRecords';
	platformAdoption: 'getTrackingEvents';
	subscription:
		| 'delete'
		| 'get'
		| 'getAll'
		| 'getFailedEvents'
		| 'pause'
		| 'replayFromOffset'
		| 'resume'
		| 'resumeFromLatest';
	team: 'getLoginHistory' | 'getMembers';
};

export type CelonisType = AllEntities<NodeMap>;
