import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/**
 * The floor for any n8n-native node: one GET per item through n8n's own httpRequestWithAuthentication,
 * in a plain loop, no checks, no retries. The Celonis node's transport is measured against it.
 */
export class HelperLoop implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Helper Loop',
		name: 'helperLoop',
		group: ['transform'],
		version: 1,
		description: 'Benchmark baseline',
		defaults: { name: 'Helper Loop' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'celonisOAuth2Api', required: true }],
		properties: [{ displayName: 'URL', name: 'url', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const url = this.getNodeParameter('url', 0) as string;
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const json = await this.helpers.httpRequestWithAuthentication.call(this, 'celonisOAuth2Api', {
				method: 'GET',
				url,
				json: true,
			});
			out.push({ json, pairedItem: { item: i } });
		}
		return [out];
	}
}
