import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { exportFields } from '../common.descriptions';
import { runExport } from '../../services/exportRunner';
import { teamPaths } from '../../transport/api/eventLogs';

/** Login History (Team API, docs/celonis-api.md, "Team API"): GET /api/external/authentication-events, pageNumber ≤ 200. */
export const description = updateDisplayOptions(
	{ show: { resource: ['team'], operation: ['getLoginHistory'] } },
	exportFields({ incremental: true, window: true }),
);

export const LOGIN_COLUMNS = ['timestamp', 'authenticationEventType', 'email', 'success'] as const;

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items.length, 1, async (i) => {
		return await runExport.call(this, i, {
			label: 'login history',
			fileStem: 'celonis-login-history',
			path: teamPaths.loginHistory,
			style: 'pageNumber',
			knownColumns: LOGIN_COLUMNS,
			window: true,
			stateKey: 'loginHistory',
		});
	});
}
