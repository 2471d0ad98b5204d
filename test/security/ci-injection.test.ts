/**
 * Hostile input cannot hurt through the generated CI scripts (issue 18, defect 2): every value that reaches a
 * shell line (GitLab CI) or a Groovy string (Jenkinsfile) goes through lib/quote.ts, and options that are
 * identifiers are checked as such. The property (test/security/ci-scripts.ts) feeds random hostile strings
 * through every pipeline option, extracts the generated scripts and runs them under `sh` with the tools
 * stubbed; `npm run test:long` runs it on 10,000 cases.
 */
import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import { CiSystem, Credential } from 'platform-cdk';
import { commentText, gitlabExpressionString, groovyScript, groovyString, shellQuote, shellVar, shellWord } from '../../lib/quote';
import { ciCase, ciCaseOutcome, hostile, MARKER, readGroovy, REPORTED, runScripts, uncheckedScripts } from './ci-scripts';
import type { CiCase } from './ci-scripts';
import { lineFor, validationErrors } from '../fixture';
import { deliveredWith, fullProps } from '../lib/pipelines/fixture';

/** The seed of the CI runs; a failure prints the seed and path that replay it. */
const SEED = 20261206;

/** What `sh` reads each word as: the words printed by one `/bin/sh`, NUL-separated. */
function shellReads(words: readonly string[]): string[] {
  const script = words.map((w) => `printf '%s\\000' ${w}`).join('\n');
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { V: '<v>', PATH: '/usr/bin:/bin' } });
  return r.stdout.split('\0').slice(0, -1);
}

describe('the quoting functions', () => {
  it('shellQuote gives one shell word that sh reads back as exactly the value', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 20 }), (values) => {
        expect(shellReads(values.map(shellQuote))).toEqual(values);
      }),
      { seed: SEED, numRuns: 15 },
    );
    expect(shellQuote('release/2.x')).toBe('release/2.x');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('shellWord joins literal text and variables into one word, the text read back exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostile, hostile), { minLength: 1, maxLength: 20 }), (pairs) => {
        expect(shellReads(pairs.map(([a, b]) => shellWord(a, shellVar('V'), b)))).toEqual(pairs.map(([a, b]) => `${a}<v>${b}`));
      }),
      { seed: SEED, numRuns: 15 },
    );
    expect(shellWord('harbor.example.com/shop/api:', shellVar('IMAGE_TAG'))).toBe('"harbor.example.com/shop/api:$IMAGE_TAG"');
    expect(shellWord(shellVar('V'), 'x')).toBe('"${V}x"');
    expect(() => shellVar('1X; touch pwned')).toThrow('not a shell variable name');
  });

  it('groovyString and groovyScript are literals the Jenkinsfile reader decodes to the value, with no interpolation and no unicode escape', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const { literals, code } = readGroovy(`x(${groovyString(a)})\nsh ${groovyScript(b)}\n`);
        expect(literals.map((l) => l.value)).toEqual([a, `\n${b}\n`]);
        expect(code).toBe('x(_)\nsh _\n');
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(groovyString("it's ${x} \\ \"\"\"\n")).toBe("'it\\'s ${x} \\\\ \"\"\"\\n'");
    expect(groovyScript("echo '''x'''\\")).toBe("'''\necho \\'\\'\\'x\\'\\'\\'\\\\\n'''");
  });

  it('commentText stays on one line; gitlabExpressionString picks the quote the value does not hold', () => {
    fc.assert(
      fc.property(hostile, (v) => {
        expect(commentText(v)).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
      }),
      { seed: SEED, numRuns: 200 },
    );
    expect(gitlabExpressionString('main')).toBe('"main"');
    expect(gitlabExpressionString('a"b')).toBe("'a\"b'");
    expect(() => gitlabExpressionString('a"b\'c')).toThrow('cannot write');
  });
});

describe('the Jenkinsfile reader of the test', () => {
  it('decodes exactly the escapes the library writes', () => {
    expect(readGroovy("a('x\\'y\\\\z\\n\\r') sh '''\nq\\'\\'\\'r\n'''").literals.map((l) => [l.before, l.value])).toEqual([
      ['a(', "x'y\\z\n\r"],
      ['a(_) sh ', "\nq'''r\n"],
    ]);
    expect(readGroovy("// it's a comment \"\n'a'").literals.map((l) => l.value)).toEqual(['a']);
  });

  it('refuses what the library never writes: GStrings, $ in code, other escapes, open literals, unicode escapes', () => {
    expect(() => readGroovy('x("a")')).toThrow('double-quoted');
    expect(() => readGroovy('x($a)')).toThrow('"$" in Groovy code');
    expect(() => readGroovy("x('\\t')")).toThrow('unknown escape');
    expect(() => readGroovy("x('a)")).toThrow('unterminated');
    expect(() => readGroovy("x('a\nb')")).toThrow('line break');
    expect(() => readGroovy("x('\\u0027')")).toThrow('unicode escape');
    expect(readGroovy("x('\\\\u0027')").literals[0].value).toBe('\\u0027');
  });
});

describe('the script runner of the test', () => {
  it('finds a marker file a script makes, and logs what each stubbed tool receives', () => {
    const run = runScripts([`touch ${MARKER}`, "git clone 'a b' \"$IMAGE_TAG\"; exit 3", 'docker push x; /kaniko/executor --context y']);
    expect(run.markers).toEqual([`work/${MARKER}`]);
    expect(run.calls).toEqual([[], [{ tool: 'git', args: ['clone', 'a b', '0123456789ab'] }], [{ tool: 'docker', args: ['push', 'x'] }, { tool: 'kaniko-executor', args: ['--context', 'y'] }]]);
  });
});

describe('the reported payloads', () => {
  const cases: [keyof typeof REPORTED, CiCase['values'], string][] = [
    ['severity', { 'scan.severities': REPORTED.severity }, 'scan.severities[1]'],
    ['context', { context: REPORTED.context }, 'context'],
    ['dockerfile', { dockerfile: REPORTED.dockerfile }, 'dockerfile'],
  ];

  it.each(cases)('%s: refused by the model with a ValidationError naming the option', (_name, values, property) => {
    expect(ciCaseOutcome({ values, method: 'gitops-wait' })).toEqual({ outcome: 'refused', problems: [] });
    const f = deliveredWith(CiSystem.KUBESPHERE_DEVOPS, 'estate-git');
    const scan = values['scan.severities'] ? { scan: { severities: ['HIGH', values['scan.severities']] } } : {};
    f.api.addPipeline(fullProps(f, { ...scan, context: values.context, dockerfile: values.dockerfile }));
    expect(lineFor(validationErrors(f.platform), 'acme/shop/storefront/api/Pipeline', property)).toMatch(/^\[acme\/shop\/storefront\/api\/Pipeline\] [a-z.[\]0-9]+: got ".+"; (not a Trivy severity \(UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL\)|a path inside the repository, relative to its root)\. Fix: /);
  });

  it.each(cases)('%s: quoted in the Jenkinsfile and .gitlab-ci.yml even without the model check, so the scripts make no marker', (_name, values) => {
    for (const method of ['gitops-wait', 'kubectl'] as const) {
      const scripts = uncheckedScripts({ values, method });
      const run = runScripts(scripts);
      expect(run.markers).toEqual([]);
      const all = run.calls.flat();
      if (values['scan.severities']) expect(all).toContainEqual({ tool: 'trivy', args: expect.arrayContaining([`HIGH,${REPORTED.severity}`]) });
      if (values.context) expect(all).toContainEqual({ tool: 'kaniko-executor', args: expect.arrayContaining([`/builds/shop/api/${REPORTED.context}`]) });
      if (values.dockerfile) expect(all).toContainEqual({ tool: 'docker', args: expect.arrayContaining([REPORTED.dockerfile]) });
    }
  });

  it('a scan severity in lower case, an empty list of severities and a path starting with "-" are refused too', () => {
    const f = deliveredWith(CiSystem.KUBESPHERE_DEVOPS, 'estate-git');
    f.api.addPipeline(fullProps(f, { scan: { severities: ['critical'] }, context: '--build-arg=x' }));
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront/api/Pipeline', 'scan.severities[0]')).toBe(
      '[acme/shop/storefront/api/Pipeline] scan.severities[0]: got "critical"; not a Trivy severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL). Fix: use one of Trivy\'s severities, in upper case, e.g. "CRITICAL".',
    );
    expect(lineFor(lines, 'acme/shop/storefront/api/Pipeline', 'context')).toContain('got "--build-arg=x"; a path inside the repository, relative to its root.');
    const g = deliveredWith(CiSystem.GITLAB_CI, 'estate-git', { estate: { repository: 'https://gitlab.example.com/platform/estate.git', branch: 'main.lock', credential: Credential.basicAuth('estate-git') } });
    g.api.addPipeline(fullProps(g, { scan: { severities: [] } }));
    const more = validationErrors(g.platform);
    expect(lineFor(more, 'acme/shop/storefront/api/Pipeline', 'scan.severities')).toContain('got []; the severities that fail the pipeline are a non-empty list.');
    expect(lineFor(more, 'acme', 'delivery.estate.branch')).toBe('[acme] delivery.estate.branch: got "main.lock"; not a Git branch name. Fix: use a branch like "main" or "release/2.x".');
  });
});

describe('random hostile strings in every pipeline option', () => {
  it('are refused by the model, or make CI files whose scripts run without a marker, pass each value intact as one argument and keep each user command within its step', () => {
    const seen = { refused: 0, generated: 0 };
    fc.assert(
      fc.property(ciCase, (c) => {
        const outcome = ciCaseOutcome(c);
        seen[outcome.outcome]++;
        expect(outcome.problems).toEqual([]);
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.generated).toBeGreaterThan(0);
  });
});
