import fs from 'node:fs';
import path from 'node:path';

import { DEMO } from '../../emulator/seeds/demoIdentities';

test('the exported demo identities are the ones the demo seed defines', () => {
	const seed = JSON.parse(
		fs.readFileSync(path.join(__dirname, '../../emulator/seeds/demo.json'), 'utf8'),
	) as {
		users: Array<{ apiKeys: string[] }>;
		appKeys: Array<{ key: string }>;
		oauthClients: Array<{ clientId: string; clientSecret: string }>;
	};
	expect(seed.users.flatMap((u) => u.apiKeys)).toContain(DEMO.apiKey);
	expect(seed.appKeys.map((a) => a.key)).toEqual(
		expect.arrayContaining([DEMO.appKey, DEMO.appKeyNoPermissions]),
	);
	const clients = seed.oauthClients.map((c) => ({ id: c.clientId, secret: c.clientSecret }));
	for (const client of [
		DEMO.client,
		DEMO.basicOnly,
		DEMO.postOnly,
		DEMO.auditOnly,
		DEMO.noPermissions,
	])
		expect(clients).toContainEqual(client);
});
