import { stateChangeOperation } from './stateChange';

/** PATCH .../subscriptions/{id}/pause: Celonis stops delivering and keeps the events of the meantime until the subscription is resumed. */
export const { description, execute } = stateChangeOperation('pause', 'pause');
