/** All mutable state of one emulator instance. Tests read it directly via `emu.store`. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	defaultConfig,
	deepMerge,
	type ConfigPatch,
	type EmulatorConfig,
	configSchema,
} from './config';
import { FaultEngine } from './faults';
import { allEvents, type GeneratedLog } from './generatedLog';
import { RequestLog } from './requestLog';
import { RateWindow, SubmissionLimiter } from './rateLimit';
import type { Seed, SeedKnowledgeModel } from './seed';
import { SubscriptionEngine } from './subscriptionEngine';
import { Tables, type Column } from './tables';
import {
	generateTeamData,
	type AuditEvent,
	type LoginEvent,
	type TeamData,
	type TrackingEvent,
} from './teamData';
import { TokenStore } from './tokens';

export type SeedUser = Seed['users'][number];
export type SeedAppKey = Seed['appKeys'][number];
export type SeedClient = Seed['oauthClients'][number];

export type PushJobStatus = 'NEW' | 'QUEUED' | 'RUNNING' | 'DONE' | 'ERROR' | 'CANCELED';
export interface PushChunk {
	id: string;
	type: 'UPSERT' | 'DELETE';
	file: string;
	size: number;
	checksum: string;
	creationDate: string;
	fileType: 'CSV' | 'PARQUET';
}
export interface PushJob {
	id: string;
	dataPoolId: string;
	targetName: string;
	connectionId: string | null;
	type: 'REPLACE' | 'DELTA';
	fileType: 'CSV' | 'PARQUET' | null;
	keys: string[];
	status: PushJobStatus;
	logs: string[];
	tableSchema: {
		tableName?: string;
		columns: {
			columnName: string;
			columnType: Column['type'];
			fieldLength?: number | null;
			decimals?: number | null;
			pkField?: boolean | null;
		}[];
	} | null;
	csvParsingOptions: Record<string, unknown> | null;
	upsertStrategy: string | null;
	fallbackVarcharLength: number | null;
	extra: Record<string, unknown>;
	chunks: PushChunk[];
	createdAt: number;
	lastModified: number;
	duplicateRemovalColumn?: string;
	/** via which prefix it was created */
	prefix: string;
}

export interface ContinuousItem {
	id: string;
	poolId: string;
	targetName: string;
	connectionId: string | null;
	clientId: string | null;
	fileName: string;
	bucketId: string;
	flushStatus: 'new' | 'flushed' | 'error';
	fallbackVarcharLength: number | null;
	upsertStrategy: string | null;
	primaryKeys: string[];
	file: string;
	size: number;
	createdAt: string;
	logs: string[];
}

export interface ModelLoad {
	dataLoadId: string;
	poolId: string;
	dataModelId: string;
	loadType: 'COMPLETE' | 'FROM_CACHE' | 'PARTIAL';
	loadStatus: string;
	startDate: number;
	endDate: number | null;
	message: string | null;
	tableIds?: string[];
}
export interface DataJobExecution {
	executionId: string;
	poolId: string;
	jobId: string;
	mode: string;
	status: 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'FAIL' | 'CANCEL';
	startDate: number;
	endDate: number | null;
}

export class Store {
	config: EmulatorConfig;
	readonly tokens = new TokenStore();
	readonly requestLog: RequestLog;
	tables = new Tables();
	pushJobs = new Map<string, PushJob>();
	continuousItems: ContinuousItem[] = [];
	modelLoads: ModelLoad[] = [];
	dataJobExecutions: DataJobExecution[] = [];
	team!: TeamData;
	readonly faults = new FaultEngine();
	readonly pushLimiter = new SubmissionLimiter();
	readonly genericLimiter = new RateWindow(1000);
	readonly nominalWindow = new RateWindow(3600_000);
	readonly intelligenceSecond = new RateWindow(1000);
	readonly intelligenceDay = new RateWindow(86_400_000);
	apiKeys = new Map<string, SeedUser>();
	appKeys = new Map<string, SeedAppKey>();
	clients = new Map<string, SeedClient>();
	usersByEmail = new Map<string, SeedUser>();
	/** scratch directory for uploaded chunks (streamed to disk, never held in memory) */
	readonly chunkDir: string;
	private timers = new Set<NodeJS.Timeout>();
	/** the seed's knowledge models; the inspection API can delete some (until reset) */
	knowledgeModels: SeedKnowledgeModel[] = [];
	readonly subscriptions = new SubscriptionEngine(
		() => this.config.subscriptions,
		(fn, ms) => this.schedule(fn, ms),
	);

	constructor(public seed: Seed) {
		this.config = configSchema.parse(deepMerge(defaultConfig(), seed.config ?? {}));
		this.requestLog = new RequestLog(this.config.requestLogLimit);
		this.chunkDir = mkdtempSync(join(tmpdir(), 'celonis-emulator-'));
		this.load();
	}

	private load(): void {
		this.apiKeys = new Map();
		this.usersByEmail = new Map();
		for (const u of this.seed.users) {
			this.usersByEmail.set(u.email.toLowerCase(), u);
			for (const k of u.apiKeys) this.apiKeys.set(k, u);
		}
		this.appKeys = new Map(this.seed.appKeys.map((a) => [a.key, a]));
		this.clients = new Map(this.seed.oauthClients.map((c) => [c.clientId, c]));
		this.tables = new Tables();
		for (const pool of this.seed.dataPools) {
			for (const t of pool.tables) {
				const table = this.tables.ensure(pool.id, t.name, t.connectionId);
				table.columns = t.columns.map((c) => ({
					name: c.name,
					type: c.type,
					fieldLength: c.type === 'STRING' ? (c.fieldLength ?? 80) : null,
				}));
				table.rows = t.rows.map((r) => ({ ...r }));
			}
		}
		this.knowledgeModels = structuredClone(this.seed.knowledgeModels);
		this.subscriptions.clear();
		this.pushJobs = new Map();
		this.continuousItems = [];
		this.modelLoads = [];
		this.dataJobExecutions = [];
		this.team = generateTeamData(this.config.generated);
		this.faults.set(this.seed.faults);
		this.pushLimiter.clear();
		this.genericLimiter.clear();
		this.nominalWindow.clear();
		this.intelligenceSecond.clear();
		this.intelligenceDay.clear();
	}

	/** Back to the seed state (config, data, tokens, jobs, faults, request log). */
	reset(): void {
		this.clearTimers();
		this.config = configSchema.parse(deepMerge(defaultConfig(), this.seed.config ?? {}));
		this.requestLog.limit = this.config.requestLogLimit;
		this.requestLog.clear();
		this.tokens.clear();
		rmSync(this.chunkDir, { recursive: true, force: true });
		mkdirSync(this.chunkDir, { recursive: true });
		this.load();
	}

	configure(patch: ConfigPatch): EmulatorConfig {
		const next = configSchema.parse(deepMerge(this.config, patch));
		const regenerate = JSON.stringify(next.generated) !== JSON.stringify(this.config.generated);
		this.config = next;
		this.requestLog.limit = next.requestLogLimit;
		if (regenerate) {
			const old = this.team;
			this.team = generateTeamData(next.generated);
			// keep events appended at run time
			this.team.audit.append(allEvents(old.audit).slice(old.audit.count));
			this.team.logins.append(allEvents(old.logins).slice(old.logins.count));
			this.team.tracking.append(allEvents(old.tracking).slice(old.tracking.count));
		}
		return next;
	}

	get audit(): GeneratedLog<AuditEvent> & { all(): AuditEvent[] } {
		return withAll(this.team.audit);
	}
	get logins(): GeneratedLog<LoginEvent> & { all(): LoginEvent[] } {
		return withAll(this.team.logins);
	}
	get tracking(): GeneratedLog<TrackingEvent> & { all(): TrackingEvent[] } {
		return withAll(this.team.tracking);
	}

	schedule(fn: () => void, ms: number): void {
		const t = setTimeout(() => {
			this.timers.delete(t);
			fn();
		}, ms);
		t.unref?.();
		this.timers.add(t);
	}

	clearTimers(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
	}

	close(): void {
		this.clearTimers();
		this.subscriptions.clear();
		rmSync(this.chunkDir, { recursive: true, force: true });
	}

	pool(id: string): Seed['dataPools'][number] | undefined {
		return this.seed.dataPools.find((p) => p.id === id);
	}
}

function withAll<T>(log: GeneratedLog<T>): GeneratedLog<T> & { all(): T[] } {
	const l = log as GeneratedLog<T> & { all?: () => T[] };
	if (!l.all) l.all = () => allEvents(log);
	return l as GeneratedLog<T> & { all(): T[] };
}
