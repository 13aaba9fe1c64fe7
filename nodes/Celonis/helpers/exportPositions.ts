import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { corruptedPosition, type WatermarkState } from './watermark';

/**
 * Where the positions of "New Events Since Last Run" exports are kept: the one place that knows, behind a small
 * interface (async, so that a database-backed store for queue mode, where static data is last-writer-wins between
 * overlapping executions, can implement it as it is).
 *
 * This implementation keeps them in the workflow's static data, which n8n 2.41 saves at the end of every execution
 * that is not manual and not cancelled, failed executions included (execution-lifecycle-hooks.js hookFunctionsSave).
 * - "When This Node Succeeds": the node's own static data, `node:<export node>` → `{ [key]: position }`, the place
 *   positions have always been (saved workflows continue from there).
 * - "In a Later Step": the workflow's global static data, so that the Confirm step (another node) reaches it:
 *   `global.celonisExportPositions` → `{ [export node name]: { [key]: { confirmed?, pending? } } }`, where `pending`
 *   is `{ executionId, stagedAt, previousWatermark, events, position }`. A pending position counts only in the execution that
 *   staged it: the next execution continues from `confirmed` and replaces a stale pending one.
 * A confirmed global position, when there is one, is newer than the node's own (committing clears it), so both modes
 * read it first; switching the mode either way continues from the newest confirmed position.
 */
export interface ExportPositionStore {
	/** The position this node's export continues from (raw: parse it with readPosition). */
	read(key: string): Promise<PositionRead>;
	/** "When This Node Succeeds": the position counts at once. */
	commit(key: string, position: WatermarkState): Promise<void>;
	/** "In a Later Step": the position waits for a Confirm step of this execution. */
	stage(key: string, position: WatermarkState, run: StagedRun): Promise<void>;
	/** The Confirm step: the positions `exportNode` staged in this execution count from now on; [] = none. */
	confirm(exportNode: string): Promise<ConfirmedPosition[]>;
}

export interface PositionRead {
	/** the stored position; undefined = none */
	position: unknown;
	/** it was staged by this node earlier in this execution (an earlier item) and is not confirmed yet */
	stagedHere: boolean;
	/** a position staged by another execution and never confirmed */
	unconfirmed?: { executionId: string; stagedAt: string; events: number };
}

/** What a staged position records about the run that staged it. */
export interface StagedRun {
	/** the watermark the run started from */
	previousWatermark: string | null;
	/** how many events it exported */
	events: number;
}

export interface ConfirmedPosition {
	key: string;
	watermark: string;
	previousWatermark: string | null;
	stagedAt: string;
	events: number;
}

export const GLOBAL_KEY = 'celonisExportPositions';

type Slot = { confirmed?: unknown; pending?: unknown };

const isObject = (value: unknown): value is IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/** The store of this execution's workflow, seen from the node `ctx` runs. */
export function exportPositionStore(ctx: IExecuteFunctions): ExportPositionStore {
	const node = ctx.getNode().name;
	const executionId = String(ctx.getExecutionId());
	const own = () => ctx.getWorkflowStaticData('node');
	const global = () => ctx.getWorkflowStaticData('global');

	return {
		async read(key) {
			const slot = slotOf(global(), node, key);
			const pending = slot?.pending;
			if (isObject(pending) && pending.executionId === executionId)
				return { position: pending.position, stagedHere: true };
			return {
				position: slot?.confirmed !== undefined ? slot.confirmed : own()[key],
				stagedHere: false,
				unconfirmed:
					pending === undefined
						? undefined
						: {
								executionId: String((pending as IDataObject)?.executionId ?? 'unknown'),
								stagedAt: String((pending as IDataObject)?.stagedAt ?? 'unknown'),
								events: Number((pending as IDataObject)?.events) || 0,
							},
			};
		},
		async commit(key, position) {
			own()[key] = position as unknown as IDataObject;
			if (rawSlot(global(), node, key) !== undefined) writeSlot(global(), node, key, undefined);
		},
		async stage(key, position, run) {
			// Writing replaces whatever was there, a corrupted slot too (reading it failed unless Start Over was on).
			const found = rawSlot(global(), node, key);
			const slot = isObject(found) ? (found as Slot) : undefined;
			const earlier = slot?.pending;
			// A later item of the same execution continues the staged position; the confirmed one stays its origin.
			const sameExecution = isObject(earlier) && earlier.executionId === executionId;
			writeSlot(global(), node, key, {
				...(slot?.confirmed !== undefined ? { confirmed: slot.confirmed } : {}),
				pending: {
					executionId,
					stagedAt: new Date().toISOString(),
					previousWatermark: sameExecution
						? ((earlier.previousWatermark as string | null | undefined) ?? null)
						: run.previousWatermark,
					events: run.events + (sameExecution ? Number(earlier.events) || 0 : 0),
					position: position as unknown as IDataObject,
				},
			});
		},
		async confirm(exportNode) {
			const confirmed: ConfirmedPosition[] = [];
			const byNode = nodeEntry(global(), exportNode);
			for (const key of Object.keys(byNode ?? {})) {
				const pending = slotOf(global(), exportNode, key)?.pending;
				if (!isObject(pending) || pending.executionId !== executionId) continue;
				const position = pending.position as IDataObject | undefined;
				writeSlot(global(), exportNode, key, { confirmed: position });
				confirmed.push({
					key,
					watermark: String(position?.watermark),
					previousWatermark: (pending.previousWatermark as string | null | undefined) ?? null,
					stagedAt: String(pending.stagedAt),
					events: Number(pending.events) || 0,
				});
			}
			return confirmed;
		},
	};
}

function nodeEntry(global: IDataObject, node: string): IDataObject | undefined {
	const all = global[GLOBAL_KEY];
	if (all === undefined) return undefined;
	if (!isObject(all)) throw corruptedPosition(`the workflow's "${GLOBAL_KEY}" is not an object`);
	const entry = all[node];
	if (entry === undefined) return undefined;
	if (!isObject(entry))
		throw corruptedPosition(`the workflow's "${GLOBAL_KEY}" entry of "${node}" is not an object`);
	return entry;
}

function slotOf(global: IDataObject, node: string, key: string): Slot | undefined {
	const slot = nodeEntry(global, node)?.[key];
	if (slot === undefined) return undefined;
	if (!isObject(slot))
		throw corruptedPosition(`the workflow's "${GLOBAL_KEY}" entry of "${node}" is not an object`);
	return slot as Slot;
}

/** The slot as stored, whatever it is (for writing over it). */
function rawSlot(global: IDataObject, node: string, key: string): unknown {
	const all = global[GLOBAL_KEY];
	if (!isObject(all)) return all;
	const entry = all[node];
	return isObject(entry) ? entry[key] : entry;
}

/**
 * Replaces one slot. n8n marks static data as changed (and saves it) when a property of an object it loaded is set
 * (ObservableObject); objects assigned during the execution are plain, and changes inside them would go unnoticed.
 * So the whole `celonisExportPositions` object is assigned anew.
 */
function writeSlot(global: IDataObject, node: string, key: string, slot: Slot | undefined): void {
	const all = { ...(isObject(global[GLOBAL_KEY]) ? global[GLOBAL_KEY] : {}) };
	const entry = { ...(isObject(all[node]) ? all[node] : {}) };
	if (slot === undefined) delete entry[key];
	else entry[key] = slot as IDataObject;
	if (Object.keys(entry).length > 0) all[node] = entry;
	else delete all[node];
	if (Object.keys(all).length > 0) global[GLOBAL_KEY] = all;
	else delete global[GLOBAL_KEY];
}
