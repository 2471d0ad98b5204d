/**
 * Variant v (validation of the output), run as `node child-v.js <n> <unused> [<crd folder>...]`: builds the
 * bench estate's model, renders it (`renderPlatform`), builds the schema validator of its target with the CRD
 * folders given (`validatorFor`: loading ajv, the Kubernetes definitions and every CRD file, once per process)
 * and then checks the whole output with `checkRendered`, schemas and policy rules. The schema of each kind is
 * compiled on its first object, so inside the check.
 *
 * `wallMs` is the check's own wall time (`checkRendered`); `check.validatorMs` the time to build the validator
 * before it; `check.againMs` a second `checkRendered` of the same render in the same process (every kind
 * compiled already), taken after the peak RSS is read.
 */
import { renderPlatform } from '../index';
import { checkRendered, validatorFor } from '../lib/check';
import { childArgs, report } from './child-protocol';
import { buildBenchEstate } from './estate';

const { n } = childArgs();
const crdDirs = process.argv.slice(4);
const start = performance.now();
const platform = buildBenchEstate(n);
const rendered = renderPlatform(platform);
const renderedAt = performance.now();
validatorFor(platform.target, crdDirs);
const validatorAt = performance.now();
const result = checkRendered(platform, rendered, { crdDirs });
const checkedAt = performance.now();
const maxRssKiB = process.resourceUsage().maxRSS;
const again = checkRendered(platform, rendered, { crdDirs });
const againMs = performance.now() - checkedAt;
if (again.findings.length !== result.findings.length) throw new Error(`two checks of the same render found ${result.findings.length} and ${again.findings.length} findings`);

const active = result.findings.filter((f) => f.waived === undefined);
const errors = active.filter((f) => f.severity === 'error');
const byRule = new Map<string, number>();
for (const f of active) byRule.set(`${f.severity} ${f.rule}`, (byRule.get(`${f.severity} ${f.rule}`) ?? 0) + 1);
report({
  variant: 'v',
  n,
  objects: result.objects,
  files: 0,
  warnings: active.length - errors.length,
  wallMs: checkedAt - validatorAt,
  maxRssKiB,
  check: {
    modelAndRenderMs: renderedAt - start,
    validatorMs: validatorAt - renderedAt,
    againMs,
    errors: errors.length,
    waived: result.findings.length - active.length,
    byRule: Object.fromEntries([...byRule].sort()),
    unvalidated: result.unvalidated,
    firstErrors: errors.slice(0, 5).map((f) => `${f.rule} ${f.cluster}: ${f.object} ${f.at}: ${f.message}`),
  },
});
