import { jsonSyntaxErrorOffset } from '../../nodes/Celonis/helpers/jsonSyntax';
import { parseJsonParameter } from '../../nodes/Celonis/helpers/parameters';

describe('jsonSyntaxErrorOffset agrees with JSON.parse', () => {
	const valid = [
		'{}',
		'[]',
		' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00fc"]} ',
		'"s"',
		'0',
		'[{"a":{}}]',
	];
	const invalid: Array<[string, number]> = [
		['{\n  "a": 1,\n  "b": }', 19],
		['{"a" 1}', 5],
		['[1,]', 3],
		['{"a": 1,}', 8],
		['{"a": tru}', 6],
		['[1] 2', 4],
		['{"a": "unterminated', 19],
		["{'a': 1}", 1],
		['', 0],
	];
	it.each(valid)('valid: %s', (text) => {
		expect(() => JSON.parse(text)).not.toThrow();
		expect(jsonSyntaxErrorOffset(text)).toBeUndefined();
	});
	it.each(invalid)('invalid: %s at %d', (text, offset) => {
		expect(() => JSON.parse(text)).toThrow();
		expect(jsonSyntaxErrorOffset(text)).toBe(offset);
	});
	it('names field, line and column in the parameter error', () => {
		expect(() => parseJsonParameter('{\n  "a": 1,\n  "b": }', 'Body (JSON)')).toThrow(
			'"Body (JSON)" is not valid JSON at line 3, column 8 (near ""a": 1, "b": }"). Check quotes, commas and brackets there.',
		);
	});
});
