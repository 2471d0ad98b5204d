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
import { checkBranchName, checkDns1123Label, checkImageTag, checkLabelValue } from '../lib/values';
import { isCalendarDate, previewSlug } from './preview-name';

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
  const staged = holder[STAGED];
  const stage = staged !== undefined && path.resolve(dir) === staged.dir ? staged : undefined;
  if (!fs.existsSync(dir) && !stage) return [];
  const out: PreviewEnvironment[] = [];
  const names = new Set(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : []);
  if (stage) {
    names.add(stage.name);
    stage.seen = true;
  }
  for (const name of [...names].sort()) {
    const file = path.join(dir, name);
    let spec: Partial<PreviewSpec> = {};
    const problems: NonNullable<PreviewSource['problems']>[number][] = [];
    try {
      spec = JSON.parse(stage?.name === name ? stage.text : fs.readFileSync(file, 'utf8')) as Partial<PreviewSpec>;
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

/** A preview file `platform-cdk preview create` is about to write, seen by `loadPreviews` as if it were written. */
interface StagedPreview {
  dir: string;
  name: string;
  text: string;
  seen: boolean;
}

/** Held on the global object, so that the command line and the estate program share it across copies of the library. */
const STAGED = Symbol.for('platform-cdk.stagedPreview');
const holder = globalThis as { [STAGED]?: StagedPreview };

/**
 * Makes `loadPreviews` of a folder see one file as if it were written (`text` under `name`), so that
 * `platform-cdk preview create` can build the estate with the new preview before anything is written; `undefined`
 * ends it. Returns whether the program loaded the folder since the file was staged.
 * @param stage the folder, the file's name and its text
 * @internal
 */
export function _stagePreview(stage: { dir: string; name: string; text: string } | undefined): boolean {
  const seen = holder[STAGED]?.seen === true;
  if (stage === undefined) delete holder[STAGED];
  else holder[STAGED] = { dir: path.resolve(stage.dir), name: stage.name, text: stage.text, seen: false };
  return seen;
}

/** A problem of a preview's values, by the field of the previews file (the option of `platform-cdk preview create`). */
export interface PreviewSpecProblem {
  /** The field: `branch`, `images`, `owner`, `expires`, `baseline` or `dependencies`. */
  readonly field: 'branch' | 'images' | 'owner' | 'expires' | 'baseline' | 'dependencies';
  /** The value received. */
  readonly value: unknown;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Checks a preview's values with the rules the model applies at synthesis (lib/values.ts, lib/names.ts): the
 * branch is a Git branch name, each service reference and image tag is valid, the owner is `user:<name>` with a
 * valid label value or a department's DNS name, the expiry is a calendar day not before `today`, the baseline an
 * environment's DNS name, the dependencies `baseline` or `clone`. What needs the estate (does the service, the
 * department, the baseline exist) is checked by building it.
 * @param spec the preview's values
 * @param today the date, `YYYY-MM-DD`
 */
export function checkPreviewSpec(spec: PreviewSpec, today: string): PreviewSpecProblem[] {
  const out: PreviewSpecProblem[] = [];
  for (const [ref, o] of Object.entries(spec.services)) {
    const parts = ref.split('/');
    if (parts.length > 3 || parts.some((x) => checkDns1123Label(x))) out.push({ field: 'images', value: ref, message: 'a service is named <tenant>/<project>/<service>, <project>/<service> or <service>, each a DNS name', fix: 'name a service of the estate, e.g. api=sha-4f2a91c' });
    const t = o.tag === undefined ? undefined : checkImageTag(o.tag);
    if (t) out.push({ field: 'images', value: `${ref}=${String(o.tag)}`, message: `not an image tag: ${t}`, fix: 'give the branch build\'s tag, e.g. api=sha-4f2a91c' });
  }
  if (!isCalendarDate(spec.expires)) out.push({ field: 'expires', value: spec.expires, message: 'a date is YYYY-MM-DD', fix: 'give the preview\'s last day' });
  else if (spec.expires < today) out.push({ field: 'expires', value: spec.expires, message: `the expiry is before today (${today}), and the preview would be left out at once`, fix: 'give a later date' });
  if (typeof spec.branch !== 'string' || !/[A-Za-z0-9]/.test(spec.branch)) out.push({ field: 'branch', value: spec.branch, message: 'the branch has no letter or digit', fix: 'name the branch like feature/login' });
  else {
    const b = checkBranchName(spec.branch);
    if (b) out.push({ field: 'branch', value: spec.branch, message: b, fix: 'pass the Git branch name, e.g. feature/login' });
  }
  const owner = spec.owner;
  if (owner.startsWith('user:')) {
    const name = owner.slice('user:'.length);
    const v = name === '' ? 'a user needs a name' : checkLabelValue(name);
    if (v) out.push({ field: 'owner', value: owner, message: `the owner's name is written as a label value: ${v}`, fix: 'name the user as the identity provider knows them, e.g. user:alice' });
  } else {
    const d = checkDns1123Label(owner);
    if (d) out.push({ field: 'owner', value: owner, message: `a department is named by a DNS name: ${d}`, fix: 'name a department of the services\' tenant, or a user as user:<name>' });
  }
  const b = checkDns1123Label(spec.baseline);
  if (b) out.push({ field: 'baseline', value: spec.baseline, message: `an environment is named by a DNS name: ${b}`, fix: 'name the development environment the preview derives from, e.g. test' });
  if (spec.dependencies !== undefined && spec.dependencies !== 'baseline' && spec.dependencies !== 'clone') out.push({ field: 'dependencies', value: spec.dependencies, message: 'the dependencies are baseline or clone', fix: 'use baseline or clone' });
  return out;
}

/** A file of a previews folder that holds a preview's name: the file of a branch, or a file that names no branch. */
export type PreviewFileOwner =
  | {
      /** The file names its branch. */
      readonly kind: 'branch';
      /** The file. */
      readonly file: string;
      /** The branch it names. */
      readonly branch: string;
    }
  | {
      /** The file names no branch, or is not JSON. */
      readonly kind: 'unknown';
      /** The file. */
      readonly file: string;
      /** Why it is not known whose it is. */
      readonly reason: string;
    };

/**
 * Who holds a preview's name in a previews folder: the file `<slug>.json` and every other file whose branch has
 * the same slug. A file of another branch means the two branches collide (`feature/login` and `Feature_Login` are
 * both `pv-feature-login`), and neither `preview create` nor `preview delete` may touch it.
 * @param dir the previews folder
 * @param slug the preview's slug
 * @param branch the branch asking, so that a file of this very branch is preferred
 */
export function previewFileOwners(dir: string, slug: string, branch: string): PreviewFileOwner[] {
  if (!fs.existsSync(dir)) return [];
  const out: PreviewFileOwner[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    let spec: unknown;
    try {
      spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      if (name === `${slug}.json`) out.push({ kind: 'unknown', file, reason: `it is not JSON (${(e as Error).message})` });
      continue;
    }
    const b = typeof spec === 'object' && spec !== null ? (spec as { branch?: unknown }).branch : undefined;
    if (typeof b !== 'string') {
      if (name === `${slug}.json`) out.push({ kind: 'unknown', file, reason: 'it names no branch' });
      continue;
    }
    if (name === `${slug}.json` || previewSlug(b) === slug) out.push({ kind: 'branch', file, branch: b });
  }
  return out.sort((x, y) => Number(x.kind === 'branch' && x.branch !== branch) - Number(y.kind === 'branch' && y.branch !== branch));
}
