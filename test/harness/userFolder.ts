import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// n8n-core's InstanceSettings writes $N8N_USER_FOLDER/.n8n/config on first use (default: $HOME).
// This module must be imported before n8n-core so a test never touches the real home folder.
if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'celonis-n8n-user-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
