/**
 * Property-based tests of the whole API (fast-check, fixed seed, bounded runs): random valid estates synthesize
 * to schema-valid, policy-clean, deterministic and isolated output; random invalid changes to them are always a
 * ValidationError naming the construct, and write nothing. The quick tier runs a few cases of each, the full tier
 * (`npm run test:full`) more; `long-run.ts` (`npm run test:long`) runs the same properties on many more cases. Regression tests of what the properties found follow.
 */
import * as fc from 'fast-check';
import { PreviewDependencies } from 'platform-cdk';
import { checkPlatformIsolation, formatIsolationFinding } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, validationErrors } from '../fixture';
import { BackupTarget, Engine, ExistingSecret, StatefulMode, TenantNetwork, User } from 'platform-cdk';
import { invalidChange } from './changes';
import { validEstate } from './estate';
import { invalidChangeProblems, PreviousOutput, validEstateProblems } from './properties';
import { tiered } from '../tier';

/** The seed of the CI runs; a failure prints the seed and path that replay it. */
const SEED = 20261203;

describe('random valid estates', () => {
  it('synthesize, and every object is schema-valid, passes its profile\'s policy rules, is the same on a second build, and keeps tenants and previews apart', () => {
    fc.assert(
      fc.property(validEstate, (spec) => {
        expect(validEstateProblems(spec)).toEqual([]);
      }),
      { seed: SEED, numRuns: tiered(8, 30) },
    );
  });
});

describe('random invalid changes to valid estates', () => {
  const previous = new PreviousOutput();
  afterAll(() => previous.remove());

  it('are a ValidationError naming the construct, every line with path, property, value and fix, and nothing is written', () => {
    fc.assert(
      fc.property(validEstate, invalidChange, (spec, change) => {
        previous.write(spec);
        expect(invalidChangeProblems(spec, change, previous)).toEqual([]);
      }),
      { seed: SEED, numRuns: tiered(25, 100) },
    );
  });
});

describe('regressions the properties found', () => {
  it('a preview admits no backup job of a baseline\'s in-cluster database: no path from the preview to the database', () => {
    const f = fixture();
    f.tenant.addDepartment('devs', { members: ['carol'] });
    const db = f.project.addStatefulService('db', {
      engine: Engine.mysql(),
      mode: StatefulMode.IN_CLUSTER,
      inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi', credentials: ExistingSecret.named('db').key('password'), backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups') } },
    });
    addService(f, 'api').connectsTo(db);
    f.platform.addPreview('feature/x', { baseline: f.test, owner: User.named('alice'), expires: '2099-12-31', services: { api: { tag: '2.0.0' } }, dependencies: PreviewDependencies.BASELINE });
    const objects = synthObjects(f.platform);
    // The baseline's database admits its own backup job and the api of the baseline and of the preview (a declared
    // dependency); no backup job of the preview, which runs none.
    const ingress = objectAt(objects, 'member-test/NetworkPolicy/storefront/ingress-to-db').spec as { ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> }; podSelector: { matchLabels: Record<string, string> } }[] }[] };
    const from = ingress.ingress.flatMap((r) => r.from.map((x) => `${x.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${x.podSelector.matchLabels['app.kubernetes.io/name']}`));
    expect(from.sort()).toEqual(['storefront-pv-feature-x/api', 'storefront/api', 'storefront/db-backup']);
    expect([...objects.keys()].filter((k) => k.startsWith('member-test/NetworkPolicy/storefront-pv-feature-x/') && k.includes('db'))).toEqual(['member-test/NetworkPolicy/storefront-pv-feature-x/egress-to-db.storefront']);
    expect(checkPlatformIsolation(f.platform).map(formatIsolationFinding)).toEqual([]);
  });

  it('refuses a host claimed by two tenants on different clusters, naming the first claim and its cluster', () => {
    const f = fixture();
    addService(f, 'web').expose({ hosts: { test: 'www.example.com' }, environments: ['test'] });
    const other = f.platform.addTenant('ads', { manager: 'bob', network: TenantNetwork.DECLARED_PATHS_ONLY });
    other.addProject('banners', { environments: [f.production] }).addService('banner', { image: f.registry.image('ads/banner', '2.0.0'), ports: [{ port: 8080 }] }).expose({ hosts: { production: 'www.example.com' } });
    const line = lineFor(validationErrors(f.platform), 'acme/shop/storefront/web', 'expose');
    expect(line).toBe('[acme/shop/storefront/web] expose: got "www.example.com"; on cluster host, acme/ads/banners/banner of tenant ads claims this host already; a host belongs to one tenant. Fix: give the service a host of its own tenant\'s domain.');
  });
});
