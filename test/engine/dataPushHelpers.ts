import type { Emulator } from '../../emulator';
import { DEMO, oauthData } from '../harness/emulator';
import { celonisNode, emitItems } from '../harness/builders';
import { Engine, type NodeSpec } from '../harness/engine';

export const POOL = 'b7a3c9e0-1f2d-4c5b-9a8e-000000000001';
export const CONNECTION = 'c0n0e0c0-0000-4000-8000-000000000011';
export const MODEL = 'd4a7a000-0000-4000-8000-000000000101';
export const DATA_JOB = 'j0b00000-0000-4000-8000-000000000201';

export type Row = Record<string, unknown>;

export async function engineWith(emu: Emulator, scopes: string[] = ['integration.data-pools']) {
	const engine = await Engine.create();
	const creds = engine.addCredential(
		'celonisOAuth2Api',
		oauthData(emu.url, DEMO.client, { scopes }),
	);
	return { engine, creds };
}

export const input = emitItems;

/** The Celonis node on the Data Push resource, pool 1 chosen by ID. */
export const celonis = (
	creds: NodeSpec['credentials'],
	parameters: Record<string, unknown>,
	extra: Partial<NodeSpec> = {},
): NodeSpec =>
	celonisNode(
		{ resource: 'dataPush', dataPool: { __rl: true, mode: 'id', value: POOL }, ...parameters },
		creds,
		extra,
	);

export function tableRows(emu: Emulator, table: string, pool = POOL): Row[] | undefined {
	return emu.store.tables.find(pool, table)?.rows as Row[] | undefined;
}

/** What the table must hold for these items: every column of the union, missing fields as null. */
export function expectedRows(rows: Row[]): Row[] {
	const columns: string[] = [];
	for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
	return rows
		.filter((r) => Object.keys(r).length > 0)
		.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
}

export function jobsOf(emu: Emulator) {
	return [...emu.store.pushJobs.values()];
}

let tableCounter = 0;
export const freshTable = (prefix = 'T') =>
	`${prefix}_${Date.now().toString(36).toUpperCase()}_${++tableCounter}`;
