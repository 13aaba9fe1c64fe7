import type {
	ICredentialDataDecryptedObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { normalizeTeamUrl, teamUrlHasScheme } from '../../shared/teamUrl';
import { authorizeForTeam } from './authorize';
import { CelonisAuthError, type TeamTarget } from './errors';
import { describeStatus, sendRaw, triedNote } from './http';

export type KeyScheme = 'Bearer' | 'AppKey';

const KEY_KIND: Record<KeyScheme, { name: string; credential: string; where: string }> = {
	Bearer: {
		name: 'a User API key',
		credential: 'Celonis API Key',
		where: 'Edit Profile → API Keys',
	},
	AppKey: {
		name: 'an Application key',
		credential: 'Celonis Application Key',
		where: 'Admin & Settings → Applications',
	},
};

export function readKey(value: unknown, scheme: KeyScheme): string {
	const key = typeof value === 'string' ? value.trim() : '';
	const kind = KEY_KIND[scheme];
	if (key === '')
		throw new CelonisAuthError(`Enter ${kind.name} (created in Celonis under ${kind.where}).`);
	if (/^(bearer|appkey)\s/i.test(key)) {
		throw new CelonisAuthError(
			'Paste only the key itself, without a "Bearer " or "AppKey " prefix: the credential adds the right prefix.',
		);
	}
	if (/[\r\n]/.test(key))
		throw new CelonisAuthError('The key contains a line break. Paste it again as a single line.');
	// Celonis keys are printable ASCII; anything else would be altered on its way into the header.
	if (/[^\x21-\x7e]/.test(key)) {
		throw new CelonisAuthError(
			'The key contains a space or a character that is not printable ASCII (e.g. a typographic quote or an invisible character picked up while copying). Paste it again exactly as Celonis shows it.',
		);
	}
	return key;
}

async function probe(helper: IHttpRequestHelper, team: TeamTarget, scheme: KeyScheme, key: string) {
	return await sendRaw(helper, team, 'the key check', {
		method: 'GET',
		url: `${team.origin}/api/cloud/team`,
		headers: { Authorization: `${scheme} ${key}`, Accept: 'application/json' },
		json: true,
	});
}

/**
 * Checks a static key the way Celonis' own clients do (content-cli, pycelonis: `GET /api/cloud/team`),
 * and when the team rejects it, tries the other key type to tell a User API key from an Application key.
 * Returns the team domain when the key is accepted.
 */
export async function checkStaticKey(
	helper: IHttpRequestHelper,
	teamUrl: unknown,
	keyValue: unknown,
	scheme: KeyScheme,
): Promise<string> {
	const origin = normalizeTeamUrl(teamUrl);
	const team: TeamTarget = { origin, schemeAssumed: !teamUrlHasScheme(teamUrl) };
	const key = readKey(keyValue, scheme);
	const response = await probe(helper, team, scheme, key);
	const domain = (response.body as { domain?: unknown } | undefined)?.domain;

	if (response.status === 200 && typeof domain === 'string' && domain !== '') return domain;
	// Authenticated, but without the permission for this endpoint: the key itself is fine.
	if (response.status === 403) return 'unknown';
	if (response.status === 401) {
		const other: KeyScheme = scheme === 'Bearer' ? 'AppKey' : 'Bearer';
		const retry = await probe(helper, team, other, key);
		if (retry.status === 200 || retry.status === 403) {
			return Promise.reject(
				new CelonisAuthError(
					`This is ${KEY_KIND[other].name}, not ${KEY_KIND[scheme].name}: the team accepts it only as "${other} <key>". ` +
						`Use the "${KEY_KIND[other].credential}" credential for it.`,
				),
			);
		}
		return Promise.reject(
			new CelonisAuthError(
				`The team ${origin} rejected the key (HTTP 401). Check that it is complete and still active ` +
					`(${KEY_KIND[scheme].where}), and that it belongs to this team.`,
			),
		);
	}
	if (response.status === 429) {
		throw new CelonisAuthError(
			`The team ${origin} is rate limiting requests (HTTP 429)${triedNote(response)}. Try again in a minute.`,
		);
	}
	if (response.status >= 500) {
		throw new CelonisAuthError(
			`The team ${origin} failed to answer (${describeStatus(response)})${triedNote(response)}. Try again later.`,
		);
	}
	throw new CelonisAuthError(
		`${origin} does not look like a Celonis team: ${origin}/api/cloud/team answered ${describeStatus(response)}. ` +
			'Check the Team URL (https://<team>.<realm>.celonis.cloud).',
	);
}

/** preAuthentication of a static-key credential: the key check, whose result n8n stores in `keyCheck`. */
export function staticKeyPreAuthentication(scheme: KeyScheme, keyField: string) {
	return async function (this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return {
			keyCheck: await checkStaticKey(this, credentials.teamUrl, credentials[keyField], scheme),
		};
	};
}

/** authenticate of a static-key credential: `Authorization: <scheme> <key>`, only towards the team. */
export function staticKeyAuthenticate(scheme: KeyScheme, keyField: string) {
	return async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) =>
		authorizeForTeam(
			credentials.teamUrl,
			requestOptions,
			`${scheme} ${readKey(credentials[keyField], scheme)}`,
		);
}
