/** A line longer than this is cut (a build container decides what it prints). */
export const MAX_LINE = 4096;
const TAIL_LINES = 15;

/**
 * The log of one build, bounded: lines are cut at MAX_LINE characters, and
 * once `maxBytes` are kept, one note says so and later lines are dropped
 * (counted). The last lines and the first error-looking ones are kept apart
 * for the failure message, so a cut log still explains a failed build.
 */
export class BuildLog {
  private readonly chunks: string[] = [];
  private bytes = 0;
  private dropped = 0;
  private full = false;
  readonly tail: string[] = [];
  /** first lines of our own tools' output that explain a failure */
  private readonly firsts = new Map<string, string>();

  constructor(private readonly maxBytes: number) {}

  /** Add a line; returns what was kept (cut), or undefined when the log is full. */
  add(text: string): string | undefined {
    // (lines the container reader already cut carry their note: not cut twice)
    const line = text.length > MAX_LINE + 100 ? `${text.slice(0, MAX_LINE)} [kpython: line cut, ${text.length - MAX_LINE} more characters]` : text;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.remember(line);
    if (this.full) {
      this.dropped++;
      return undefined;
    }
    const size = Buffer.byteLength(line) + 1;
    if (this.bytes + size > this.maxBytes) {
      this.full = true;
      this.dropped++;
      const note = `[kpython] log cut: more than ${Math.round(this.maxBytes / 1048576)} MiB; later lines are dropped (the last ones are kept in the failure message)`;
      this.chunks.push(note);
      return note;
    }
    this.bytes += size;
    this.chunks.push(line);
    return line;
  }

  private remember(line: string): void {
    const kinds: [string, (l: string) => boolean][] = [
      ['compiler', (l) => l.startsWith('[kpython] compiler mismatch')],
      ['error', (l) => !l.startsWith('[kpython]') && /\berror:/i.test(l)],
      ['missing', (l) => !l.startsWith('[kpython]') && /: not found$|No such file or directory/.test(l)],
      ['stars', (l) => !l.startsWith('[kpython]') && /\*\*\*/.test(l)],
      ['nospace', (l) => /No space left on device/.test(l)],
    ];
    for (const [kind, test] of kinds) {
      if (kind === 'compiler' ? test(line) : !this.firsts.has(kind) && test(line)) this.firsts.set(kind, line);
    }
  }

  /** The first line of a kind (the last one for `compiler`). */
  first(kind: 'compiler' | 'error' | 'missing' | 'stars' | 'nospace'): string | undefined {
    return this.firsts.get(kind);
  }

  get droppedLines(): number {
    return this.dropped;
  }

  toBuffer(): Buffer {
    const extra = this.dropped > 1 ? [`[kpython] ${this.dropped - 1} lines dropped`] : [];
    return Buffer.from(`${[...this.chunks, ...extra].join('\n')}\n`);
  }
}
