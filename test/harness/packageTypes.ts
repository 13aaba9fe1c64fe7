import './userFolder';

import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { ICredentialType, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { EmitItems } from './fixtureNodes';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-celonis';

export interface LoadedTypes {
	nodes: Record<string, INodeType | IVersionedNodeType>;
	credentials: Record<string, ICredentialType>;
	loader: PackageDirectoryLoader;
}

let cached: Promise<LoadedTypes> | undefined;

/**
 * Loads the built package (dist/) exactly as n8n loads a community package, plus the few
 * n8n-nodes-base nodes the tests combine it with (trigger, HTTP Request, NoOp, Code-free helpers).
 */
export async function loadTypes(): Promise<LoadedTypes> {
	cached ??= (async () => {
		const loader = new PackageDirectoryLoader(REPO_ROOT);
		await loader.loadAll();
		const nodes: LoadedTypes['nodes'] = {};
		for (const [name, { type }] of Object.entries(loader.nodeTypes))
			nodes[`${PACKAGE_NAME}.${name}`] = type;
		const credentials: LoadedTypes['credentials'] = {};
		for (const [name, { type }] of Object.entries(loader.credentialTypes)) credentials[name] = type;
		Object.assign(nodes, baseNodes());
		Object.assign(credentials, baseCredentials());
		return { nodes, credentials, loader };
	})();
	return await cached;
}

/** An n8n-nodes-base node or credential type, by its file under n8n-nodes-base/dist/ and class name. */
export function requireBase<T>(relative: string, exportName: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const mod = require(`n8n-nodes-base/dist/${relative}`) as Record<string, new () => T>;
	return new mod[exportName]();
}

function baseNodes(): LoadedTypes['nodes'] {
	return {
		'n8n-nodes-base.manualTrigger': requireBase(
			'nodes/ManualTrigger/ManualTrigger.node.js',
			'ManualTrigger',
		),
		'n8n-nodes-base.httpRequest': requireBase(
			'nodes/HttpRequest/HttpRequest.node.js',
			'HttpRequest',
		),
		'n8n-nodes-base.noOp': requireBase('nodes/NoOp/NoOp.node.js', 'NoOp'),
		'test.emitItems': new EmitItems(),
	};
}

function baseCredentials(): LoadedTypes['credentials'] {
	return {
		httpHeaderAuth: requireBase('credentials/HttpHeaderAuth.credentials.js', 'HttpHeaderAuth'),
		// The parent of the authorization-code credential: n8n-core routes its requests through requestOAuth2.
		oAuth2Api: requireBase('credentials/OAuth2Api.credentials.js', 'OAuth2Api'),
	};
}
