import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** One item per value: objects as they are, anything else (numbers, strings, lists) under `value`. */
export function toOutputItems(values: unknown[]): INodeExecutionData[] {
	return values.map((value) =>
		value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)
			? { json: value as IDataObject }
			: { json: { value: value as IDataObject[string] } },
	);
}

/** The file name from Content-Disposition (RFC 6266, incl. `filename*=UTF-8''…`), else from the path. */
export function fileNameOf(headers: Record<string, string>, path: string): string {
	const disposition = headers['content-disposition'] ?? '';
	const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)?''([^;]+)/.exec(disposition);
	if (extended) {
		try {
			return decodeURIComponent(extended[1].trim());
		} catch {
			// fall through to the plain form
		}
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
	if (plain) return plain[1].trim();
	const last = path.split('?')[0].split('/').filter(Boolean).pop();
	return last && last.length > 0 ? last : 'download';
}

export async function toBinaryItem(
	ctx: IExecuteFunctions,
	response: { status: number; headers: Record<string, string>; body: unknown },
	property: string,
	path: string,
): Promise<INodeExecutionData> {
	const buffer = Buffer.isBuffer(response.body)
		? response.body
		: Buffer.from(
				typeof response.body === 'string' ? response.body : JSON.stringify(response.body),
			);
	const mimeType = (response.headers['content-type'] ?? 'application/octet-stream')
		.split(';')[0]
		.trim();
	const binary = await ctx.helpers.prepareBinaryData(
		buffer,
		fileNameOf(response.headers, path),
		mimeType,
	);
	return {
		json: {
			statusCode: response.status,
			fileName: binary.fileName,
			mimeType: binary.mimeType,
			fileSize: buffer.length,
		},
		binary: { [property]: binary },
	};
}
