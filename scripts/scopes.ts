/**
 * `npm run scopes -- <exported workflow files…> [--json]`: per Celonis node the OAuth scopes it needs, and the
 * least-privilege scope set for the OAuth client that runs them (scripts/scopeAdvisor.ts).
 */
import { advise, formatAdvice, readWorkflowFiles } from './scopeAdvisor';

const args = process.argv.slice(2);
const json = args.includes('--json');
const files = args.filter((a) => a !== '--json');
if (files.length === 0) {
	console.error('Usage: npm run scopes -- <workflow.json> [more.json …] [--json]');
	process.exit(2);
}
let advice;
try {
	advice = advise(readWorkflowFiles(files));
} catch (error) {
	console.error(`Could not read the workflows: ${(error as Error).message}`);
	process.exit(1);
}
console.log(json ? JSON.stringify(advice, null, 2) : formatAdvice(advice));
