/**
 * Progress of long work on stderr, so stdout stays the result (and parsable with --json).
 * On a terminal one line is rewritten in place; in a pipe or log a line is written at most
 * every few seconds — a CI log should show that work goes on, not thousands of updates.
 */
export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  update(message: string): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${message}`);
      this.shown = true;
      return;
    }
    const t = this.now();
    if (t - this.last < this.everyMs) return;
    this.last = t;
    this.stream.write(`${message}\n`);
  }

  /** Ends the progress line; `summary` (if any) is always written. */
  done(summary?: string): void {
    if (this.stream.isTTY && this.shown) this.stream.write('\r\x1b[2K');
    if (summary) this.stream.write(`${summary}\n`);
    this.shown = false;
  }
}
