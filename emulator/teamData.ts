/** Deterministic, realistic, time-ordered team data: audit log, login history, tracking events, members. */
import { GeneratedLog } from './generatedLog';
import { hash32, pick } from './prng';
import type { EmulatorConfig } from './config';

export interface AuditEvent {
	userId: string;
	userRole: string;
	event: string;
	timestamp: string;
	message: Record<string, unknown>;
	ipAddress: string | null;
	port: string | null;
	diffPayload: { newValue: string; oldValue: string } | null;
}
export interface LoginEvent {
	authenticationEventType: string;
	email: string;
	success: boolean;
	timestamp: string;
}
export interface TrackingEvent {
	id: string;
	type: string;
	timestamp: string;
	userId: string;
	userEmail: string;
	assetId: string;
	assetType: string;
	assetName: string;
	packageKey: string;
	spaceId: string;
	action: string;
}
export interface Member {
	userId: string;
	nameAndEmail: string;
	userRole: string;
	status: string;
	lastLogin: string;
	inactivityPeriod: number;
	group: { name: string; teamRole: string }[];
	internal: boolean;
}

const FIRST = [
	'Anna',
	'Ben',
	'Chloe',
	'David',
	'Elif',
	'Farid',
	'Greta',
	'Hugo',
	'Ines',
	'Jonas',
	'Kira',
	'Luca',
	'Mia',
	'Noah',
	'Olga',
	'Paul',
	'Rosa',
	'Sven',
	'Tara',
	'Umar',
];
const LAST = [
	'Schmidt',
	'Rossi',
	'Novak',
	'Garcia',
	'Kowalski',
	'Dubois',
	'Jensen',
	'Silva',
	'Yilmaz',
	'Berg',
	'Moreau',
	'Fischer',
];
const ROLES = ['ADMIN', 'MEMBER', 'ANALYST', 'VIEWER'];
const AUDIT_EVENTS: {
	event: string;
	message: (h: number) => Record<string, unknown>;
	diff?: boolean;
}[] = [
	{
		event: 'STUDIO_NODE_UPDATED',
		diff: true,
		message: (h) => ({
			nodeName: `View ${h % 97}`,
			packageKey: `package-${h % 13}`,
			nodeKey: `view-${h % 97}`,
			id: `node-${h % 5000}`,
			nodeType: 'ASSET',
			nodeId: `node-${h % 5000}`,
			assetType: 'VIEW',
		}),
	},
	{
		event: 'STUDIO_NODE_CREATED',
		message: (h) => ({
			nodeName: `Analysis ${h % 71}`,
			packageKey: `package-${h % 13}`,
			nodeKey: `analysis-${h % 71}`,
			nodeType: 'ASSET',
			assetType: 'ANALYSIS',
		}),
	},
	{
		event: 'STUDIO_PACKAGE_PUBLISHED',
		message: (h) => ({ packageKey: `package-${h % 13}`, version: `1.${h % 40}.0` }),
	},
	{ event: 'USER_LOGGED_IN', message: () => ({ method: 'SSO' }) },
	{
		event: 'DATA_POOL_UPDATED',
		diff: true,
		message: (h) => ({ dataPoolId: `pool-${h % 7}`, name: `Pool ${h % 7}` }),
	},
	{
		event: 'DATA_JOB_EXECUTED',
		message: (h) => ({
			dataPoolId: `pool-${h % 7}`,
			dataJobId: `job-${h % 19}`,
			mode: h % 2 ? 'DELTA' : 'FULL',
		}),
	},
	{ event: 'API_KEY_CREATED', message: (h) => ({ keyName: `integration-${h % 23}` }) },
	{
		event: 'USER_PERMISSIONS_CHANGED',
		diff: true,
		message: (h) => ({ targetUserId: `user-${h % 50}`, service: 'package-manager' }),
	},
	{ event: 'OAUTH_CLIENT_CREATED', message: (h) => ({ clientName: `client-${h % 11}` }) },
	{
		event: 'TEAM_SETTINGS_UPDATED',
		diff: true,
		message: () => ({ setting: 'loginHistoryRetention' }),
	},
];
const LOGIN_TYPES = [
	'LOGIN',
	'LOGIN_SSO',
	'LOGIN_CELONIS_ID',
	'LOGIN_OIDC',
	'LOGOUT',
	'BAD_CREDENTIALS',
	'INVALID_2FA_TOKEN',
	'ACCOUNT_TEMPORARILY_LOCKED',
];
const ASSET_TYPES = ['VIEW', 'ANALYSIS', 'KNOWLEDGE_MODEL', 'ACTION_FLOW', 'SKILL'];
const ACTIONS = ['VIEWED', 'OPENED', 'EDITED', 'SHARED'];

function personAt(i: number): {
	userId: string;
	name: string;
	email: string;
	role: string;
	internal: boolean;
} {
	const first = FIRST[i % FIRST.length] as string;
	const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
	const internal = i % 10 === 9;
	const email =
		`${first}.${last}${i >= FIRST.length * LAST.length ? i : ''}@${internal ? 'celonis.com' : 'example.com'}`.toLowerCase();
	return {
		userId: `u-${(1000 + i).toString(16)}-${(i * 7919).toString(36)}`,
		name: `${first} ${last}`,
		email,
		role: pick(ROLES, i),
		internal,
	};
}

/**
 * Timestamp function: slot(i) = i - floor((i+1)/7) makes every 7th event share the timestamp of its predecessor;
 * a per-slot jitter below one step keeps the sequence non-decreasing.
 */
function timeline(
	count: number,
	anchorMs: number,
	spanMs: number,
	seed: number,
	salt: number,
): (i: number) => number {
	const slots = Math.max(1, count - Math.floor(count / 7));
	const step = Math.max(2, Math.floor(spanMs / slots));
	const start = anchorMs - slots * step;
	return (i: number) => {
		const slot = i - Math.floor((i + 1) / 7);
		return start + slot * step + (hash32(seed, slot, salt) % Math.floor(step / 2));
	};
}

function anchorOf(cfg: EmulatorConfig['generated']): number {
	if (cfg.anchor === 'now') return Math.floor(Date.now() / 1000) * 1000;
	const t = Date.parse(cfg.anchor);
	if (Number.isNaN(t)) throw new Error(`generated.anchor is not an ISO date: ${cfg.anchor}`);
	return t;
}

export interface TeamData {
	audit: GeneratedLog<AuditEvent>;
	logins: GeneratedLog<LoginEvent>;
	tracking: GeneratedLog<TrackingEvent>;
	members: Member[];
}

export function generateTeamData(cfg: EmulatorConfig['generated']): TeamData {
	const anchor = anchorOf(cfg);
	const span = cfg.spanDays * 86_400_000;
	const seed = cfg.seed;
	const people = Math.max(1, cfg.members);

	/** A log of `count` events whose i-th event `make` builds for its timestamp; `stream` separates the timelines. */
	const log = <T extends { timestamp: string }>(
		count: number,
		stream: number,
		make: (i: number, ts: number) => T,
	): GeneratedLog<T> =>
		new GeneratedLog<T>(count, timeline(count, anchor, span, seed, stream), make, (e) =>
			Date.parse(e.timestamp),
		);

	const audit = log<AuditEvent>(cfg.auditEvents, 1, (i, ts) => {
		const h = hash32(seed, i, 11);
		const kind = pick(AUDIT_EVENTS, h);
		const p = personAt(h % people);
		const h2 = hash32(seed, i, 12);
		return {
			userId: p.userId,
			userRole: p.role,
			event: kind.event,
			timestamp: new Date(ts).toISOString(),
			message: { ...kind.message(h2), eventId: `audit-${seed}-${i}` },
			ipAddress: h2 % 5 === 0 ? null : `10.${h2 % 256}.${(h2 >>> 8) % 256}.${(h2 >>> 16) % 256}`,
			port: h2 % 3 === 0 ? null : String(8000 + (h2 % 1000)),
			diffPayload: kind.diff
				? {
						oldValue: JSON.stringify({ v: h2 % 10 }),
						newValue: JSON.stringify({ v: (h2 % 10) + 1 }),
					}
				: null,
		};
	});

	const logins = log<LoginEvent>(cfg.loginEvents, 2, (i, ts) => {
		const h = hash32(seed, i, 21);
		const type = h % 10 < 7 ? pick(LOGIN_TYPES.slice(0, 4), h >>> 4) : pick(LOGIN_TYPES, h >>> 4);
		return {
			authenticationEventType: type,
			email: personAt(h % people).email,
			success: !['BAD_CREDENTIALS', 'INVALID_2FA_TOKEN', 'ACCOUNT_TEMPORARILY_LOCKED'].includes(
				type,
			),
			timestamp: new Date(ts).toISOString(),
		};
	});

	const tracking = log<TrackingEvent>(cfg.trackingEvents, 3, (i, ts) => {
		const h = hash32(seed, i, 31);
		const p = personAt(h % people);
		const assetType = pick(ASSET_TYPES, h >>> 3);
		return {
			id: `track-${seed}-${i}`,
			type: 'STUDIO_ASSET',
			timestamp: new Date(ts).toISOString(),
			userId: p.userId,
			userEmail: p.email,
			assetId: `asset-${h % 211}`,
			assetType,
			assetName: `${assetType.toLowerCase().replace('_', ' ')} ${h % 211}`,
			packageKey: `package-${h % 13}`,
			spaceId: `space-${h % 5}`,
			action: pick(ACTIONS, h >>> 6),
		};
	});

	const members: Member[] = [];
	for (let i = 0; i < cfg.members; i++) {
		const p = personAt(i);
		const h = hash32(seed, i, 41);
		const last = new Date(anchor - (h % (30 * 86_400_000)));
		members.push({
			userId: p.userId,
			nameAndEmail: `${p.name} (${p.email})`,
			userRole: p.role === 'ADMIN' ? 'ADMIN' : 'MEMBER',
			status: h % 11 === 0 ? 'Inactive' : 'Active',
			lastLogin: formatLastLogin(last),
			inactivityPeriod: Math.floor((anchor - last.getTime()) / 86_400_000),
			group:
				h % 3 === 0
					? []
					: [
							{
								name: pick(['Analysts', 'Data Engineers', 'Process Owners'], h >>> 5),
								teamRole: pick(['ANALYST', 'MEMBER', 'ADMIN'], h >>> 7),
							},
						],
			internal: p.internal,
		});
	}
	return { audit, logins, tracking, members };
}

/** "12/10/2023, 6:49:07 AM UTC" — the human format of the Team API's lastLogin. */
function formatLastLogin(d: Date): string {
	const h = d.getUTCHours();
	const h12 = h % 12 === 0 ? 12 : h % 12;
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}, ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'} UTC`;
}
