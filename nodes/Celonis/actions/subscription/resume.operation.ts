import { stateChangeOperation } from './stateChange';

/** PATCH .../subscriptions/{id}/resume: Celonis delivers the events it kept (while paused or failed), then new ones. */
export const { description, execute } = stateChangeOperation('resume', 'resume');
