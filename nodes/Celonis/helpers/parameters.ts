import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { describeOffset, jsonSyntaxErrorOffset } from './jsonSyntax';
import { ParameterError } from './nodeErrors';

/**
 * The ID of a Celonis object chosen in a resource locator (or computed by an expression): letters, digits,
 * - and _ only, so that it names one object and can never reshape the path it goes into.
 */
export function resourceIdOf(value: unknown, field: string, what: string): string {
	const id = String(value ?? '').trim();
	if (id === '') throw new ParameterError(`Choose a "${field}" from the list or enter its ID.`);
	if (!/^[A-Za-z0-9_-]+$/.test(id)) {
		throw new ParameterError(
			`"${field}" is "${id.slice(0, 80)}", which is not a ${what} ID: an ID has only letters, digits, - and _. If it comes from an expression, check what the expression returns.`,
		);
	}
	return id;
}

/** A comma-separated list of names (columns, keys), trimmed, empty entries dropped. */
export function splitNames(raw: unknown): string[] {
	return String(raw ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

/** Parses a JSON parameter and, when it is invalid, says where: line, column and the text around it. */
export function parseJsonParameter(value: unknown, field: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	const parsed = tryJsonParse(value);
	if ('value' in parsed) return parsed.value;
	const offset = jsonSyntaxErrorOffset(value);
	const where = offset === undefined ? '' : ` at ${describeOffset(value, offset)}`;
	throw new ParameterError(
		`"${field}" is not valid JSON${where}. Check quotes, commas and brackets there.`,
	);
}

function tryJsonParse(text: string): { value: unknown } | { error: Error } {
	try {
		return { value: JSON.parse(text) };
	} catch (error) {
		return { error: error as Error };
	}
}

/** A JSON parameter that must be an object of string values (query parameters, headers). */
export function parseJsonObject(value: unknown, field: string): IDataObject {
	const parsed = parseJsonParameter(value, field);
	if (parsed === undefined) return {};
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new ParameterError(`"${field}" must be a JSON object, e.g. {"name": "value"}.`);
	}
	return parsed as IDataObject;
}

export interface NameValue {
	name: string;
	value?: unknown;
}

export function pairsToObject(pairs: NameValue[] | undefined): IDataObject {
	const out: IDataObject = {};
	for (const { name, value } of pairs ?? []) {
		if (!name) continue;
		const existing = out[name];
		if (existing === undefined) out[name] = value as IDataObject[string];
		else
			out[name] = (
				Array.isArray(existing) ? [...existing, value] : [existing, value]
			) as IDataObject[string];
	}
	return out;
}

export function toStringRecord(object: IDataObject): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(object))
		out[k] = typeof v === 'string' ? v : JSON.stringify(v);
	return out;
}

/** The ID in a resource locator parameter of item `itemIndex`, checked by resourceIdOf. */
export function locatorIdOf(
	ctx: IExecuteFunctions,
	parameter: string,
	itemIndex: number,
	field: string,
	what: string,
): string {
	return resourceIdOf(
		ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true }),
		field,
		what,
	);
}

/** "Return All" / "Limit" of item `itemIndex`: undefined for all, else the limit (a positive integer). */
export function returnLimitOf(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	if (ctx.getNodeParameter('returnAll', itemIndex, true) === true) return undefined;
	const limit = Number(ctx.getNodeParameter('limit', itemIndex, 50));
	if (!Number.isInteger(limit) || limit < 1)
		throw new ParameterError(`"Limit" must be a whole number of at least 1 (got ${limit}).`);
	return limit;
}
