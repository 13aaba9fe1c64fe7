import {
	describeErrorBody,
	mayHaveActed,
	redactSecrets,
	type RequestDescription,
	toNodeApiError,
} from '../../nodes/Celonis/transport/errors';
import { toFailure } from '../../nodes/Celonis/transport/responses';

describe('describeErrorBody reads every Celonis error shape', () => {
	it.each([
		[
			'errorDTO',
			{
				title: 'Access Denied.',
				status: 403,
				detail: 'Access is denied',
				errorCode: 'ADMIN_ACCESS_ERROR',
			},
			'Access Denied: Access is denied (ADMIN_ACCESS_ERROR)',
		],
		['authErrorDTO', { error: 'Unauthorized' }, 'Unauthorized'],
		[
			'RFC 7807 Problem',
			{ type: 'about:blank', title: 'Conflict', status: 409, detail: 'Conversation busy' },
			'Conflict: Conversation busy',
		],
		[
			'FrontendHandledBackendError',
			{
				frontendErrorKey: 'DATA_PUSH_JOB_INVALID',
				errorInformation: 'keys are required for DELTA',
			},
			'keys are required for DELTA (DATA_PUSH_JOB_INVALID)',
		],
		[
			'ExceptionReference',
			{ reference: 'ref-1', message: 'Internal failure', shortMessage: 'fail' },
			'Internal failure [reference ref-1]',
		],
		[
			'validation errors',
			{ errors: [{ attribute: 'targetName', error: 'must not be empty', errorCode: 'NOT_EMPTY' }] },
			'targetName: must not be empty',
		],
		[
			'CelonisValidationError array',
			[{ attribute: 'query', error: 'too long' }],
			'query: too long',
		],
		[
			'OAuth error',
			{ error: 'invalid_scope', error_description: 'Scope(s) not allowed' },
			'Scope(s) not allowed',
		],
		['JSON string body', '"Job is not in status NEW"', 'Job is not in status NEW'],
		['plain text', 'targetName is required', 'targetName is required'],
		[
			'bytes',
			Buffer.from(
				'{"title":"Rate limit exceeded","detail":"try again at 06:10:41 UTC","errorCode":"LIMIT_RATE_EXCEEDED"}',
			),
			'Rate limit exceeded: try again at 06:10:41 UTC (LIMIT_RATE_EXCEEDED)',
		],
	])('%s', (_label, body, expected) => {
		expect(describeErrorBody(body)).toBe(expected);
	});

	it.each([[undefined], [''], [Buffer.alloc(0)], ['<html><body>502</body></html>']])(
		'has nothing to say for %p',
		(body) => {
			expect(describeErrorBody(body)).toBeUndefined();
		},
	);
});

describe('redactSecrets', () => {
	it('removes tokens and keys from any text', () => {
		expect(
			redactSecrets('sent Authorization: Bearer abc.def-ghi and AppKey K3y==; Basic dXNlcjpwYXNz'),
		).toBe('sent Authorization: Bearer *** and AppKey ***; Basic ***');
	});
});

describe('an ended sign-in (n8n’s "reconnect" error from its OAuth2 renewal)', () => {
	const reconnect = Object.assign(new Error('The credential "x" needs to be reconnected.'), {
		failure: { cause: 'credential-invalid' },
	});

	it('is recognised, also when n8n wrapped it', () => {
		expect(toFailure(reconnect).consentEnded).toBe(true);
		expect(toFailure({ message: 'wrapped', cause: reconnect }).consentEnded).toBe(true);
		expect(toFailure(new Error('something else')).consentEnded).toBeUndefined();
	});

	it('never counts as a write that may have acted (nothing was processed)', () => {
		expect(mayHaveActed(toFailure(reconnect), 'POST')).toBe(false);
	});
});

describe('a refused data push job submission (HTTP 429) is named by what ran out', () => {
	const node = {
		id: 'n1',
		name: 'Celonis',
		type: 'n8n-nodes-celonis.celonis',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
	};
	const request: RequestDescription = {
		method: 'POST',
		path: '/data-ingestion/api/v1/data-push/pool-1/jobs/job-1',
		auth: {
			authentication: 'appKey',
			credentialType: 'celonisAppKeyApi',
			credentialKey: 'k',
			credentialName: 'Celonis',
			origin: 'https://team.eu-1.celonis.cloud',
			schemeAssumed: false,
		},
	};
	const refused = (limit: string, resetSeconds: number) =>
		toNodeApiError(
			node,
			{
				status: 429,
				headers: { 'x-ratelimit-limit': limit, 'x-ratelimit-reset': String(resetSeconds) },
				body: undefined,
			},
			request,
		).message;

	it.each([3, 20, 59, 61, 1800])(
		'the hourly budget, resetting in %i s at the full hour (not the per-second limit)',
		(seconds) => {
			expect(refused('250', seconds)).toMatch(
				/^Celonis' data push submission budget is used up \(250 jobs per hour for the team\); it resets at/,
			);
		},
	);

	it('the per-second limit, which frees up within a second or two', () => {
		expect(refused('10', 1)).toMatch(
			/^Celonis rate-limited the submission of data push job job-1; the limit resets at .* \(in 1 s\)/,
		);
	});
});
