/**
 * Problems found in a platform model, collected across the whole tree and reported together.
 */
import { findSecret, findSecretIn, withheld } from './secret-rules';

/** How serious a problem is: an `error` stops synthesis, a `warning` is printed and synthesis goes on. */
export type Severity = 'error' | 'warning';

/** One problem with the model, in the user's terms. */
export interface Problem {
  /** `error` stops synthesis; `warning` does not. */
  readonly severity: Severity;
  /** The construct path, e.g. `quickstart/shop/storefront/web`. */
  readonly path: string;
  /** The property at fault, e.g. `ports[0].port`. */
  readonly property: string;
  /** The value received (as the user gave it). */
  readonly value: unknown;
  /** What is wrong, e.g. `a port must be between 1 and 65535`. */
  readonly message: string;
  /** How to fix it, e.g. `choose a port between 1 and 65535`. */
  readonly fix: string;
}

/** The fields of a problem as a check reports it; the severity is given by the reporting method. */
export type ProblemDetails = Omit<Problem, 'severity'>;

/**
 * Renders a value received from the user for a message: strings quoted (a long one cut, with its length), objects
 * as JSON, short. Numbers that
 * JSON cannot hold are shown as themselves (`NaN`, `Infinity`, `-Infinity`, `12n`), at any depth.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length > 200 ? `${JSON.stringify(value.slice(0, 120)).slice(0, -1)}…" (${value.length} characters)` : JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol') return typeof value === 'bigint' ? `${value}n` : String(value);
  let text: string;
  try {
    const marks: string[] = [];
    const json = JSON.stringify(value, (_k, v: unknown) => {
      if ((typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'bigint') {
        marks.push(typeof v === 'bigint' ? `${v}n` : String(v));
        return `\u0000${marks.length - 1}\u0000`;
      }
      return v;
    });
    text = json === undefined ? String(value) : json.replace(/"\\u0000(\d+)\\u0000"/g, (m, i: string) => marks[Number(i)] ?? m);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Formats a problem as one line: `[path] property: got value; message. Fix: fix.` */
export function formatProblem(problem: Problem): string {
  const prefix = problem.severity === 'warning' ? 'warning: ' : '';
  return `${prefix}[${problem.path}] ${problem.property}: got ${describeValue(problem.value)}; ${problem.message}. Fix: ${problem.fix}.`;
}

/** A problem whose value (a string, or a list of them) looks like a secret has the value withheld, whatever check reports it. */
function withholdSecret(details: ProblemDetails): ProblemDetails {
  const v = details.value;
  const found = typeof v === 'string' ? findSecret(v) : Array.isArray(v) ? findSecretIn(v) : undefined;
  return found ? { ...details, value: withheld(found) } : details;
}

/** Collects problems while the model is checked. */
export class ProblemCollector {
  private readonly items: Problem[] = [];

  /** Records a problem that stops synthesis. */
  public error(details: ProblemDetails): void {
    this.items.push({ severity: 'error', ...withholdSecret(details) });
  }

  /** Records a problem that is reported but does not stop synthesis. */
  public warning(details: ProblemDetails): void {
    this.items.push({ severity: 'warning', ...withholdSecret(details) });
  }

  /** Every problem recorded, errors and warnings, in a stable order (path, then property, then message). */
  public get problems(): Problem[] {
    return [...this.items].sort(compareProblems);
  }

  /** Only the errors. */
  public get errors(): Problem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }

  /** Only the warnings. */
  public get warnings(): Problem[] {
    return this.problems.filter((p) => p.severity === 'warning');
  }
}

function compareProblems(a: Problem, b: Problem): number {
  return cmp(a.path, b.path) || cmp(a.property, b.property) || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Thrown when a platform model is invalid. Its message lists every error found, one per line, and
 * `problems` holds them (and the warnings) for programs that want to report them their own way.
 */
export class ValidationError extends Error {
  /** Every problem found, errors first. */
  public readonly problems: readonly Problem[];

  /** @param problems the problems found; at least one must be an error */
  constructor(problems: readonly Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    const warnings = problems.filter((p) => p.severity === 'warning');
    const lines = [...errors, ...warnings].map((p) => `  - ${formatProblem(p)}`);
    super(
      `The platform model has ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}; nothing was written.\n${lines.join('\n')}`,
    );
    this.name = 'ValidationError';
    this.problems = [...errors, ...warnings];
  }
}
