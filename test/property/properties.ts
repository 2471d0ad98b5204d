/**
 * The properties, as plain functions that return what went wrong (an empty list when the property holds), so
 * that the jest tests and the long run (`long-run.ts`) check exactly the same things.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkIsolation, declaredPaths, formatIsolationFinding, isolationObjectsOfRender, ManifestStack, Target, ValidationError } from 'platform-cdk';
import type { RenderedPlatform } from 'platform-cdk';
import { checkRendered, formatFinding } from '../../lib/check';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR } from '../schemas';
import { buildEstate, EstateSpec } from './estate';
import { applyChange, InvalidChange } from './changes';

/** The CRD folders beyond those shipped, for a target: the KubeSphere 4.1 CRDs when present beside the repository. */
function crdDirs(target: Target): string[] {
  return target === Target.KUBESPHERE_V4_1 && HAS_KUBESPHERE_V4 ? [KUBESPHERE_V4_DIR] : [];
}

/**
 * A valid estate synthesizes; every object is schema-valid and passes the policy rules of its environment's
 * profile with no error; two builds give the same files; and the output passes the isolation checks.
 * @param spec the estate
 * @returns what went wrong
 */
export function validEstateProblems(spec: EstateSpec): string[] {
  const { platform } = buildEstate(spec);
  let files: Map<string, string>;
  let rendered: RenderedPlatform;
  const stack = new ManifestStack(platform);
  try {
    rendered = stack.render();
    const result = checkRendered(platform, rendered, { crdDirs: crdDirs(platform.target) });
    const errors = result.findings.filter((f) => f.severity === 'error' && f.waived === undefined);
    if (errors.length > 0) return errors.map(formatFinding);
    files = stack.files();
  } catch (e) {
    return [`synthesis failed: ${e instanceof Error ? e.message : String(e)}`];
  }
  const again = new ManifestStack(buildEstate(spec).platform).files();
  const problems: string[] = [];
  if ([...again.keys()].join('\n') !== [...files.keys()].join('\n')) problems.push(`a second build wrote other files: ${[...again.keys()].join(', ')}`);
  for (const [f, text] of files) if (again.get(f) !== text) problems.push(`a second build wrote ${f} differently`);
  const isolation = checkIsolation(isolationObjectsOfRender(rendered), { declaredPaths: declaredPaths(platform) });
  problems.push(...isolation.map(formatIsolationFinding));
  return problems;
}

/** A temporary output folder holding a valid estate's output, for the "nothing written" property. */
export class PreviousOutput {
  /** The folder. */
  public readonly dir: string;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-property-'));
  }

  /** Writes a valid estate's output into the folder and returns its files. */
  public write(spec: EstateSpec): Record<string, string> {
    new ManifestStack(buildEstate(spec).platform, { outdir: path.join(this.dir, 'dist') }).synth();
    return this.read();
  }

  /** Every file of the output folder with its text. */
  public read(): Record<string, string> {
    const out: Record<string, string> = {};
    const root = path.join(this.dir, 'dist');
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(root, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(root);
    return out;
  }

  /** Removes the folder. */
  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An invalid change to a valid estate is reported as a ValidationError naming the construct path it concerns,
 * with every line in the `[path] property: got …` form and no stack trace, and nothing is written: the output
 * folder keeps the previous output byte for byte.
 * @param spec the valid estate
 * @param change the invalid change
 * @param previous an output folder holding the estate's output
 * @returns what went wrong
 */
export function invalidChangeProblems(spec: EstateSpec, change: InvalidChange, previous: PreviousOutput): string[] {
  const before = previous.read();
  let expectedPath: string | string[] | undefined;
  let error: unknown;
  try {
    const built = buildEstate(spec);
    expectedPath = applyChange(built, spec, change, (paths) => {
      expectedPath = paths;
    });
    new ManifestStack(built.platform, { outdir: path.join(previous.dir, 'dist') }).synth();
    return [`the change ${JSON.stringify(change)} synthesized without an error`];
  } catch (e) {
    error = e;
  }
  const problems: string[] = [];
  if (!(error instanceof ValidationError)) {
    return [`the change ${JSON.stringify(change)} threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack}` : String(error)}, not a ValidationError`];
  }
  const lines = error.message.split('\n');
  if (!/^The platform model has \d+ errors?; nothing was written\.$/.test(lines[0])) problems.push(`the first line is ${JSON.stringify(lines[0])}`);
  for (const l of lines.slice(1)) if (!/^ {2}- (warning: )?\[acme(\/[^\]]*)?\] [^:]+: got .+\. Fix: .+/s.test(l)) problems.push(`the line ${JSON.stringify(l)} does not name a construct path, property, value and fix`);
  if (/\n\s+at /.test(error.message)) problems.push('the message holds a stack trace');
  const wanted = expectedPath === undefined ? [] : typeof expectedPath === 'string' ? [expectedPath] : expectedPath;
  if (!error.problems.some((p) => p.severity === 'error' && wanted.some((w) => p.path === w || p.path.startsWith(`${w}/`)))) {
    problems.push(`no error names ${wanted.join(' or ')}:\n${lines.slice(1).join('\n')}`);
  }
  const after = previous.read();
  if (JSON.stringify(after) !== JSON.stringify(before)) problems.push('the output folder changed');
  return problems;
}
