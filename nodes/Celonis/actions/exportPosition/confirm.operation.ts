import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import { assertExportBefore } from '../../helpers/confirmStep';
import { exportPositionStore } from '../../helpers/exportPositions';

/**
 * Export Position → Confirm: promotes the position an export with "Confirm Position: In a Later Step" staged in this
 * execution. Placed after the steps that must succeed (file written, webhook called): an execution that fails
 * before it never confirms, so the next run exports those events again (at least once).
 */
const properties: INodeProperties[] = [
	{
		displayName: 'Export Node',
		name: 'exportNode',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. New login events',
		description:
			'Name of the Celonis export node whose new position this step confirms (Export: New Events Since Last Run, Confirm Position: In a Later Step). Place this step after the steps that must succeed.',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['exportPosition'], operation: ['confirm'] } },
	properties,
);

/** One confirmation per execution of this step, however many items arrive. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runPerItem(this, 1, 1, async () => {
		const exportNode = String(this.getNodeParameter('exportNode', 0, '')).trim();
		if (exportNode === '')
			throw new ParameterError(
				'"Export Node" is empty: enter the name of the Celonis export node whose position this step confirms, e.g. "New login events".',
			);
		assertExportBefore(this, exportNode);
		const manual = this.getMode() === 'manual';
		const confirmed = await exportPositionStore(this).confirm(exportNode);
		if (confirmed.length === 0) {
			throw new ParameterError(
				`"${exportNode}" has no new position waiting for confirmation in this execution: it did not finish in this execution (it failed with "Continue On Fail" on, or its output comes from an earlier execution). Nothing was confirmed; the stored position stays, so the next run exports those events again.${manual ? " In the editor, run the whole workflow: executing this step alone reuses the export's earlier output." : ''}`,
			);
		}
		if (manual)
			this.addExecutionHints({
				message:
					'Manual execution: n8n does not save workflow static data for manual executions, so this confirmation is not stored. Scheduled, triggered and "n8n execute" runs store it.',
				type: 'info',
				location: 'outputPane',
			});
		return confirmed.map((position) => ({
			json: {
				exportNode,
				confirmed: true,
				watermark: position.watermark,
				previousWatermark: position.previousWatermark,
				stagedAt: position.stagedAt,
				events: position.events,
			},
			pairedItem: { item: 0 },
		}));
	});
}
