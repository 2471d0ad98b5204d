/**
 * Reading back a release pipeline's Jenkinsfile as lib/pipelines/jenkinsfile.ts writes it: the module, the tool
 * images of its pod, the stages in order (checkout, build, unit tests, the team's own, image, scan, approvals,
 * deploys, tests after a deploy) and the failure notifications, as plain values. Reading is lenient: whatever it
 * reads is checked by writing the pipeline again with the library and comparing (lib/import/pipelines.ts), so a
 * Jenkinsfile of another shape (one built in the console) is never taken for the library's.
 */

/** An image reference split as the model says it. */
export interface ImageSpec {
  /** The registry's host. */
  readonly registry: string;
  /** The repository. */
  readonly repository: string;
  /** The tag. */
  readonly tag: string;
}

/** A credential by kind and id. */
export interface CredentialSpec {
  /** The `Credential` factory that makes it. */
  readonly kind: 'basicAuth' | 'sshKey' | 'secretText' | 'kubeconfig';
  /** Its id. */
  readonly id: string;
}

/** A stage that runs commands in a tool image. */
export interface RunStage {
  /** The stage's name. */
  readonly name: string;
  /** The tool image. */
  readonly image?: ImageSpec;
  /** The commands. */
  readonly commands: string[];
  /** The JUnit report, if any. */
  readonly report?: string;
}

/** What a Jenkinsfile of the library's shape says. */
export interface ReadJenkinsfile {
  /** `<tenant>/<project>/<module>`. */
  readonly releaseKey: string;
  /** The construct path it was generated from. */
  readonly path: string;
  /** The source. */
  readonly source: { readonly repository: string; readonly branch: string; readonly credential: string };
  /** Run stages before the image, in order (build first). */
  readonly before: RunStage[];
  /** Run stages after the image (and the scan), before the first deploy. */
  readonly after: RunStage[];
  /** The image stage: the registry credential, the image, the Dockerfile and the context. */
  readonly image?: { readonly credential: string; readonly target: string; readonly dockerfile: string; readonly context: string };
  /** The scan, if any. */
  readonly scan?: { readonly severities: string[]; readonly ignoreUnfixed: boolean; readonly image?: ImageSpec };
  /** Approvals: environment → the submitters. */
  readonly approvals: { readonly environment: string; readonly submitter: string }[];
  /** Deploys, in order: environment, tool image, script lines, credentials bound. */
  readonly deploys: { readonly environment: string; readonly image?: ImageSpec; readonly script: string[]; readonly credentials: { readonly kind: string; readonly id: string; readonly variable: string }[] }[];
  /** Tests after a deploy: environment → the stage. */
  readonly verifies: Record<string, RunStage>;
  /** Addresses mailed on failure. */
  readonly email?: string[];
  /** The webhook credential's id. */
  readonly webhook?: string;
}

const GROOVY = "'((?:[^'\\\\]|\\\\.)*)'";

/** The value of a Groovy single-quoted literal's body. */
export function groovyValue(body: string): string {
  return body.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** The value of a shell word written by `shellQuote` (bare, or single-quoted with `'\''`). */
export function shellValue(word: string): string {
  return word.replace(/'((?:[^']|'\\'')*)'|\\(.)/g, (_, q: string | undefined, e: string | undefined) => (q !== undefined ? q.replace(/'\\''/g, "'") : (e ?? '')));
}

/** A shell word as `shellQuote` writes it, as a regular expression source. */
export const SHELL_WORD = "(?:'(?:[^']|'\\\\'')*'|[A-Za-z0-9_./:@%+=,-]+)";

/** An image reference as the model writes it: `<host>/<repository>:<tag>`. */
export function imageSpec(reference: string): ImageSpec | undefined {
  const m = /^([^/\s]+)\/([^:@\s]+):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(reference);
  return m ? { registry: m[1], repository: m[2], tag: m[3] } : undefined;
}

/** The lines of a text split into top-level blocks of `    stage('…') {` … `    }`, shell scripts kept whole. */
function stageBlocks(lines: readonly string[]): { name: string; lines: string[] }[] {
  const out: { name: string; lines: string[] }[] = [];
  let inScript = false;
  let current: { name: string; lines: string[] } | undefined;
  for (const l of lines) {
    const starts = inScript;
    if ((l.split("'''").length - 1) % 2 === 1) inScript = !inScript;
    if (!starts && !current) {
      const m = new RegExp(`^    stage\\(${GROOVY}\\) \\{$`).exec(l);
      if (m) current = { name: groovyValue(m[1]), lines: [] };
      continue;
    }
    if (!starts && current && l === '    }') {
      out.push(current);
      current = undefined;
      continue;
    }
    current?.lines.push(l);
  }
  return out;
}

/** The script of the first `sh '''` step of a block: its lines after `set -eu`. */
function script(lines: readonly string[]): string[] | undefined {
  const start = lines.findIndex((l) => /^\s*sh '''$/.test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^\s*'''$/.test(l));
  if (end < 0) return undefined;
  const body = groovyValue(lines.slice(start + 1, end).join('\n')).split('\n');
  if (body[0] !== 'set -eu') return undefined;
  // A command is never blank: a blank line belongs to the command before it (a command written over lines).
  const commands: string[] = [];
  for (const l of body.slice(1)) {
    if (l.trim() === '' && commands.length > 0) commands[commands.length - 1] += `\n${l}`;
    else commands.push(l);
  }
  return commands;
}

function first(lines: readonly string[], re: RegExp): RegExpExecArray | undefined {
  for (const l of lines) {
    const m = re.exec(l);
    if (m) return m;
  }
  return undefined;
}

/**
 * Reads a Jenkinsfile of the library's shape; `undefined` (with why) when it has another shape.
 * @param text the Jenkinsfile
 */
export function readJenkinsfile(text: string): ReadJenkinsfile | string {
  const lines = text.split('\n');
  const head = /^\/\/ Release pipeline of (\S+), generated by platform-cdk from (.+)\. Do not edit: change the model\.$/.exec(lines[0] ?? '');
  if (!head) return 'its Jenkinsfile was not generated by platform-cdk (built in the console, or edited)';
  const pod = first(lines, new RegExp(`^      yaml ${GROOVY}$`));
  const containers = new Map<string, string>();
  if (pod) {
    const podLines = groovyValue(pod[1]).split('\n');
    podLines.forEach((l, i) => {
      const n = /^ {2}- name: (\S+)$/.exec(l);
      const im = /^ {4}image: (.+)$/.exec(podLines[i + 1] ?? '');
      if (n && im) containers.set(n[1], im[1].startsWith('"') ? (JSON.parse(im[1]) as string) : im[1].replace(/^'(.*)'$/, '$1').replace(/''/g, "'"));
    });
  }
  const imageOf = (block: readonly string[]): ImageSpec | undefined => {
    const c = first(block, new RegExp(`^\\s*container\\(${GROOVY}\\) \\{$`));
    const ref = c ? containers.get(groovyValue(c[1])) : undefined;
    return ref === undefined ? undefined : imageSpec(ref);
  };
  const reportOf = (block: readonly string[]): string | undefined => {
    const m = first(block, new RegExp(`junit\\(testResults: ${GROOVY}, allowEmptyResults: false\\)`));
    return m ? groovyValue(m[1]) : undefined;
  };
  const blocks = stageBlocks(lines);
  if (blocks[0]?.name !== 'checkout') return 'its Jenkinsfile has no checkout stage of the library\'s shape';
  const git = first(blocks[0].lines, new RegExp(`git\\(url: ${GROOVY}, branch: ${GROOVY}, credentialsId: ${GROOVY}\\)`));
  if (!git) return 'its checkout is not the library\'s';
  const read: {
    before: RunStage[];
    after: RunStage[];
    image?: ReadJenkinsfile['image'];
    scan?: ReadJenkinsfile['scan'];
    approvals: ReadJenkinsfile['approvals'];
    deploys: ReadJenkinsfile['deploys'][number][];
    verifies: Record<string, RunStage>;
  } = { before: [], after: [], approvals: [], deploys: [], verifies: {} };
  for (const b of blocks.slice(1)) {
    const approve = /^approve (.+)$/.exec(b.name);
    const deploy = /^deploy (.+)$/.exec(b.name);
    const verify = /^verify (.+)$/.exec(b.name);
    if (b.name === 'image' && !read.image) {
      const cred = first(b.lines, new RegExp(`usernamePassword\\(credentialsId: ${GROOVY}, usernameVariable: 'REGISTRY_USER'`));
      const sh = script(b.lines) ?? [];
      const build = new RegExp(`^docker build -f (${SHELL_WORD}) -t "([^"]+):\\$IMAGE_TAG" (${SHELL_WORD})$`).exec(sh[1] ?? '');
      if (!cred || !build) return 'its image stage is not the library\'s';
      read.image = { credential: groovyValue(cred[1]), target: build[2].replace(/\\(.)/g, '$1'), dockerfile: shellValue(build[1]), context: shellValue(build[3]) };
    } else if (b.name === 'scan' && read.image && !read.scan) {
      const sh = script(b.lines) ?? [];
      const m = new RegExp(`^trivy image --exit-code 1 --severity (${SHELL_WORD})( --ignore-unfixed)? `).exec(sh[0] ?? '');
      if (!m) return 'its scan stage is not the library\'s';
      read.scan = { severities: shellValue(m[1]).split(','), ignoreUnfixed: m[2] !== undefined, image: imageOf(b.lines) };
    } else if (approve) {
      const m = first(b.lines, new RegExp(`input\\(id: ${GROOVY}, message: ${GROOVY}, submitter: ${GROOVY}\\)`));
      if (!m) return `its stage "${approve[0]}" is not the library's`;
      read.approvals.push({ environment: approve[1], submitter: groovyValue(m[3]) });
    } else if (deploy) {
      const credentials: { kind: string; id: string; variable: string }[] = [];
      const bind = first(b.lines, /^\s*withCredentials\(\[(.*)\]\) \{$/);
      for (const c of (bind?.[1] ?? '').matchAll(new RegExp(`(\\w+)\\(credentialsId: ${GROOVY}, (?:\\w+: ${GROOVY}(?:, )?)+\\)`, 'g'))) {
        const vars = [...c[0].matchAll(new RegExp(`(\\w+)Variable: ${GROOVY}|variable: ${GROOVY}`, 'g'))].map((v) => groovyValue(v[2] ?? v[3]));
        credentials.push({ kind: c[1], id: groovyValue(c[2]), variable: vars[0] ?? '' });
      }
      read.deploys.push({ environment: deploy[1], image: imageOf(b.lines), script: script(b.lines) ?? [], credentials });
    } else if (verify) {
      read.verifies[verify[1]] = { name: b.name, image: imageOf(b.lines), commands: script(b.lines) ?? [], report: reportOf(b.lines) };
    } else {
      const stage: RunStage = { name: b.name, image: imageOf(b.lines), commands: script(b.lines) ?? [], report: reportOf(b.lines) };
      (read.image ? read.after : read.before).push(stage);
    }
  }
  if (read.before[0]?.name !== 'build') return 'its Jenkinsfile has no build stage of the library\'s shape';
  const mail = first(lines, new RegExp(`^\\s*mail\\(to: ${GROOVY}, subject: `));
  const hook = first(lines, new RegExp(`^\\s*withCredentials\\(\\[string\\(credentialsId: ${GROOVY}, variable: 'WEBHOOK_URL'\\)\\]\\) \\{$`));
  return {
    releaseKey: head[1],
    path: head[2],
    source: { repository: groovyValue(git[1]), branch: groovyValue(git[2]), credential: groovyValue(git[3]) },
    ...read,
    ...(mail ? { email: groovyValue(mail[1]).split(',') } : {}),
    ...(hook ? { webhook: groovyValue(hook[1]) } : {}),
  };
}
