import { spawn } from 'node:child_process';
import path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'emulator', 'cli.ts');

/** Runs the CLI until it exits, or until it prints its listening line (then stops it). */
function run(
	args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; listened: boolean }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: 'pipe' });
		let stdout = '';
		let stderr = '';
		let listened = false;
		const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
		child.stdout.on('data', (d: Buffer) => {
			stdout += d.toString();
			if (!listened && /listening on http/.test(stdout)) {
				listened = true;
				child.kill('SIGTERM');
			}
		});
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('error', reject);
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr, listened });
		});
	});
}

describe('emulator CLI', () => {
	test('starts with valid flags (positive control)', async () => {
		const r = await run(['--port', '0', '--host', '127.0.0.1']);
		expect(r.listened).toBe(true);
	});
	test('--help and -h print usage and exit 0 without starting', async () => {
		for (const flag of ['--help', '-h']) {
			const r = await run([flag]);
			expect({ code: r.code, listened: r.listened }).toEqual({ code: 0, listened: false });
			expect(r.stdout).toMatch(/^Usage: /m);
			for (const option of ['--port', '--host', '--seed', '--verbose', '--help'])
				expect(r.stdout).toContain(option);
		}
	});
	test.each([
		[['--seeds', 'team.json'], /unknown option '--seeds'/i],
		[['--port', 'abc'], /--port.*abc/],
		[['--port', '70000'], /--port/],
		[['--seed'], /--seed.*argument/i],
		[['team.json'], /unexpected argument 'team.json'/i],
	])(
		'%j is refused with a message and the usage, exit 2, nothing started',
		async (args, message) => {
			const r = await run(args);
			expect({ code: r.code, listened: r.listened }).toEqual({ code: 2, listened: false });
			expect(r.stderr).toMatch(message);
			expect(r.stderr).toMatch(/Usage: /);
		},
	);
	test('an unreadable seed file is an error, not the demo seed', async () => {
		const r = await run(['--seed', '/nonexistent/team.json', '--port', '0']);
		expect({ code: r.code, listened: r.listened }).toEqual({ code: 1, listened: false });
		expect(r.stderr).toContain('/nonexistent/team.json');
	});
});
