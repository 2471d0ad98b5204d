/**
 * The checks of `platform-cdk validate` (schemas, policy rules, tenant isolation; the one `Checker` of
 * lib/check.ts) as a cdk8s validation plugin, so that `cdk8s synth` fails on error findings. The program itself
 * (`synthesizeApp`) runs the same checks before it writes anything; the plugin checks again what cdk8s found in the
 * output folder, so that files put there by other means are checked too. Declared in `cdk8s.yaml`:
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/platform-cdk/cdk8s-validation.js   # ./cdk8s-validation.js in this repository
 *     version: 0.1.0
 *     class: PlatformValidation
 *     properties:
 *       crds: []            # more CRD folders, e.g. the KubeSphere 4.1 CRDs
 * ```
 *
 * The plugin reads the manifests cdk8s wrote (`<outdir>/<cluster>/*.yaml`) and loads the same program to name
 * the construct path of each object and the profile of its environment.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Validation, ValidationContext } from 'cdk8s-cli/lib/plugins';
import { loadApp } from './app';
import { checkObjects, hasErrors, objectsOfFiles, validatorFor } from '../lib/check';
import { declaredPaths } from '../lib/isolation';
import { planPlatform } from '../lib/plan';
import { renderPlatform } from '../lib/render';

/** Properties of the plugin, from `cdk8s.yaml`. */
export interface PlatformValidationProps {
  /**
   * More CRD folders to validate against, relative to the project.
   * @default - none
   */
  readonly crds?: string[];
  /**
   * The program, when it is not the `.ts` file of `cdk8s.yaml`'s `app` command.
   * @default - the program `cdk8s.yaml` names
   */
  readonly app?: string;
}

/**
 * The program of a `cdk8s synth --app <command>` (or `-a`, `--app=`): the command's first `.ts` or `.js` file outside
 * `node_modules`, or `undefined` when the option is not given (the program is then the one `cdk8s.yaml` names).
 * @param argv cdk8s-cli's arguments (`process.argv`)
 */
export function programOfCdk8sArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const command = a === '--app' || a === '-a' ? argv[i + 1] : a.startsWith('--app=') ? a.slice('--app='.length) : undefined;
    if (command !== undefined) return command.split(/\s+/).find((t) => /\.(ts|js|mts|cts|mjs|cjs)$/.test(t) && !/(^|[\\/])node_modules[\\/]/.test(t));
  }
  return undefined;
}

/** The cdk8s validation plugin: schema, policy and isolation checks of the synthesized output. */
export class PlatformValidation implements Validation {
  /**
   * @param props more CRD folders and the program
   */
  constructor(private readonly props: PlatformValidationProps = {}) {}

  /**
   * Checks the manifests and reports every finding that is not waived; fails on errors.
   * @param context the manifests and the report
   */
  public async validate(context: ValidationContext): Promise<void> {
    const files = new Map<string, string>();
    const where = new Map<string, string>();
    for (const m of context.manifests) {
      const rel = `${path.basename(path.dirname(m))}/${path.basename(m)}`;
      files.set(rel, fs.readFileSync(m, 'utf8'));
      where.set(path.basename(path.dirname(m)), path.dirname(m));
    }
    // cdk8s-cli runs this plugin in its own process: its --app option, when given, names the program that wrote
    // the manifests; cdk8s.yaml's app otherwise.
    const { platform } = loadApp(this.props.app ?? programOfCdk8sArgs(process.argv));
    const rendered = renderPlatform(platform, planPlatform(platform));
    const result = checkObjects(objectsOfFiles(files, platform, rendered), validatorFor(platform.target, this.props.crds ?? []), { declaredPaths: declaredPaths(platform) });
    for (const f of result.findings) {
      if (f.waived !== undefined) continue;
      const dir = where.get(f.cluster);
      context.report.addViolation({
        ruleName: `${f.severity}: ${f.rule}`,
        recommendation: `${f.message} (from ${f.source})`,
        fix: f.fix,
        violatingResources: [{ resourceName: f.object, locations: [f.at || '/'], manifestPath: dir ?? f.cluster }],
      });
    }
    context.report.submit(hasErrors(result.findings) ? 'failure' : 'success', { objects: String(result.objects) });
  }
}
