/**
 * The GitOps objects and the pipelines name the output folder in the estate repository: `synth --out <folder>`
 * makes them follow the folder it writes (relative to the repository's root), refuses a folder that differs from
 * an explicit `delivery.outdir`, and warns when it writes outside the repository.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credential, GitOpsTool, Target } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { UsageError } from '../../cli/errors';
import { ExitCode } from '../../cli/main';
import { followOutputFolder, repositoryRoot } from '../../cli/outdir';
import { addService, fixture, synthObjects } from '../fixture';
import { cli } from './run';

const ROOT = path.resolve(__dirname, '..', '..');
const ESTATE = { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') };

let repo: string;
beforeEach(() => {
  repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-outdir-')));
  fs.mkdirSync(path.join(repo, '.git'));
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

/** A small estate synced by Flux. */
function fluxEstate(outdir?: string): ReturnType<typeof fixture> {
  const f = fixture(Target.KUBERNETES);
  f.platform.configureDelivery({ estate: ESTATE, gitops: GitOpsTool.FLUX, ...(outdir !== undefined ? { outdir } : {}) });
  addService(f, 'api');
  return f;
}

/** The paths of the Flux Kustomizations, by cluster. */
function kustomizationPaths(objects: Map<string, KubeObject>): string[] {
  return [...objects.values()].filter((o) => o.kind === 'Kustomization').map((o) => (o.spec as { path: string }).path).sort();
}

describe('followOutputFolder', () => {
  it('finds the repository root above the working folder', () => {
    fs.mkdirSync(path.join(repo, 'estate', 'sub'), { recursive: true });
    expect(repositoryRoot(path.join(repo, 'estate', 'sub'))).toBe(repo);
  });

  it('makes the Flux paths name the folder --out writes', () => {
    const f = fluxEstate();
    expect(kustomizationPaths(synthObjects(f.platform))).toEqual(['./dist/host', './dist/member-test']);

    expect(followOutputFolder(f.platform, 'other', repo)).toBeUndefined();
    expect(f.platform.delivery?.outdir).toBe('other');
    expect(kustomizationPaths(synthObjects(f.platform))).toEqual(['./other/host', './other/member-test']);
  });

  it('names the folder relative to the repository root when run in a subfolder', () => {
    fs.mkdirSync(path.join(repo, 'estate'));
    const f = fluxEstate();
    followOutputFolder(f.platform, 'dist', path.join(repo, 'estate'));
    expect(kustomizationPaths(synthObjects(f.platform))).toEqual(['./estate/dist/host', './estate/dist/member-test']);
  });

  it('refuses a folder that is not the explicit delivery.outdir', () => {
    const f = fluxEstate('deploy');
    expect(() => followOutputFolder(f.platform, 'other', repo)).toThrow(UsageError);
    expect(() => followOutputFolder(f.platform, 'other', repo)).toThrow(
      '--out other is other in the estate repository, but the platform\'s delivery.outdir is "deploy", the folder its GitOps objects sync and its pipelines commit. Fix: synthesize with --out deploy from the repository root, or change configureDelivery({ outdir })',
    );
    expect(followOutputFolder(f.platform, './deploy/', repo)).toBeUndefined();
    expect(f.platform.delivery?.outdir).toBe('deploy');
  });

  it('changes nothing, and says so, for a folder outside the repository', () => {
    const f = fluxEstate();
    const outside = path.join(os.tmpdir(), 'elsewhere');
    expect(followOutputFolder(f.platform, outside, repo)).toBe(`the output folder ${outside} is not inside the estate repository (${repo}): the GitOps objects and the pipelines still name dist/<cluster>, which this run does not write`);
    expect(f.platform.delivery?.outdir).toBeUndefined();
  });

  it('changes nothing for an estate that does not configure delivery', () => {
    const f = fixture();
    expect(followOutputFolder(f.platform, 'other', repo)).toBeUndefined();
    expect(f.platform.delivery).toBeUndefined();
  });
});

describe('synth --out', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = process.cwd();
  });
  afterEach(() => process.chdir(cwd));

  it('writes Flux paths that point at the folder it wrote', () => {
    const index = JSON.stringify(path.join(ROOT, 'index'));
    fs.writeFileSync(
      path.join(repo, 'estate.ts'),
      `import { ClusterRole, Credential, GitOpsTool, Platform, Registry, Target } from ${index};

export function build(): Platform {
  const platform = new Platform('acme', { target: Target.KUBERNETES });
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  platform.addEnvironment('production', { clusters: [host], production: true });
  platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') }, gitops: GitOpsTool.FLUX });
  platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: ['production'] }).addService('api', { image: Registry.at('harbor.example.com').image('shop/api', '1.0.0'), ports: [{ port: 8080 }], replicas: 2 });
  return platform;
}
`,
    );
    process.chdir(repo);
    const r = cli('synth', '--app', 'estate.ts', '--out', 'other', '--no-check');

    expect(r.code).toBe(ExitCode.OK);
    const text = fs.readdirSync(path.join(repo, 'other', 'host')).map((f) => fs.readFileSync(path.join(repo, 'other', 'host', f), 'utf8')).join('\n');
    expect(text).toContain('path: "./other/host"');
    expect(text).not.toContain('./dist/');
  });
});
