import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/**
 * Test-only node `test.emitItems`: outputs the items given as JSON in its `items` parameter, and, when
 * `binary` is set ({property: {data: base64 | text, fileName, mimeType}}), attaches files prepared with
 * n8n's own prepareBinaryData. Lets engine tests feed any input into the Celonis node.
 */
export class EmitItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Emit Items',
		name: 'emitItems',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Emit Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' },
			{ displayName: 'Binary', name: 'binary', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		const rawBinary = this.getNodeParameter('binary', 0, '{}') as string | IDataObject;
		const binarySpec = (
			typeof rawBinary === 'string' ? JSON.parse(rawBinary) : rawBinary
		) as Record<string, { data?: string; text?: string; fileName?: string; mimeType?: string }>;
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const item: INodeExecutionData = { json: items[i], pairedItem: { item: 0 } };
			for (const [property, spec] of Object.entries(binarySpec)) {
				const buffer =
					spec.text !== undefined
						? Buffer.from(spec.text, 'utf8')
						: Buffer.from(spec.data ?? '', 'base64');
				item.binary = {
					...(item.binary ?? {}),
					[property]: await this.helpers.prepareBinaryData(buffer, spec.fileName, spec.mimeType),
				};
			}
			out.push(item);
		}
		return [out];
	}
}
