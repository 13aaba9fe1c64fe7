import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { FileBody } from '../../helpers/fileBody';
import { fileFormData } from '../multipart';
import { celonisRequest } from '../request';
import type { RetryPolicy } from '../retry';

/**
 * The Continuous Data Push API (docs/celonis-api.md, "Continuous Data Push API"): files posted to a pool's
 * `items`; Celonis buffers them and loads them into the table on its next flush.
 */
export const continuousItemsPath = (poolId: string) =>
	`/continuous-batch-processing/api/v1/${encodeURIComponent(poolId)}/items`;

export interface ContinuousUpload {
	poolId: string;
	/** targetName, clientId, connectionId, primaryKeys, upsertStrategy, fallbackVarcharLength */
	qs: IDataObject;
	body: FileBody;
	fileName: string;
	/**
	 * Whether sending the same file twice changes nothing (rows are upserted by primary keys). Otherwise a
	 * file is sent again only when Celonis said it did not take it (503); after a lost answer it is not,
	 * as it may have landed and would then land twice.
	 */
	idempotent: boolean;
	retry?: Partial<RetryPolicy>;
	itemIndex?: number;
}

export async function uploadContinuous(
	ctx: IExecuteFunctions,
	upload: ContinuousUpload,
): Promise<IDataObject> {
	const response = await celonisRequest.call(ctx, {
		method: 'POST',
		path: continuousItemsPath(upload.poolId),
		qs: upload.qs,
		makeBody: () => fileFormData('file', upload.fileName, upload.body),
		responseFormat: 'json',
		itemIndex: upload.itemIndex,
		retry: { ...upload.retry, retryNonIdempotent: upload.idempotent },
		...(upload.idempotent
			? {}
			: { reconcile: async (failure) => (failure.status === 503 ? 'resend' : 'give up') }),
	});
	return (response.body ?? {}) as IDataObject;
}
