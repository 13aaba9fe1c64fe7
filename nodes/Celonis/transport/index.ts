export {
	readTeamAuth,
	authenticationOf,
	credentialTypeOf,
	type Authentication,
	type CelonisContext,
	type TeamAuth,
} from './authentication';
export {
	celonisRequest,
	toFailure,
	type CelonisRequestOptions,
	type CelonisResponse,
	type Reconciled,
	type ResponseFormat,
} from './request';
export {
	paginate,
	detectStyle,
	getPath,
	PaginationError,
	type PaginationOptions,
	type PaginationStyle,
	type Page,
} from './pagination';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
export { describeErrorBody, redactSecrets } from './errors';
export { scopeRuleFor, SCOPE_RULES } from '../../../shared/scopeRules';
