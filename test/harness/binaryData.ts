import './userFolder';

import 'reflect-metadata';

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BinaryDataConfig, BinaryDataService } from 'n8n-core';

// n8n-core has its own copy of @n8n/di: use that container.
const { Container } = createRequire(require.resolve('n8n-core'))(
	'@n8n/di',
) as typeof import('@n8n/di');

/**
 * Switches this process's n8n binary data to the filesystem mode (the n8n 2.x default in regular mode):
 * files from prepareBinaryData are stored under a scratch folder and carry an `id`; getBinaryStream reads
 * them from disk. Without this, the in-process engine keeps binary data in memory (base64 in the item).
 * Returns the storage folder and a cleanup function.
 */
export async function useFilesystemBinaryData(): Promise<{ storage: string; cleanup: () => void }> {
	const storage = mkdtempSync(join(tmpdir(), 'celonis-n8n-binary-'));
	const config = Container.get(BinaryDataConfig);
	config.mode = 'filesystem';
	config.localStoragePath = storage;
	await Container.get(BinaryDataService).init();
	return { storage, cleanup: () => rmSync(storage, { recursive: true, force: true }) };
}
