/** What operations and services may use of the transport; the rest stays inside it. */
export {
	readTeamAuth,
	authenticationOf,
	credentialTypeOf,
	type Authentication,
	type CelonisContext,
	type TeamAuth,
} from './authentication';
export { celonisRequest, type CelonisRequestOptions, type Reconciled } from './request';
export { type CelonisResponse, type HttpFailure, type ResponseFormat } from './responses';
export {
	paginate,
	detectStyle,
	getPath,
	PaginationError,
	type PaginationOptions,
	type PaginationStyle,
	type Page,
} from './pagination';
export { DEFAULT_RETRY, retryPolicyOf, type RetryOptionValues, type RetryPolicy } from './retry';
export { describeErrorBody, redactSecrets } from './errors';
