import { isExpression, type IExecuteFunctions, type NodeTypeAndVersion } from 'n8n-workflow';

import { ParameterError } from './nodeErrors';

/**
 * "Confirm Position: In a Later Step" needs an Export Position → Confirm step after the export that names it. Both
 * ends check the wiring before they do anything, so that a typo fails the first run instead of leaving a position
 * that never moves on (every run would export the same events again) or confirming the wrong export.
 */
export type ConfirmPosition = 'nodeSucceeds' | 'laterStep';

export const CONFIRM_RESOURCE = 'exportPosition';
export const CONFIRM_OPERATION = 'confirm';

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

const isConfirmStep = (ctx: IExecuteFunctions, node: NodeTypeAndVersion) =>
	node.type === ctx.getNode().type &&
	node.parameters?.resource === CONFIRM_RESOURCE &&
	node.parameters?.operation === CONFIRM_OPERATION;

const waitsForConfirmation = (ctx: IExecuteFunctions, node: NodeTypeAndVersion) =>
	node.type === ctx.getNode().type &&
	node.parameters?.exportMode === 'incremental' &&
	node.parameters?.confirmPosition === 'laterStep';

/** The export's side: an enabled Confirm step after this node names it (or names an export by an expression). */
export function assertConfirmStepAfter(ctx: IExecuteFunctions): void {
	const name = ctx.getNode().name;
	const confirms = ctx
		.getChildNodes(name, { includeNodeParameters: true })
		.filter((node) => isConfirmStep(ctx, node) && !node.disabled);
	const named = confirms.map((node) => node.parameters?.exportNode);
	if (named.some((value) => isExpression(value) || String(value ?? '').trim() === name)) return;
	const others = named.map((value) => String(value ?? '').trim());
	throw new ParameterError(
		`"Confirm Position" is "In a Later Step", but no Export Position → Confirm step after this node names "${name}"${others.length > 0 ? ` (the Confirm steps after it name ${quoted(others)})` : ''}, so its position would never move on and every run would export the same events again. Add an Export Position → Confirm node at the end of the workflow, after the steps that must succeed, with "Export Node" = "${name}" — or set "Confirm Position" to "When This Node Succeeds". Nothing was exported.`,
	);
}

/** The Confirm step's side: `exportNode` runs before this step and waits for confirmation. */
export function assertExportBefore(ctx: IExecuteFunctions, exportNode: string): void {
	const parents = ctx.getParentNodes(ctx.getNode().name, { includeNodeParameters: true });
	const waiting = parents.filter((node) => waitsForConfirmation(ctx, node));
	const target = parents.find((node) => node.name === exportNode);
	if (!target) {
		throw new ParameterError(
			`No node named "${exportNode}" runs before this step. ${
				waiting.length > 0
					? `Exports before it whose position waits for confirmation: ${quoted(waiting.map((n) => n.name))}.`
					: 'No export before it waits for confirmation.'
			} Enter the export node's name exactly as on the canvas (names are case-sensitive), and place this step after it.`,
		);
	}
	if (!waiting.includes(target)) {
		throw new ParameterError(
			`"${exportNode}" is not a Celonis export whose position waits for confirmation: set its "Export" to "New Events Since Last Run" and its "Confirm Position" to "In a Later Step", or remove this step.`,
		);
	}
	if (target.disabled)
		throw new ParameterError(`"${exportNode}" is disabled, so it exported nothing to confirm.`);
}
