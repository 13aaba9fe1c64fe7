/** The seed file: the team the emulator pretends to be (zod schema + loader). Documented in emulator/README.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configPatchSchema } from './config';
import { faultRuleSchema } from './faultSchema';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

const columnSchema = z.object({
	name: z.string().min(1),
	type: z.enum(['INTEGER', 'DATE', 'TIME', 'DATETIME', 'FLOAT', 'BOOLEAN', 'STRING']),
	fieldLength: z.number().int().positive().optional(),
});

const tableSchema = z.object({
	name: z.string().min(1),
	connectionId: z.string().optional(),
	columns: z.array(columnSchema),
	rows: z.array(z.record(z.unknown())).default([]),
});

const dataPoolSchema = z.object({
	id: z.string().min(1),
	name: z.string().min(1),
	description: z.string().nullable().default(null),
	dataConnections: z
		.array(z.object({ id: z.string(), name: z.string(), type: z.string().default('SAP') }))
		.default([]),
	dataModels: z
		.array(
			z.object({
				id: z.string(),
				name: z.string(),
				tables: z
					.array(
						z.object({
							id: z.string(),
							name: z.string(),
							alias: z.string().nullable().default(null),
							dataSourceId: z.string().nullable().default(null),
						}),
					)
					.default([]),
			}),
		)
		.default([]),
	dataJobs: z
		.array(
			z.object({
				id: z.string(),
				name: z.string(),
				dataSourceId: z.string().nullable().default(null),
			}),
		)
		.default([]),
	tables: z.array(tableSchema).default([]),
});

const fieldSchema = z.object({
	id: z.string(),
	name: z.string(),
	type: z.string().default('string'),
	format: z.string().default(''),
	unit: z.string().default(''),
	description: z.string().default(''),
});

const knowledgeModelSchema = z.object({
	id: z.string(),
	name: z.string(),
	published: z.boolean().default(true),
	records: z
		.array(
			z.object({
				id: z.string(),
				name: z.string(),
				description: z.string().default(''),
				fields: z.array(fieldSchema),
				rows: z.array(z.record(z.unknown())).default([]),
			}),
		)
		.default([]),
	kpis: z
		.array(
			z.object({
				id: z.string(),
				name: z.string(),
				description: z.string().default(''),
				format: z.string().default(''),
				unit: z.string().default(''),
				value: z.unknown().optional(),
			}),
		)
		.default([]),
	filters: z
		.array(
			z.object({
				id: z.string(),
				name: z.string(),
				description: z.string().default(''),
				/** what the filter keeps, in the filterExpr syntax (emulator only; not in the API's filter list) */
				filterExpr: z.string().optional(),
			}),
		)
		.default([]),
	triggers: z
		.array(
			z.object({
				id: z.string(),
				name: z.string(),
				record: z.string(),
				fields: z
					.array(
						z.object({
							name: z.string(),
							type: z.string().default('string'),
							format: z.string().default(''),
							unit: z.string().default(''),
						}),
					)
					.default([]),
			}),
		)
		.default([]),
});

const seedSchema = z.object({
	team: z.object({
		id: z.string().default('00000000-0000-4000-8000-00000000demo'),
		domain: z.string().min(1),
		name: z.string().min(1),
		realm: z.string().default('eu-1'),
	}),
	/** Celonis permission names used in the seed: see README ("Permissions"). `*` = all. */
	users: z
		.array(
			z.object({
				id: z.string(),
				email: z.string(),
				name: z.string(),
				role: z.string().default('ADMIN'),
				apiKeys: z.array(z.string()).default([]),
				permissions: z.array(z.string()).default([]),
			}),
		)
		.default([]),
	appKeys: z
		.array(
			z.object({
				key: z.string().min(1),
				name: z.string(),
				id: z.string().optional(),
				permissions: z.array(z.string()).default([]),
			}),
		)
		.default([]),
	oauthClients: z
		.array(
			z.object({
				clientId: z.string().min(1),
				clientSecret: z.string().min(1),
				name: z.string().default(''),
				authMethods: z.array(z.enum(AUTH_METHODS)).min(1),
				grantTypes: z
					.array(z.enum(['client_credentials', 'authorization_code', 'refresh_token']))
					.default(['client_credentials', 'authorization_code', 'refresh_token']),
				scopes: z.array(z.string()),
				permissions: z.array(z.string()).default([]),
				/** Exact matches; a loopback http URI matches on any port (docs/celonis-api.md#authorization-code). */
				redirectUris: z
					.array(
						z
							.string()
							.refine(
								(u) => URL.canParse(u) && !u.includes('#'),
								'an absolute URI without fragment',
							),
					)
					.default([]),
				/** Seeded user (email) preselected on the consent page (else the first user). */
				consentUser: z.string().optional(),
			}),
		)
		.default([]),
	dataPools: z.array(dataPoolSchema).default([]),
	knowledgeModels: z.array(knowledgeModelSchema).default([]),
	agents: z.array(z.object({ id: z.string(), name: z.string() })).default([]),
	config: configPatchSchema.optional(),
	faults: z.array(faultRuleSchema).default([]),
});

export type Seed = z.infer<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;
export type SeedDataPool = Seed['dataPools'][number];
export type SeedKnowledgeModel = Seed['knowledgeModels'][number];

export const DEFAULT_SEED_PATH = join(__dirname, 'seeds', 'demo.json');

export function loadSeed(seed?: SeedInput | string): Seed {
	const raw: unknown =
		seed === undefined || typeof seed === 'string'
			? JSON.parse(readFileSync(seed ?? DEFAULT_SEED_PATH, 'utf8'))
			: seed;
	const parsed = seedSchema.safeParse(raw);
	if (!parsed.success) {
		throw new Error(
			`Invalid emulator seed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
		);
	}
	return parsed.data;
}
