import type { ICredentialType, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

/**
 * Every name a saved workflow can carry for a node, as "resource/operation: name[.option]" (options of
 * collections and fixed collections included), and every credential field as "credentialName: field".
 * n8n drops a saved value whose name the description no longer has (NodeHelpers.getNodeParameters), so a
 * renamed parameter silently loses what users set.
 */
export function nodeParameterPaths(d: INodeTypeDescription): string[] {
	const out = new Set<string>();
	const shown = (p: INodeProperties, key: string) =>
		p.displayOptions?.show?.[key] as unknown[] | undefined;
	const resources = (d.properties.find((p) => p.name === 'resource')?.options ?? []) as Array<{
		value: string;
	}>;
	const operationsOf = (resource: string) =>
		(
			(d.properties.find(
				(p) => p.name === 'operation' && (shown(p, 'resource') ?? []).includes(resource),
			)?.options ?? []) as Array<{ value: string }>
		).map((o) => o.value);
	const walk = (props: INodeProperties[], prefix: string, r: string, o: string) => {
		for (const p of props) {
			const rs = shown(p, 'resource');
			const os = shown(p, 'operation');
			if (prefix === '' && rs && !rs.includes(r)) continue;
			if (prefix === '' && os && !os.includes(o)) continue;
			const name = prefix + p.name;
			out.add(`${r}/${o}: ${name}`);
			if (p.type === 'collection' && p.options)
				walk(p.options as INodeProperties[], `${name}.`, r, o);
			if (p.type === 'fixedCollection' && p.options)
				for (const g of p.options as Array<{ name: string; values?: INodeProperties[] }>)
					walk(g.values ?? [], `${name}.${g.name}.`, r, o);
		}
	};
	for (const { value: r } of resources)
		for (const o of operationsOf(r)) walk(d.properties, '', r, o);
	return [...out].sort();
}

export function credentialFieldPaths(credentials: ICredentialType[]): string[] {
	return credentials.flatMap((c) => c.properties.map((p) => `${c.name}: ${p.name}`)).sort();
}
