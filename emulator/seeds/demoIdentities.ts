/** The identities of the demo seed (demo.json), for tests, the demo and `npm run dev`; a test keeps them in step with the seed. */
export const DEMO = {
	apiKey: 'demo-user-api-key',
	appKey: 'demo-app-key',
	appKeyNoPermissions: 'demo-app-key-no-permissions',
	client: { id: 'demo-client', secret: 'demo-client-secret' },
	basicOnly: { id: 'demo-basic-client', secret: 'demo-basic-secret' },
	postOnly: { id: 'demo-post-client', secret: 'demo-post-secret' },
	auditOnly: { id: 'demo-audit-client', secret: 'demo-audit-secret' },
	noPermissions: { id: 'demo-noperm-client', secret: 'demo-noperm-secret' },
} as const;
