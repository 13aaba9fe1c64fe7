import { stateChangeOperation } from './stateChange';

/** PATCH .../subscriptions/{id}/resume-from-latest: Celonis drops the events it kept and delivers only new ones. */
export const { description, execute } = stateChangeOperation(
	'resumeFromLatest',
	'resume-from-latest',
);
