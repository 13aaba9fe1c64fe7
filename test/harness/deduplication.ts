import { createHash } from 'node:crypto';

import { DataDeduplicationService } from 'n8n-core';
import type {
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

/**
 * The database behind n8n's deduplication helpers, for the in-process engine: a port of the n8n CLI's
 * DeduplicationHelper (n8n/dist/deduplication/deduplication-helper.js, 2.41.1) over an in-memory table with the
 * same primary key (workflowId, context), so that, as in Postgres or SQLite, inserting a row that exists fails.
 * Each call reads the row, awaits, then writes: the same read-modify-write as n8n's, concurrency included.
 * The real thing is exercised by the e2e (SQLite) and queue-mode (Postgres) suites.
 */
type Row = { mode: string; data: unknown };

class ProcessedDataTable {
	readonly rows = new Map<string, Row>();
	private key = (workflowId: string, context: string) => `${workflowId}\u0000${context}`;
	async findOne(workflowId: string, context: string): Promise<Row | undefined> {
		await tick();
		const row = this.rows.get(this.key(workflowId, context));
		return row ? (JSON.parse(JSON.stringify(row)) as Row) : undefined;
	}
	async insert(workflowId: string, context: string, value: Row): Promise<void> {
		await tick();
		const key = this.key(workflowId, context);
		if (this.rows.has(key))
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		this.rows.set(key, JSON.parse(JSON.stringify(value)) as Row);
	}
	async update(workflowId: string, context: string, value: Row): Promise<void> {
		await tick();
		const key = this.key(workflowId, context);
		if (this.rows.has(key)) this.rows.set(key, JSON.parse(JSON.stringify(value)) as Row);
	}
	async delete(workflowId: string, context: string): Promise<void> {
		await tick();
		this.rows.delete(this.key(workflowId, context));
	}
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class InMemoryDeduplicator implements IDataDeduplicator {
	readonly table = new ProcessedDataTable();

	private context(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
		if (scope === 'node') {
			if (!contextData.node)
				throw new Error("No node information has been provided and so cannot use scope 'node'");
			return `n:${contextData.node.id}`;
		}
		return '';
	}

	private hash(value: unknown): string {
		return createHash('md5').update(String(value)).digest('base64');
	}

	async checkProcessedAndRecord(
		items: Array<string | number>,
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		const workflowId = String(contextData.workflow.id);
		const context = this.context(scope, contextData);
		const row = await this.table.findOne(workflowId, context);
		if (row && row.mode !== options.mode)
			throw new Error(
				'Deduplication data was originally saved with an incompatible setting of the ‘Keep Items Where’ parameter.',
			);
		if (options.mode !== 'entries')
			throw new Error(`mode ${options.mode} is not ported to the harness`);
		const hashed = items.map((item) => this.hash(item));
		if (!row) {
			if (options.maxEntries) hashed.splice(0, hashed.length - options.maxEntries);
			await this.table.insert(workflowId, context, { mode: options.mode, data: hashed });
			return { new: items, processed: [] };
		}
		const output: IDeduplicationOutput = { new: [], processed: [] };
		if (!Array.isArray(row.data)) return output;
		const data = row.data as string[];
		const known = new Set(data);
		hashed.forEach((value, index) => {
			if (known.has(value)) output.processed.push(items[index]);
			else {
				output.new.push(items[index]);
				data.push(value);
			}
		});
		if (options.maxEntries) data.splice(0, data.length - options.maxEntries);
		await this.table.update(workflowId, context, row);
		return output;
	}

	async removeProcessed(
		items: Array<string | number>,
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<void> {
		if (options.mode !== 'entries')
			throw new Error('Removing processed data is not possible in mode "latest"');
		const workflowId = String(contextData.workflow.id);
		const context = this.context(scope, contextData);
		const row = await this.table.findOne(workflowId, context);
		if (!row || !Array.isArray(row.data)) return;
		const data = row.data as string[];
		for (const value of items.map((item) => this.hash(item))) {
			const index = data.indexOf(value);
			if (index !== -1) data.splice(index, 1);
		}
		await this.table.update(workflowId, context, row);
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		await this.table.delete(String(contextData.workflow.id), this.context(scope, contextData));
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<number> {
		const row = await this.table.findOne(
			String(contextData.workflow.id),
			this.context(scope, contextData),
		);
		return options.mode === 'entries' && row && Array.isArray(row.data) ? row.data.length : 0;
	}
}

let installed: InMemoryDeduplicator | undefined;

/** The harness's deduplication store, installed once into n8n-core (as the n8n CLI installs its own at start). */
export async function deduplicationStore(): Promise<InMemoryDeduplicator> {
	if (!installed) {
		installed = new InMemoryDeduplicator();
		await DataDeduplicationService.init(installed);
	}
	return installed;
}
