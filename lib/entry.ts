/**
 * Whether a module is the program being run, in CommonJS and in ECMAScript modules alike. `require.main === module`
 * only exists in CommonJS and `import.meta` only in ECMAScript modules, so an estate program that used either
 * would break in a project of the other kind; this looks at the calling function's file instead (V8's call
 * sites: a path in CommonJS, a `file:` URL in an ECMAScript module) and compares it with the script Node was
 * started with (`process.argv[1]`, which `tsx main.ts`, `node main.js` and `cdk8s synth` set to the program).
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';

/**
 * The file of the function that called `fn`, as V8 records it: a path, or a `file:` URL for an ECMAScript module.
 * @param fn the function whose caller is asked for
 * @returns the file, or `undefined` when the stack does not say (e.g. a call from native code)
 */
export function callerFileOf(fn: (...args: never[]) => unknown): string | undefined {
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    // One frame is enough, and is needed even where the stack traces were turned off (`stackTraceLimit` 0).
    Error.stackTraceLimit = Math.max(typeof limit === 'number' ? limit : 0, 1);
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, fn);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    return frames?.[0]?.getFileName() ?? undefined;
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = limit;
  }
}

/** A file's path without the extension, with symbolic links resolved when it exists. */
function comparable(file: string): string {
  let p = path.resolve(file.startsWith('file:') ? fileURLToPath(file) : file);
  try {
    p = fs.realpathSync(p);
  } catch {
    // A script given without its extension (`node main`) does not exist as written: compare the path as it is.
  }
  return p.replace(/\.(c|m)?[jt]sx?$/, '');
}

/**
 * Whether a file is the script the process was started with (`process.argv[1]`), ignoring the extension, so that
 * `node main` and `tsx main.ts` both count.
 * @param file a path or a `file:` URL (`__filename` or `import.meta.url`)
 */
export function isEntryFile(file: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined || entry === '') return false;
  return comparable(entry) === comparable(file);
}
