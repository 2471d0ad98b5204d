/**
 * The serializers, run as `node child-y.js <n> <unused>`: renders the bench estate once, then times writing
 * all its objects as YAML with platform-cdk's writer (`lib/yaml.ts`) and with the `yaml` package (sorted keys
 * and no aliases, as platform-cdk writes them), and as JSON with `JSON.stringify`. Prints one JSON line:
 * `{ n, objects, ourMs, yamlPackageMs, jsonMs }`, each the median of 3 passes.
 */
import { stringify } from 'yaml';
import { renderPlatform } from '../index';
import { toYamlDocument } from '../lib/yaml';
import type { KubeObject } from '../lib/manifest';
import { childArgs } from './child-protocol';
import { buildBenchEstate } from './estate';

const { n } = childArgs();
const objects: KubeObject[] = [];
for (const c of renderPlatform(buildBenchEstate(n)).clusters) for (const o of c.objects) objects.push(o.toJson());

function time(write: (o: KubeObject) => string): number {
  const passes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    let length = 0;
    for (const o of objects) length += write(o).length;
    passes.push(performance.now() - start);
    if (length === 0) throw new Error('nothing was written');
  }
  return passes.sort((a, b) => a - b)[1];
}

const ourMs = time(toYamlDocument);
// Repeated objects (a manifest may share one labels or selector object between fields) are written in full, as
// platform-cdk writes them, not as anchors and aliases (which with sorted keys the package cannot even write).
const yamlPackageMs = time((o) => stringify(o, { sortMapEntries: true, aliasDuplicateObjects: false }));
const jsonMs = time((o) => JSON.stringify(o));
process.stdout.write(`${JSON.stringify({ n, objects: objects.length, ourMs, yamlPackageMs, jsonMs })}\n`);
