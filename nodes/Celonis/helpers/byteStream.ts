type Listener = (...args: unknown[]) => void;

/**
 * A readable byte stream over an async generator of chunks, for `helpers.prepareBinaryData`, without
 * importing `stream` (not allowed in community nodes).
 *
 * The chunks are produced only when the consumer asks for them, so a file is generated page by page
 * while n8n writes it:
 * - n8n's filesystem binary-data mode (the default of n8n 2.x in regular mode) writes the stream with
 *   `fs.writeFile`, which iterates it (`Symbol.asyncIterator`) and awaits each write before pulling the
 *   next chunk: memory stays at one page whatever the file size.
 * - the in-memory, database and S3 modes collect the stream with n8n's `streamToBuffer`, which listens to
 *   `data` / `end` / `error` / `close` and may call `destroy()`: those events are emitted here. n8n then
 *   holds the whole file, as it does for any binary data in those modes.
 * An error of the generator (e.g. a failed page request) reaches the consumer unchanged and rejects
 * `prepareBinaryData`.
 */
export class PagedByteStream implements AsyncIterable<Buffer> {
	readonly readable = true;
	private listeners = new Map<string, Array<{ fn: Listener; once: boolean }>>();
	private started = false;
	private destroyed = false;
	private iterated = false;

	constructor(private readonly source: AsyncGenerator<Buffer, void, undefined>) {}

	[Symbol.asyncIterator](): AsyncIterator<Buffer> {
		if (this.started) throw new Error('This file stream can be read only once');
		this.iterated = true;
		this.started = true;
		return this.source;
	}

	on(event: string, fn: Listener): this {
		return this.add(event, fn, false);
	}

	addListener(event: string, fn: Listener): this {
		return this.add(event, fn, false);
	}

	once(event: string, fn: Listener): this {
		return this.add(event, fn, true);
	}

	off(event: string, fn: Listener): this {
		const list = this.listeners.get(event);
		if (list)
			this.listeners.set(
				event,
				list.filter((l) => l.fn !== fn),
			);
		return this;
	}

	removeListener(event: string, fn: Listener): this {
		return this.off(event, fn);
	}

	destroy(): this {
		if (this.destroyed) return this;
		this.destroyed = true;
		void this.source.return(undefined).catch(() => undefined);
		return this;
	}

	private add(event: string, fn: Listener, once: boolean): this {
		const list = this.listeners.get(event) ?? [];
		list.push({ fn, once });
		this.listeners.set(event, list);
		// Like a Node stream, attaching a `data` listener starts the flow.
		if (event === 'data' && !this.started && !this.iterated) {
			this.started = true;
			void this.flow();
		}
		return this;
	}

	private emit(event: string, ...args: unknown[]): void {
		const list = this.listeners.get(event);
		if (!list) return;
		this.listeners.set(
			event,
			list.filter((l) => !l.once),
		);
		for (const { fn } of list) fn(...args);
	}

	private async flow(): Promise<void> {
		// Let the consumer attach its end/error listeners in the same tick before the first chunk.
		await Promise.resolve();
		try {
			for (;;) {
				if (this.destroyed) return;
				const next = await this.source.next();
				if (this.destroyed) return;
				if (next.done) break;
				this.emit('data', next.value);
			}
		} catch (error) {
			this.emit('error', error);
			this.emit('close');
			return;
		}
		this.emit('end');
		this.emit('close');
	}
}
