/**
 * Loading the estate program: the file given with `--app`, else the program named in `cdk8s.yaml`'s `app`
 * command. A program exports `build(): Platform` (and synthesizes only when run directly, under
 * `require.main === module`), so the command line can build the model without writing anything.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Platform } from '../constructs/platform';

/** A usage problem: the command line exits with code 2. */
export class UsageError extends Error {}

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
  if (!fs.existsSync(config)) throw new UsageError(`no --app was given and there is no cdk8s.yaml in ${cwd}. Fix: pass --app <program.ts>, or run in the estate's folder`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  const doc = yaml.parse(fs.readFileSync(config, 'utf8')) as { app?: unknown } | null;
  const command = typeof doc?.app === 'string' ? doc.app : '';
  const file = command.split(/\s+/).find((t) => /\.(ts|js|mts|cts|mjs|cjs)$/.test(t));
  if (!file) throw new UsageError(`cdk8s.yaml's app command ${JSON.stringify(command)} names no .ts or .js program. Fix: pass --app <program.ts>`);
  return path.resolve(cwd, file);
}

/**
 * Loads the program and builds its platform.
 * @param app the `--app` option
 * @param cwd the working folder
 */
export function loadApp(app: string | undefined, cwd: string = process.cwd()): LoadedApp {
  const file = resolveAppFile(app, cwd);
  if (!fs.existsSync(file)) throw new UsageError(`the program ${file} does not exist. Fix: pass --app <program.ts>, or correct cdk8s.yaml`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { build?: unknown; platform?: unknown; default?: { build?: unknown } };
  const build = typeof mod.build === 'function' ? mod.build : typeof mod.default?.build === 'function' ? mod.default.build : undefined;
  const platform = build ? (build as () => unknown)() : mod.platform;
  if (!Platform.isPlatform(platform)) {
    throw new UsageError(`${path.relative(cwd, file) || file} exports no build(): Platform. Fix: export function build(): Platform { ... } and synthesize only under \`if (require.main === module)\``);
  }
  return { file, platform };
}
