/**
 * Loading the estate program: the file given with `--app`, else the program named in `cdk8s.yaml`'s `app`
 * command. A program exports `build(): Platform` (and synthesizes only when run directly, under
 * `require.main === module`), so the command line can build the model without writing anything.
 *
 * Every way this can fail on the user's side (no or a malformed `cdk8s.yaml`, a missing program, a syntax error,
 * a module it cannot find, an exception in `build()`) is a {@link UsageError}: one line with the cause, where it
 * happened in the program, and the fix. Model errors (`ValidationError`) thrown by the program stay findings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Platform } from '../constructs/platform';
import { ValidationError } from '../lib/problems';
import { oneLine, UsageError } from './errors';

export { UsageError } from './errors';

/** What was loaded. */
export interface LoadedApp {
  /** The program's file. */
  readonly file: string;
  /** The estate it builds. */
  readonly platform: Platform;
}

/**
 * The program file: `--app`, else the `.ts`/`.js` file in `cdk8s.yaml`'s `app` command.
 * @param app the `--app` option
 * @param cwd the folder `cdk8s.yaml` is looked for in
 */
export function resolveAppFile(app: string | undefined, cwd: string = process.cwd()): string {
  if (app !== undefined) return path.resolve(cwd, app);
  const config = path.join(cwd, 'cdk8s.yaml');
  if (!fs.existsSync(config)) throw new UsageError(`no --app was given and there is no cdk8s.yaml in ${cwd}`, "pass --app <program.ts>, or run in the estate's folder");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  let doc: unknown;
  try {
    doc = yaml.parse(fs.readFileSync(config, 'utf8'));
  } catch (e) {
    // The parser's message names the line and column (and quotes the line of cdk8s.yaml, the user's own file).
    throw new UsageError(`cdk8s.yaml is not valid YAML: ${oneLine((e instanceof Error ? e.message : String(e)).split('\n')[0]).replace(/:$/, '')}`, 'correct cdk8s.yaml (it holds e.g. `app: npx tsx main.ts`), or pass --app <program.ts>');
  }
  const command = typeof doc === 'object' && doc !== null && typeof (doc as { app?: unknown }).app === 'string' ? (doc as { app: string }).app : '';
  const file = command.split(/\s+/).find((t) => /\.(ts|js|mts|cts|mjs|cjs)$/.test(t));
  if (!file) throw new UsageError(`cdk8s.yaml's app command ${JSON.stringify(command)} names no .ts or .js program`, 'set `app: npx tsx <program.ts>` in cdk8s.yaml, or pass --app <program.ts>');
  return path.resolve(cwd, file);
}

/** A file as the messages name it: relative to the working folder when inside it, else absolute. */
function shownPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** The folders of platform-cdk's own code, whose stack frames are not the program's. */
const OWN_CODE = ['cli', 'lib', 'constructs', 'stacks'].map((d) => path.join(path.resolve(__dirname, '..'), d) + path.sep);

/**
 * Where in the user's code an exception was thrown: the first stack frame outside Node.js, `node_modules` and
 * platform-cdk itself, as `file:line:column` relative to the working folder.
 * @param e what was thrown
 * @param cwd the working folder
 */
export function userFrame(e: unknown, cwd: string = process.cwd()): string | undefined {
  const stack = typeof e === 'object' && e !== null && typeof (e as { stack?: unknown }).stack === 'string' ? (e as { stack: string }).stack : '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:[A-Za-z]:)?[^\s():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`) || OWN_CODE.some((d) => file.startsWith(d))) continue;
    return `${shownPath(file, cwd)}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/**
 * Loads the program and builds its platform.
 * @param app the `--app` option
 * @param cwd the working folder
 */
export function loadApp(app: string | undefined, cwd: string = process.cwd()): LoadedApp {
  const file = resolveAppFile(app, cwd);
  const shown = shownPath(file, cwd);
  if (!fs.existsSync(file)) throw new UsageError(`the program ${shown} does not exist`, app !== undefined ? 'pass --app <program.ts> with the path of the estate program' : "correct the program's path in cdk8s.yaml's app command, or pass --app <program.ts>");
  if (fs.statSync(file).isDirectory()) throw new UsageError(`the program ${shown} is a folder`, 'pass --app <program.ts> with the file of the estate program');
  let platform: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { build?: unknown; platform?: unknown; default?: { build?: unknown } };
    const build = typeof mod.build === 'function' ? mod.build : typeof mod.default?.build === 'function' ? mod.default.build : undefined;
    platform = build ? (build as () => unknown)() : mod.platform;
  } catch (e) {
    if (e instanceof ValidationError || e instanceof UsageError) throw e;
    throw programError(e, shown, cwd);
  }
  if (!Platform.isPlatform(platform)) {
    throw new UsageError(`${shown} exports no build(): Platform`, 'export function build(): Platform { ... } and synthesize only under `if (require.main === module)`');
  }
  return { file, platform };
}

/** Text without terminal colour codes. */
function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** The usage error for an exception thrown while the program was loaded or built. */
function programError(e: unknown, shown: string, cwd: string): UsageError {
  // Duck-typed: what the program throws may come from another realm (a test runner's compiler).
  const err = (typeof e === 'object' && e !== null ? e : {}) as Partial<NodeJS.ErrnoException>;
  const message = typeof err.message === 'string' ? err.message : String(e);
  const name = typeof err.name === 'string' ? err.name : undefined;
  let error: UsageError;
  if (name === 'TSError' || /^⨯ Unable to compile TypeScript/.test(message)) {
    // ts-node and ts-jest (the test runner's compiler): "<file>:<line>:<col> - error TS1005: ';' expected."
    const first = stripAnsi(message).split('\n').find((l) => /:\d+:\d+ - error TS\d+/.test(l)) ?? stripAnsi(message).split('\n')[0];
    const located = first.replace(/^(.*?):(\d+):(\d+) - error (TS\d+): /, (_m, f: string, l2: string, c: string) => `${shownPath(path.resolve(cwd, f), cwd)}:${l2}:${c}: `);
    error = new UsageError(`the program ${shown} does not compile: ${oneLine(located)}`, 'correct the syntax error at that line (npx tsc --noEmit lists every type error too)');
  } else if (/^Transform failed/.test(message)) {
    // esbuild (through tsx): "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <what>"
    const detail = message.split('\n').slice(1).map((l) => l.replace(/^(.*?):(\d+):(\d+): ERROR: /, (_m, f: string, l2: string, c: string) => `${shownPath(f, cwd)}:${l2}:${c}: `));
    error = new UsageError(`the program ${shown} does not compile: ${oneLine(detail.join('\n'))}`, 'correct the syntax error at that line (npx tsc --noEmit lists every type error too)');
  } else if (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND') {
    error = new UsageError(`the program ${shown} imports a module that cannot be found: ${oneLine(stripAnsi(message).split('\n')[0].replace(/^Error: /, ''))}`, 'install the package (npm install) or correct the import path');
  } else {
    const where = userFrame(e, cwd);
    error = new UsageError(`the program ${shown} threw ${name ?? 'a value'} while building the estate${where ? ` at ${where}` : ''}: ${oneLine(stripAnsi(message))}`, 'correct the program there (run with --debug for the stack)');
  }
  (error as { cause?: unknown }).cause = e;
  return error;
}
