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

/** The emulator's request counter now: pass it to jobCreationsSince. */
export function requestSeq(emu: Emulator): number {
	return emu.store.requestLog.list(1)[0]?.seq ?? 0;
}

/** How many requests to create a data push job the emulator answered after request `seq`. */
export function jobCreationsSince(emu: Emulator, seq: number): number {
	return emu.store.requestLog
		.list()
		.filter(
			(e) => e.seq > seq && e.method === 'POST' && /\/data-push\/[^/]+\/jobs\/?$/.test(e.path),
		).length;
}

let tableCounter = 0;
export const freshTable = (prefix = 'T') =>
	`${prefix}_${Date.now().toString(36).toUpperCase()}_${++tableCounter}`;

/**
 * A CSV file with everything that makes cutting it hard: a UTF-8 BOM, CRLF line ends, a header, quoted
 * fields with CRLF, LF and CR inside, doubled quotes, separators inside quotes, multi-byte characters,
 * quoted empty strings ("") next to nulls (empty, unquoted). Deterministic for a seed.
 */
export function trickyCsv(rows: number, seed = 1): { text: string; columns: string[] } {
	const columns = ['id', 'name', 'note', 'amount', 'flag'];
	let state = seed;
	const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const words = [
		'plain',
		'comma, inside',
		'quote "inside"',
		'line\r\nbreak',
		'lf\nonly',
		'cr\ronly',
		'ünïcødé €',
		'  spaced  ',
		'',
		',',
		'"',
		'\r\n',
	];
	const pick = () => words[Math.floor(random() * words.length)];
	const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
	const lines = [columns.join(',')];
	for (let i = 0; i < rows; i++) {
		const note = Array.from({ length: 1 + Math.floor(random() * 12) }, pick).join(' ');
		lines.push(
			[
				String(i),
				quote(pick() + pick()),
				quote(note),
				random() < 0.2 ? '' : (random() * 1000).toFixed(2),
				random() < 0.5 ? '""' : '',
			].join(','),
		);
	}
	return { text: `\uFEFF${lines.map((line) => `${line}\r\n`).join('')}`, columns };
}
