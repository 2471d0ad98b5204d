/**
 * Previews declared outside the code: from a CI job's environment (`PREVIEW_BRANCH=feature/login
 * PREVIEW_IMAGES=api=sha-123 npm run synth`) or from the estate's previews folder (`previews/<slug>.json`, which
 * `platform-cdk preview create` writes and `preview delete` removes, so that previews persist in the repository
 * GitOps syncs from).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ISubject } from './access';
import { DepartmentRef, User } from './access';
import type { Platform } from './platform';
import type { PreviewDependencies, PreviewEnvironment, PreviewOverride, PreviewSource } from './preview';
import type { EnvironmentRef } from './project';

/** A preview as the previews folder and the command line hold it. */
export interface PreviewSpec {
  /** The branch. */
  readonly branch: string;
  /** The baseline environment's name. */
  readonly baseline: string;
  /** The owner: a department's name, or `user:<name>`. */
  readonly owner: string;
  /** The last day, `YYYY-MM-DD`. */
  readonly expires: string;
  /** The services it overrides, with their image tags. */
  readonly services: Record<string, PreviewOverride>;
  /** `baseline` or `clone`. */
  readonly dependencies?: string;
}

/**
 * An owner from its text: `user:<name>` is a user, anything else a department of the tenant.
 * @param text the owner's text
 */
export function ownerFromText(text: string): ISubject {
  return text.startsWith('user:') ? User.named(text.slice('user:'.length)) : DepartmentRef.named(text);
}

/** Parses `api=sha-123,web=sha-9` into service overrides; problems name the variable. */
export function parseImages(
  text: string,
  variable: string,
): {
  /** The overrides, by service. */
  services: Record<string, PreviewOverride>;
  /** What is wrong with the text. */
  problems: NonNullable<PreviewSource['problems']>[number][];
} {
  const services: Record<string, PreviewOverride> = {};
  const problems: NonNullable<PreviewSource['problems']>[number][] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      problems.push({ property: variable, value: part, message: 'each entry is <service>=<image tag>', fix: 'write e.g. PREVIEW_IMAGES=rider-bff=sha-4f2a91c,pricing=sha-91be02d' });
      continue;
    }
    services[part.slice(0, eq)] = { tag: part.slice(eq + 1) };
  }
  if (text.trim() === '') problems.push({ property: variable, value: text, message: 'no service is named', fix: 'name the services the branch changes and their tags' });
  return { services, problems };
}

/** Options of `Platform.addPreviewFromEnvironment`. */
export interface PreviewFromEnvironmentOptions {
  /**
   * The baseline, when `PREVIEW_BASELINE` is not set.
   * @default - `PREVIEW_BASELINE` is required
   */
  readonly baseline?: EnvironmentRef;
  /**
   * The owner, when `PREVIEW_OWNER` is not set.
   * @default - `PREVIEW_OWNER` is required
   */
  readonly owner?: ISubject;
  /**
   * The environment variables.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Adds the preview a CI job describes in `PREVIEW_BRANCH`, `PREVIEW_IMAGES`, `PREVIEW_EXPIRES`, and
 * `PREVIEW_OWNER`, `PREVIEW_BASELINE`, `PREVIEW_DEPENDENCIES` (or the defaults given); nothing when
 * `PREVIEW_BRANCH` is not set. Problems of the variables are reported by validation, naming the variable.
 * @param platform the platform
 * @param options defaults and the variables
 */
export function addPreviewFromEnvironment(platform: Platform, options: PreviewFromEnvironmentOptions = {}): PreviewEnvironment | undefined {
  const env = options.env ?? process.env;
  const branch = env.PREVIEW_BRANCH;
  if (branch === undefined || branch.trim() === '') return undefined;
  const problems: NonNullable<PreviewSource['problems']>[number][] = [];
  const images = parseImages(env.PREVIEW_IMAGES ?? '', 'PREVIEW_IMAGES');
  problems.push(...images.problems);
  const expires = env.PREVIEW_EXPIRES;
  if (expires === undefined) problems.push({ property: 'PREVIEW_EXPIRES', value: undefined, message: 'a preview needs its expiry, given explicitly', fix: 'set PREVIEW_EXPIRES=YYYY-MM-DD, e.g. two weeks ahead' });
  const baseline = env.PREVIEW_BASELINE ?? options.baseline;
  if (baseline === undefined) problems.push({ property: 'PREVIEW_BASELINE', value: undefined, message: 'the preview needs its baseline environment', fix: 'set PREVIEW_BASELINE=development, or give the baseline in the program' });
  const owner = env.PREVIEW_OWNER !== undefined ? ownerFromText(env.PREVIEW_OWNER) : options.owner;
  if (owner === undefined) problems.push({ property: 'PREVIEW_OWNER', value: undefined, message: 'the preview needs an owner', fix: 'set PREVIEW_OWNER=<department> or PREVIEW_OWNER=user:<name> (e.g. the merge request\'s author)' });
  const dependencies = env.PREVIEW_DEPENDENCIES;
  return platform.addPreview(branch, {
    baseline: baseline ?? '',
    owner: owner ?? User.named(''),
    expires: expires ?? '',
    services: images.services,
    dependencies: dependencies as PreviewDependencies | undefined,
    source: { kind: 'environment', problems },
  });
}

/**
 * Adds the previews of a previews folder (`<dir>/*.json`, relative to the working directory), if it exists.
 * @param platform the platform
 * @param dir the folder
 */
export function loadPreviews(platform: Platform, dir: string): PreviewEnvironment[] {
  if (!fs.existsSync(dir)) return [];
  const out: PreviewEnvironment[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    let spec: Partial<PreviewSpec> = {};
    const problems: NonNullable<PreviewSource['problems']>[number][] = [];
    try {
      spec = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PreviewSpec>;
    } catch (e) {
      problems.push({ property: file, value: undefined, message: `not JSON: ${(e as Error).message}`, fix: 'repair or remove the file (`platform-cdk preview create` writes it)' });
    }
    for (const k of ['branch', 'baseline', 'owner', 'expires'] as const) {
      if (typeof spec[k] !== 'string') problems.push({ property: `${file}: ${k}`, value: spec[k], message: `the file gives no ${k}`, fix: 'repair the file, or write it again with `platform-cdk preview create`' });
    }
    out.push(
      platform.addPreview(typeof spec.branch === 'string' ? spec.branch : name.replace(/\.json$/, ''), {
        baseline: spec.baseline ?? '',
        owner: ownerFromText(spec.owner ?? ''),
        expires: spec.expires ?? '',
        services: spec.services ?? {},
        dependencies: spec.dependencies as PreviewDependencies | undefined,
        source: { kind: 'file', file, problems },
      }),
    );
  }
  return out;
}

/**
 * The text of a previews file (sorted keys, so that it diffs well).
 * @param spec the preview
 */
export function previewFileText(spec: PreviewSpec): string {
  const services: Record<string, PreviewOverride> = {};
  for (const k of Object.keys(spec.services).sort()) services[k] = spec.services[k];
  return `${JSON.stringify({ branch: spec.branch, baseline: spec.baseline, owner: spec.owner, expires: spec.expires, dependencies: spec.dependencies ?? 'baseline', services }, null, 2)}\n`;
}
