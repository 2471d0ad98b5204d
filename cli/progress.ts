/**
 * Progress output on long runs: one bar over the clusters, then the named steps, on stderr. Quiet when stderr
 * is not a terminal, with `--quiet`, or with `--format json`.
 */
import { SingleBar } from 'cli-progress';

/** Where progress is written. */
interface ProgressIo {
  err(text: string): void;
}

/** Progress of one command. */
export class Progress {
  private bar?: SingleBar;
  private readonly enabled: boolean;

  /**
   * @param io where messages go
   * @param quiet whether to say nothing
   */
  constructor(
    private readonly io: ProgressIo,
    quiet: boolean,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  /**
   * A cluster is being rendered.
   * @param cluster its name
   * @param index its position, from 0
   * @param total how many there are
   */
  public cluster(cluster: string, index: number, total: number): void {
    if (!this.enabled) return;
    if (!this.bar) {
      this.bar = new SingleBar({ format: 'rendering {bar} {value}/{total} clusters  {cluster}', stream: process.stderr, clearOnComplete: true, hideCursor: true });
      this.bar.start(total, 0, { cluster });
    }
    this.bar.update(index + 1, { cluster });
  }

  /**
   * A step starts.
   * @param name what it does
   */
  public step(name: string): void {
    this.stopBar();
    if (this.enabled) this.io.err(`platform-cdk: ${name}…\n`);
  }

  /** The command is done. */
  public done(): void {
    this.stopBar();
  }

  private stopBar(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
    }
  }
}
