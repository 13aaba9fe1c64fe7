/**
 * The APIs the exports page through (docs/celonis-api.md: "Audit Log API", "Team API", "Platform Adoption
 * API"); the paging itself is the transport's (pagination.ts).
 */
export const auditLogPaths = {
	v1: '/log/api/external/audit',
	v2: '/log/api/external/v2/audit',
};

export const teamPaths = {
	loginHistory: '/api/external/authentication-events',
	members: '/api/external/members',
};

export const platformAdoptionPaths = {
	trackingEvents: (type: string) =>
		`/platform-adoption/api/external/v2/adoption-tracking-events/${encodeURIComponent(type)}`,
};
