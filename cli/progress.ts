/**
 * Progress output on long runs, on stderr: one status line, rewritten in place, that names each step from the
 * start (loading the program, the model checks and planning, preparing the schema checks) and then counts the
 * clusters as they are rendered. The line is drawn synchronously at every step, because the work between steps
 * holds the event loop (a timer would never fire). Quiet when stderr is not a terminal, with `--quiet`, or with
 * `--format json`; cleared when the command is done, so that only results and diagnostics remain.
 */

/** Where progress is written. */
interface ProgressIo {
  err(text: string): void;
}

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  /**
   * Whether stderr is a terminal.
   * @default process.stderr.isTTY
   */
  readonly isTTY?: boolean;
  /**
   * The terminal's width, to keep the line on one row.
   * @default process.stderr.columns, else 80
   */
  readonly columns?: number;
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

const BAR_WIDTH = 20;

/** Progress of one command. */
export class Progress {
  private readonly enabled: boolean;
  private readonly columns: number;
  private readonly now: () => number;
  private readonly start: number;
  private drawn = false;
  private stepName?: string;
  private clusters?: { name: string; done: number; total: number };
  private note?: string;

  /**
   * @param io where messages go
   * @param quiet whether to say nothing
   * @param options the terminal and the clock (tests)
   */
  constructor(
    private readonly io: ProgressIo,
    quiet: boolean,
    options: ProgressOptions = {},
  ) {
    this.enabled = !quiet && (options.isTTY ?? process.stderr.isTTY === true);
    this.columns = Math.max(40, options.columns ?? process.stderr.columns ?? 80);
    this.now = options.now ?? Date.now;
    this.start = this.now();
  }

  /**
   * A step starts (it replaces the cluster count).
   * @param name what it does, e.g. "loading examples/shop.ts"
   */
  public step(name: string): void {
    this.stepName = name;
    this.clusters = undefined;
    this.note = undefined;
    this.draw();
  }

  /**
   * A cluster is being rendered.
   * @param cluster its name
   * @param index its position, from 0
   * @param total how many there are
   */
  public cluster(cluster: string, index: number, total: number): void {
    this.stepName = undefined;
    this.note = undefined;
    this.clusters = { name: cluster, done: index, total };
    this.draw();
  }

  /**
   * What the current cluster is waiting for, shown beside the count until the next cluster or step.
   * @param text e.g. "preparing the schema checks"
   */
  public detail(text: string): void {
    this.note = text;
    this.draw();
  }

  /** The command is done: the line is cleared. */
  public done(): void {
    if (this.enabled && this.drawn) this.io.err('\r\u001b[2K');
    this.drawn = false;
  }

  /** The status line as it is drawn now (without the terminal codes). */
  public line(): string {
    const seconds = ((this.now() - this.start) / 1000).toFixed(1);
    let text: string;
    if (this.clusters) {
      const { name, done, total } = this.clusters;
      const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
      text = `rendering ${done}/${total} clusters: ${name}${this.note ? `, ${this.note}` : ''}… ${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    } else text = `${this.stepName ?? 'starting'}…`;
    const line = `platform-cdk [${seconds}s] ${text}`;
    return line.length < this.columns ? line : `${line.slice(0, this.columns - 2)}…`;
  }

  /**
   * Prints a message (a warning) on a line of its own, above the status line, which is drawn again below it.
   * @param text the message, ending in a line break
   */
  public print(text: string): void {
    if (this.enabled && this.drawn) this.io.err('\r\u001b[2K');
    this.io.err(text);
    this.drawn = false;
    if (this.stepName !== undefined || this.clusters) this.draw();
  }

  private draw(): void {
    if (!this.enabled) return;
    this.io.err(`\r\u001b[2K${this.line()}`);
    this.drawn = true;
  }
}
