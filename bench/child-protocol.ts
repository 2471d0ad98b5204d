/**
 * What a bench child process prints on stdout (one JSON line) and how it reads its arguments.
 */

/** One measurement, taken inside a child process. */
export interface ChildReport {
  /** `a` (platform-cdk), `b` (hand-written cdk8s-plus-27), `c` (floor) or `p` (Pulumi registration under mocks). */
  readonly variant: 'a' | 'b' | 'c' | 'p';
  /** The number of services. */
  readonly n: number;
  /** Objects written. */
  readonly objects: number;
  /** Files written. */
  readonly files: number;
  /** Warnings reported (platform-cdk only; the bench estate should have none). */
  readonly warnings: number;
  /** Wall time from before the model (or the objects) was built to after the output was written, in ms. */
  readonly wallMs: number;
  /** The process's peak resident set size, in KiB (`process.resourceUsage().maxRSS`). */
  readonly maxRssKiB: number;
}

/** Reads `<n> <outdir>` from the command line. */
export function childArgs(): { n: number; outdir: string } {
  const [nText, outdir] = process.argv.slice(2);
  const n = Number(nText);
  if (!Number.isInteger(n) || !outdir) throw new Error(`usage: node ${process.argv[1]} <services> <outdir>`);
  return { n, outdir };
}

/** Prints a report as the child's one line of output. */
export function report(r: ChildReport): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
