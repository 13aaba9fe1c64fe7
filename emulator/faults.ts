/** Fault injection: scripted sequences or seeded-probability responses per route. */
import { mulberry32 } from './prng';
import type { FaultRule, FaultStep } from './faultSchema';

interface ActiveRule {
	rule: FaultRule;
	id: string;
	matcher: (p: string) => boolean;
	next: number;
	fired: number;
	rand: () => number;
}

function compilePath(path: string): (p: string) => boolean {
	if (path.startsWith('^')) {
		const rx = new RegExp(path);
		return (p) => rx.test(p);
	}
	if (path.includes('*')) {
		const rx = new RegExp(
			`^${path
				.split('*')
				.map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
				.join('.*')}$`,
		);
		return (p) => rx.test(p);
	}
	const exact = path.length > 1 ? path.replace(/\/+$/, '') : path;
	return (p) => p === exact || p === `${exact}/`;
}

export class FaultEngine {
	private rules: ActiveRule[] = [];
	private counter = 0;

	set(rules: FaultRule[]): void {
		this.rules = [];
		this.add(rules);
	}

	add(rules: FaultRule[]): string[] {
		return rules.map((rule) => {
			const id = rule.id ?? `fault-${++this.counter}`;
			this.rules.push({
				rule,
				id,
				matcher: compilePath(rule.path),
				next: 0,
				fired: 0,
				rand: mulberry32(rule.seed ?? 1),
			});
			return id;
		});
	}

	clear(): void {
		this.rules = [];
	}

	list(): { id: string; rule: FaultRule; consumed: number; fired: number }[] {
		return this.rules.map((r) => ({ id: r.id, rule: r.rule, consumed: r.next, fired: r.fired }));
	}

	/** The fault step to apply to this request, if any (consumes a sequence step). */
	match(method: string, path: string): { id: string; step: FaultStep } | undefined {
		for (const r of this.rules) {
			if (r.rule.method && r.rule.method.toUpperCase() !== method) continue;
			if (!r.matcher(path)) continue;
			if (r.rule.sequence) {
				if (r.next >= r.rule.sequence.length) continue;
				const step = r.rule.sequence[r.next++] as FaultStep;
				r.fired++;
				return { id: r.id, step };
			}
			if (r.rule.probability !== undefined && r.rule.response) {
				if (r.rule.times !== undefined && r.fired >= r.rule.times) continue;
				if (r.rand() < r.rule.probability) {
					r.fired++;
					return { id: r.id, step: r.rule.response };
				}
			}
		}
		return undefined;
	}
}
