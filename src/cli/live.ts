/** A status line redrawn in place on a terminal: a spinner, a state and the time so far. */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Where the line is drawn: stdout in the CLI, anything with `write` and `isTTY` in tests. */
export interface LiveOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * On a TTY, keeps one line at the bottom that a timer redraws (spinner, text, elapsed time), and
 * prints other lines above it. Elsewhere (a pipe, a file, CI) it prints the lines only: no
 * escape codes, no redraws.
 * @example
 * const live = new LiveLine(process.stdout);
 * live.update('running · attempting reviewer#1');
 * live.print('12:00:00.120  queued → routing  START');
 * live.stop();
 */
export class LiveLine {
  readonly #out: LiveOutput;
  readonly #tty: boolean;
  readonly #started = Date.now();
  #text = '';
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(out: LiveOutput, opts: { tty?: boolean } = {}) {
    this.#out = out;
    this.#tty = opts.tty ?? out.isTTY === true;
    if (this.#tty) {
      this.#timer = setInterval(() => this.#draw(), 80);
      this.#timer.unref?.();
    }
  }

  /** Whether the line is being drawn (a TTY). */
  get live(): boolean {
    return this.#tty;
  }

  /** Sets the state text of the line. */
  update(text: string): void {
    this.#text = text;
    this.#draw();
  }

  /** Prints a line above the live line. */
  print(line: string): void {
    if (this.#tty) this.#out.write(`\r\x1b[K${line}\n`);
    else this.#out.write(`${line}\n`);
    this.#draw();
  }

  /** Removes the live line and stops redrawing. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) this.#out.write('\r\x1b[K');
  }

  #draw(): void {
    if (!this.#tty || !this.#timer || !this.#text) return;
    const secs = ((Date.now() - this.#started) / 1000).toFixed(1);
    this.#out.write(`\r\x1b[K${FRAMES[this.#frame++ % FRAMES.length]} ${this.#text}  ${secs}s`);
  }
}
