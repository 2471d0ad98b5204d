/**
 * Property tests of the escape hatches (docs/escape-hatches.md): random valid estates with random user constructs
 * (per project, tenant and cluster, a mix of the mechanisms: test/property/hatches.ts), overrides, JSON patches and
 * a transform synthesize to schema-valid, policy-clean, deterministic and isolated output in which every user object
 * and override is found where it was declared. YAML = Pulumi: escape-hatches-pulumi.test.ts.
 */
import * as fc from 'fast-check';
import { checkIsolation, declaredPaths, formatIsolationFinding, isolationObjectsOfRender, ManifestStack } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkRendered, formatFinding } from '../../lib/check';
import { EstateSpec, validEstate } from './estate';
import { buildWithHatches as build, hatchSpec, HatchSpec } from './hatches';
import { tiered } from '../tier';

const SEED = 20261206;

function problems(spec: EstateSpec, hatches: HatchSpec): string[] {
  const { platform, expected } = build(spec, hatches);
  const stack = new ManifestStack(platform);
  let files: Map<string, string>;
  const out: string[] = [];
  try {
    const rendered = stack.render();
    const result = checkRendered(platform, rendered);
    out.push(...result.findings.filter((f) => f.severity === 'error' && f.waived === undefined).map(formatFinding));
    out.push(...checkIsolation(isolationObjectsOfRender(rendered), { declaredPaths: declaredPaths(platform) }).map(formatIsolationFinding));
    files = stack.files();
  } catch (e) {
    return [`synthesis failed: ${e instanceof Error ? e.message : String(e)}`];
  }
  const again = new ManifestStack(build(spec, hatches).platform).files();
  if ([...again.keys()].join('\n') !== [...files.keys()].join('\n')) out.push('a second build wrote other files');
  for (const [f, text] of files) if (again.get(f) !== text) out.push(`a second build wrote ${f} differently`);
  const objects = new Map<string, KubeObject>();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  for (const [file, text] of files) {
    if (file.startsWith('_')) continue;
    for (const doc of yaml.parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      objects.set(`${file.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
      if (hatches.transform && o.metadata.annotations?.['example.com/seen'] !== 'yes') out.push(`the transform did not see ${o.kind} ${o.metadata.name}`);
    }
  }
  for (const [key, ok] of expected) {
    const o = objects.get(key);
    if (!o) out.push(`missing ${key}`);
    else if (!ok(o)) out.push(`${key} is not as declared`);
  }
  return out;
}

describe('random valid estates with random escape hatches', () => {
  it('synthesize to schema-valid, policy-clean, deterministic, isolated output holding every user object and override where declared', () => {
    fc.assert(
      fc.property(validEstate, hatchSpec, (spec, hatches) => {
        expect(problems(spec, hatches)).toEqual([]);
      }),
      { seed: SEED, numRuns: tiered(10, 60) },
    );
  });
});
