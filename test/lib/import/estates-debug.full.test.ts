import * as path from 'path';
import type { Platform } from 'platform-cdk';
import { ROOT, roundTrip } from './roundtrip';
test.each(['connected-vehicle', 'ride-hailing'])('debug %s', (name) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require(path.join(ROOT, 'examples', name, 'main.ts')) as { build: () => Platform };
  try {
    const r = roundTrip(build(), name);
    console.log(name, r.imported.summary, r.imported.program.split('\n').length);
    const kinds = new Map<string, number>();
    for (const c of r.diff.clusters) {
      for (const a of c.added) kinds.set(`+ ${a.split(' ')[1]}`, (kinds.get(`+ ${a.split(' ')[1]}`) ?? 0) + 1);
      for (const a of c.removed) kinds.set(`- ${a.split(' ')[1]}`, (kinds.get(`- ${a.split(' ')[1]}`) ?? 0) + 1);
      for (const a of c.changed) for (const f of a.fields) { const k = `~ ${a.object.split(' ')[1]} ${f.path.replace(/\/\d+/g, '/N')}`; kinds.set(k, (kinds.get(k) ?? 0) + 1); }
    }
    console.log([...kinds].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v} ${k}`).join('\n'));
  } catch (e) { console.log(name, String(e).slice(0, 3000)); }
});
