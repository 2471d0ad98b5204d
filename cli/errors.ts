/**
 * The command line's errors and exit codes. A user's mistake ends in one line, `error: <cause>. Fix: <fix>`,
 * never a stack trace; an unexpected exception is an internal fault, one line asking for a report, with the
 * stack only under `--debug` (or `PLATFORM_CDK_DEBUG=1`).
 */

/**
 * The exit codes of every command (docs/cli.md):
 * - 0 done (warnings allowed);
 * - 1 findings: model, schema or policy errors, or, with `diff --exit-code`, differences;
 * - 2 usage or input errors: an unknown option, a missing or malformed program file or `cdk8s.yaml`, a program
 *   that throws, a `--crds` folder that does not exist, an output path that cannot be used, a refused release;
 * - 3 internal fault: an unexpected exception in platform-cdk itself (please report it).
 */
export const ExitCode = { OK: 0, FINDINGS: 1, USAGE: 2, INTERNAL: 3 } as const;

/** The help text that lists the exit codes. */
export const EXIT_CODES_HELP = 'Exit codes: 0 done (warnings allowed), 1 findings (model, schema or policy errors; diff --exit-code: differences), 2 usage or input error, 3 internal fault (please report it).';

/**
 * A usage or input error (exit code 2): the command line, a file it was given, or the program it loads is wrong.
 * The message is the cause and the fix, printed on one line.
 */
export class UsageError extends Error {
  /** What to do about it. */
  public readonly fix?: string;

  /**
   * @param cause what is wrong, in the user's terms (or the whole message, `<cause>. Fix: <fix>`, when `fix` is not given)
   * @param fix what to do about it
   */
  constructor(cause: string, fix?: string) {
    super(fix === undefined ? cause : `${cause}. Fix: ${fix}`);
    this.name = 'UsageError';
    this.fix = fix;
  }
}

/** The one line a user error is printed as: `error: <cause>. Fix: <fix>` (a message on one line). */
export function errorLine(message: string): string {
  return `error: ${oneLine(message)}`;
}

/** A message on one line: line breaks become "; ", trailing dots and spaces are dropped. */
export function oneLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('; ')
    .replace(/[.\s]+$/, '');
}

/**
 * Whether the stack of an internal fault (and of a program's exception) is printed: `--debug` anywhere in the
 * arguments, or `PLATFORM_CDK_DEBUG=1` (also "true").
 * @param argv the process arguments
 * @param env the environment
 */
export function debugEnabled(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--debug') || /^(1|true|yes)$/i.test(env.PLATFORM_CDK_DEBUG ?? '');
}

/**
 * The lines an internal fault is printed as: what happened and a request to report it, then the stack when
 * debugging.
 * @param e what was thrown
 * @param debug whether to print the stack
 */
export function internalFaultLines(e: unknown, debug: boolean): string[] {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const lines = [`error: internal fault in platform-cdk (${oneLine(message)}). Fix: this is a bug in platform-cdk, not in your estate: please report it with the command you ran and its output with --debug (or PLATFORM_CDK_DEBUG=1), which adds the stack`];
  if (debug && e instanceof Error && e.stack) lines.push(e.stack);
  return lines;
}

/**
 * Makes writes to a closed pipe harmless: `platform-cdk --help | head -1` and `validate | head` end quietly, with
 * the exit code already decided, instead of dying of EPIPE.
 * @param streams the streams to guard (stdout and stderr)
 */
export function exitQuietlyOnClosedPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK);
      throw e;
    });
  }
}
