import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { runPerItem } from '../../helpers/itemRunner';
import { ParameterError } from '../../helpers/nodeErrors';
import {
	pairsToObject,
	parseJsonObject,
	parseJsonParameter,
	toStringRecord,
	type NameValue,
} from '../../helpers/parameters';
import { toOutputItems, toBinaryItem } from '../../helpers/output';
import {
	celonisRequest,
	getPath,
	paginate,
	retryPolicyOf,
	type CelonisRequestOptions,
	type RetryOptionValues,
	type PaginationStyle,
	type ResponseFormat,
} from '../../transport';
import { requestProperties } from './request.description';

export const description = updateDisplayOptions(
	{ show: { resource: ['httpRequest'], operation: ['request'] } },
	requestProperties,
);

interface RequestOptions extends RetryOptionValues {
	allowWriteFromAi?: boolean;
	concurrency?: number;
	fullResponse?: boolean;
	neverError?: boolean;
	binaryPropertyName?: string;
	responseFormat?: 'auto' | 'file' | 'json' | 'text';
	retryNonIdempotent?: boolean;
	splitIntoItems?: boolean;
	splitField?: string;
	timeout?: number;
}

const READ_METHODS: IHttpRequestMethods[] = ['GET', 'HEAD'];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const { concurrency = 5 } = this.getNodeParameter('options', 0, {}) as RequestOptions;
	return await runPerItem(
		this,
		items.length,
		concurrency,
		async (i) => await sendForItem.call(this, i),
	);
}

async function sendForItem(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const method = this.getNodeParameter('method', i) as IHttpRequestMethods;
	const options = this.getNodeParameter('options', i, {}) as RequestOptions;
	if (this.isToolExecution() && !READ_METHODS.includes(method) && !options.allowWriteFromAi) {
		throw new NodeOperationError(
			this.getNode(),
			`As an AI agent tool, this Celonis node may only read (GET, HEAD); ${method} was refused. A person can allow writes with the node option "Allow Write Requests From AI Agents".`,
			{ itemIndex: i },
		);
	}
	const responseFormat = options.responseFormat ?? 'auto';
	const request: CelonisRequestOptions = {
		method,
		path: this.getNodeParameter('path', i) as string,
		qs: queryOf.call(this, i),
		headers: headersOf.call(this, i),
		responseFormat: (responseFormat === 'file' ? 'binary' : responseFormat) as ResponseFormat,
		timeout: options.timeout,
		neverError: options.neverError,
		itemIndex: i,
		retry: { ...retryPolicyOf(options), retryNonIdempotent: options.retryNonIdempotent ?? false },
		...(await bodyOf.call(this, i)),
	};

	const pagination = this.getNodeParameter('pagination', i, 'none') as PaginationStyle;
	if (pagination !== 'none') {
		const returnAll = this.getNodeParameter('returnAll', i, true) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		const out: INodeExecutionData[] = [];
		for await (const page of paginate(this, request, {
			style: pagination,
			itemsField: this.getNodeParameter('itemsField', i, 'content') as string,
			pageSize:
				pagination === 'auto' ? undefined : (this.getNodeParameter('pageSize', i, 200) as number),
			maxPages: this.getNodeParameter('maxPages', i, 1000) as number,
			limit,
		})) {
			out.push(...toOutputItems(page.items));
			if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
		}
		return out;
	}

	const response = await celonisRequest.call(this, request);
	if (Buffer.isBuffer(response.body)) {
		return [await toBinaryItem(this, response, options.binaryPropertyName ?? 'data', request.path)];
	}
	if (options.fullResponse) {
		return [
			{
				json: {
					statusCode: response.status,
					headers: response.headers,
					body: response.body as IDataObject,
				},
			},
		];
	}
	if (options.splitIntoItems) {
		const list = getPath(response.body, options.splitField ?? '');
		if (Array.isArray(list)) return toOutputItems(list);
	}
	return toOutputItems([response.body]);
}

function queryOf(this: IExecuteFunctions, i: number): IDataObject | undefined {
	if (!this.getNodeParameter('sendQuery', i, false)) return undefined;
	if (this.getNodeParameter('specifyQuery', i, 'keypair') === 'json')
		return parseJsonObject(this.getNodeParameter('jsonQuery', i, '{}'), 'Query Parameters (JSON)');
	return pairsToObject(
		(this.getNodeParameter('queryParameters.parameters', i, []) as NameValue[]) ?? [],
	);
}

function headersOf(this: IExecuteFunctions, i: number): Record<string, string> | undefined {
	if (!this.getNodeParameter('sendHeaders', i, false)) return undefined;
	const headers =
		this.getNodeParameter('specifyHeaders', i, 'keypair') === 'json'
			? parseJsonObject(this.getNodeParameter('jsonHeaders', i, '{}'), 'Headers (JSON)')
			: pairsToObject(this.getNodeParameter('headerParameters.parameters', i, []) as NameValue[]);
	return toStringRecord(headers);
}

type BodyParts = Pick<CelonisRequestOptions, 'body' | 'makeBody' | 'headers'>;

async function bodyOf(this: IExecuteFunctions, i: number): Promise<Partial<BodyParts>> {
	if (!this.getNodeParameter('sendBody', i, false)) return {};
	const contentType = this.getNodeParameter('contentType', i, 'json') as string;
	const extraHeaders = headersOf.call(this, i) ?? {};
	switch (contentType) {
		case 'json': {
			const body =
				this.getNodeParameter('specifyBody', i, 'json') === 'json'
					? parseJsonParameter(this.getNodeParameter('jsonBody', i, '{}'), 'Body (JSON)')
					: pairsToObject(this.getNodeParameter('bodyParameters.parameters', i, []) as NameValue[]);
			if (body === undefined) return {};
			// Scalars and arrays are valid JSON bodies too: send them serialised with the right type.
			if (typeof body !== 'object' || Array.isArray(body) || body === null) {
				return {
					body: JSON.stringify(body),
					headers: { ...extraHeaders, 'Content-Type': 'application/json' },
				};
			}
			return { body: body as IDataObject };
		}
		case 'form-urlencoded': {
			const form = new URLSearchParams();
			for (const { name, value } of (this.getNodeParameter(
				'formFields.parameters',
				i,
				[],
			) as NameValue[]) ?? []) {
				if (name) form.append(name, String(value ?? ''));
			}
			return {
				body: form.toString(),
				headers: { ...extraHeaders, 'Content-Type': 'application/x-www-form-urlencoded' },
			};
		}
		case 'multipart-form-data': {
			const fields =
				(this.getNodeParameter('formParameters.parameters', i, []) as Array<
					NameValue & { parameterType: string; inputDataFieldName?: string }
				>) ?? [];
			for (const field of fields) {
				if (field.parameterType === 'formBinaryData')
					this.helpers.assertBinaryData(i, field.inputDataFieldName ?? 'data');
			}
			// A multipart body can be sent once; the transport asks for a new one for every attempt.
			const makeBody = async (): Promise<IHttpRequestOptions['body']> => {
				const form = new FormData();
				for (const field of fields) {
					if (!field.name) continue;
					if (field.parameterType === 'formBinaryData') {
						const property = field.inputDataFieldName ?? 'data';
						const meta = this.helpers.assertBinaryData(i, property);
						const buffer = await this.helpers.getBinaryDataBuffer(i, property);
						form.append(
							field.name,
							new Blob([buffer], { type: meta.mimeType }),
							meta.fileName ?? 'file',
						);
					} else {
						form.append(field.name, String(field.value ?? ''));
					}
				}
				return form;
			};
			return { makeBody };
		}
		case 'binaryData': {
			const property = this.getNodeParameter('inputDataFieldName', i, 'data') as string;
			const meta = this.helpers.assertBinaryData(i, property);
			const buffer = await this.helpers.getBinaryDataBuffer(i, property);
			return {
				body: buffer,
				headers: { ...extraHeaders, 'Content-Type': meta.mimeType || 'application/octet-stream' },
			};
		}
		case 'raw':
			return {
				body: this.getNodeParameter('rawBody', i, '') as string,
				headers: {
					...extraHeaders,
					'Content-Type':
						(this.getNodeParameter('rawContentType', i, 'text/plain') as string) || 'text/plain',
				},
			};
		default:
			throw new ParameterError(`Unknown body content type "${contentType}".`);
	}
}
