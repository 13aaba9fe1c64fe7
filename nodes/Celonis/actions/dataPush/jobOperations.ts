import type { INodeProperties } from 'n8n-workflow';

import { ParameterError } from '../../shared/parameters';

export const jobIdProperty: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 3f2c6a1e-…',
	description: 'ID of the data push job (the "ID" of Create Job or Get Many Jobs)',
};

export function requireJobId(value: unknown): string {
	const id = String(value ?? '').trim();
	if (id === '') throw new ParameterError('Enter the "Job ID" of the data push job.');
	if (!/^[A-Za-z0-9_-]+$/.test(id))
		throw new ParameterError(
			`"${id.slice(0, 80)}" is not a data push job ID (letters, digits, - and _ only).`,
		);
	return id;
}
