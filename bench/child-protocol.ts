/**
 * What a bench child process prints on stdout (one JSON line) and how it reads its arguments.
 */

/** One measurement, taken inside a child process. */
export interface ChildReport {
  /**
   * `a` (platform-cdk), `b` (hand-written cdk8s-plus-27), `c` (floor), `p` (Pulumi registration under mocks),
   * `s` (strict floor: the objects built before the timed window), `u` (platform-cdk with 1,000 user objects), `v`
   * (schema and policy check of platform-cdk's output) or `w` (platform-cdk after a warm-up synthesis).
   */
  readonly variant: 'a' | 'b' | 'c' | 'p' | 's' | 'u' | 'v' | 'w';
  /** The number of services. */
  readonly n: number;
  /** Objects written (v: objects checked). */
  readonly objects: number;
  /** Files written. */
  readonly files: number;
  /**
   * Warnings reported: a, the synthesis warnings (the bench estate should have none); v, the check's warning
   * findings that are not waived (the bench estate's plain-HTTP hosts outside production give `exposure-tls`).
   */
  readonly warnings: number;
  /**
   * Wall time from before the model (or the objects) was built to after the output was written, in ms; for v,
   * the time of `checkRendered` alone (the validator built before it).
   */
  readonly wallMs: number;
  /**
   * CPU time (user and system, every thread of the process) over the same window as `wallMs`, in ms: on a loaded
   * machine it moves far less than the wall time.
   */
  readonly cpuMs?: number;
  /** The process's peak resident set size, in KiB (`process.resourceUsage().maxRSS`). */
  readonly maxRssKiB: number;
  /**
   * Variant w only: the wall time of the warm-up synthesis that ran before the timed one, in the same process,
   * in ms (the timed synthesis is `wallMs`).
   */
  readonly warmupMs?: number;
  /** Variant v only: the rest of what the check measured and found. */
  readonly check?: CheckReport;
}

/** What variant v reports besides the check's wall time. */
export interface CheckReport {
  /** Building the model and rendering it, before the check, in ms. */
  readonly modelAndRenderMs: number;
  /** Building the schema validator (loading ajv, the Kubernetes definitions and the CRD files), in ms. */
  readonly validatorMs: number;
  /** A second `checkRendered` of the same render in the same process, every kind's schema compiled, in ms. */
  readonly againMs: number;
  /** Error findings that are not waived (the bench fails unless there are none). */
  readonly errors: number;
  /** Waived findings. */
  readonly waived: number;
  /** Findings that are not waived, by `<severity> <rule>`. */
  readonly byRule: Readonly<Record<string, number>>;
  /** The kinds that had no schema, as `<apiVersion> <kind>`. */
  readonly unvalidated: readonly string[];
  /** The first error findings, as text, for the bench's message when there are any. */
  readonly firstErrors: readonly string[];
}

/** Reads `<n> <outdir>` from the command line. */
export function childArgs(): { n: number; outdir: string } {
  const [nText, outdir] = process.argv.slice(2);
  const n = Number(nText);
  if (!Number.isInteger(n) || !outdir) throw new Error(`usage: node ${process.argv[1]} <services> <outdir>`);
  return { n, outdir };
}

/** CPU time of the process so far (user and system), in ms. */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Prints a report as the child's one line of output. */
export function report(r: ChildReport): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
