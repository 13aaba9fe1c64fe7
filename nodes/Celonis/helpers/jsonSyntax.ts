/**
 * Finds where a JSON text stops being valid. JSON.parse says *that* a text is invalid, but on some Node
 * versions not *where*; users editing a JSON body need the line and column.
 */
class SyntaxAt {
	constructor(readonly offset: number) {}
}

export function jsonSyntaxErrorOffset(text: string): number | undefined {
	let i = 0;
	const fail = (): never => {
		throw new SyntaxAt(i);
	};
	const skipWhitespace = () => {
		while (
			i < text.length &&
			(text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')
		)
			i++;
	};
	const literal = (word: string) => {
		if (text.startsWith(word, i)) i += word.length;
		else fail();
	};
	const string = () => {
		i++; // opening quote
		while (i < text.length && text[i] !== '"') {
			if (text.charCodeAt(i) < 0x20) fail();
			if (text[i] === '\\') {
				i++;
				if (text[i] === 'u') {
					if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
					i += 4;
				} else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail();
			}
			i++;
		}
		if (i >= text.length) fail();
		i++;
	};
	const number = () => {
		const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
		if (!match) fail();
		i += match![0].length;
	};
	const value = (): void => {
		skipWhitespace();
		const c = text[i];
		if (c === '{') {
			i++;
			skipWhitespace();
			if (text[i] === '}') return void i++;
			for (;;) {
				skipWhitespace();
				if (text[i] !== '"') fail();
				string();
				skipWhitespace();
				if (text[i] !== ':') fail();
				i++;
				value();
				skipWhitespace();
				if (text[i] === ',') i++;
				else if (text[i] === '}') return void i++;
				else fail();
			}
		}
		if (c === '[') {
			i++;
			skipWhitespace();
			if (text[i] === ']') return void i++;
			for (;;) {
				value();
				skipWhitespace();
				if (text[i] === ',') i++;
				else if (text[i] === ']') return void i++;
				else fail();
			}
		}
		if (c === '"') return string();
		if (c === 't') return literal('true');
		if (c === 'f') return literal('false');
		if (c === 'n') return literal('null');
		return number();
	};
	try {
		value();
		skipWhitespace();
		if (i < text.length) fail();
		return undefined;
	} catch (error) {
		if (error instanceof SyntaxAt) return error.offset;
		return 0;
	}
}

/** "line 3, column 8 (near "b": })" for an offset into a text. */
export function describeOffset(text: string, offset: number): string {
	const before = text.slice(0, offset);
	const line = before.split('\n').length;
	const column = offset - before.lastIndexOf('\n');
	const excerpt = text
		.slice(Math.max(0, offset - 15), offset + 15)
		.replace(/\s+/g, ' ')
		.trim();
	return `line ${line}, column ${column} (near "${excerpt}")`;
}
