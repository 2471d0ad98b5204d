import { CiSystem, Credential, DeployMethod } from 'platform-cdk';
import type { DeliveryOptions, Pipeline } from 'platform-cdk';
import { parse } from 'yaml';
import { deployScript } from '../../../lib/pipelines/common';
import { groovy, renderJenkinsfile } from '../../../lib/pipelines/jenkinsfile';
import { objectAt, synthObjects } from '../../fixture';
import { deliveredWith, fullProps } from './fixture';
import type { Delivered } from './fixture';

/** The fixture with delivery through KubeSphere DevOps. */
function delivered(delivery: Partial<DeliveryOptions> = {}): Delivered {
  return deliveredWith(CiSystem.KUBESPHERE_DEVOPS, 'estate-git', delivery);
}

// --- A small reader of the Groovy the generator writes -------------------------------------------------------

/** A string literal of the Jenkinsfile: its quotes, its raw text between them, and where it starts. */
interface Literal {
  readonly quote: "'" | '"' | "'''";
  readonly raw: string;
  readonly at: number;
}

/** The Jenkinsfile with string literals and comments masked (same length, no braces), and its literals. */
function lex(src: string): { masked: string; literals: Literal[] } {
  const literals: Literal[] = [];
  const masked = src.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (masked[k] !== '\n') masked[k] = '_';
  };
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    const quote = src.startsWith("'''", i) ? "'''" : src[i] === "'" || src[i] === '"' ? (src[i] as "'" | '"') : undefined;
    if (!quote) {
      i++;
      continue;
    }
    let j = i + quote.length;
    while (j < src.length && !src.startsWith(quote, j)) {
      if (src[j] === '\\') j++;
      else if (quote !== "'''" && src[j] === '\n') throw new Error(`unterminated ${quote} string at ${i}`);
      j++;
    }
    if (j >= src.length) throw new Error(`unterminated ${quote} string at ${i}`);
    literals.push({ quote, raw: src.slice(i + quote.length, j), at: i });
    blank(i + quote.length, j);
    i = j + quote.length;
  }
  return { masked: masked.join(''), literals };
}

/** The value of a single-quoted Groovy literal (no interpolation): `\\`, `\'` and `\n` unescaped. */
function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** A `{ … }` block: the text before its brace on its line, its children, and its text. */
interface Block {
  readonly header: string;
  readonly children: Block[];
  text: string;
}

/** The blocks of a Jenkinsfile; throws when braces or parentheses do not balance. */
function blocks(src: string): Block {
  const { masked } = lex(src);
  const root: Block = { header: '', children: [], text: src };
  const stack: { block: Block; start: number }[] = [{ block: root, start: 0 }];
  let parens = 0;
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(' || c === '[') parens++;
    if (c === ')' || c === ']') parens--;
    if (parens < 0) throw new Error(`unbalanced ) or ] at ${i}`);
    if (c === '{') {
      const block: Block = { header: src.slice(masked.lastIndexOf('\n', i) + 1, i).trim(), children: [], text: '' };
      stack[stack.length - 1].block.children.push(block);
      stack.push({ block, start: i + 1 });
    } else if (c === '}') {
      const top = stack.pop();
      if (!top || stack.length === 0) throw new Error(`unbalanced } at ${i}`);
      top.block.text = src.slice(top.start, i);
    }
  }
  if (stack.length !== 1) throw new Error(`${stack.length - 1} unclosed {`);
  if (parens !== 0) throw new Error('unbalanced ( or [');
  return root;
}

const child = (b: Block, header: string): Block => {
  const found = b.children.filter((c) => c.header === header);
  if (found.length !== 1) throw new Error(`expected one block "${header}" in "${b.header}", found ${found.length} (children: ${b.children.map((c) => c.header).join(', ')})`);
  return found[0];
};

/** The stages block's stages, by name, in order. */
function stagesOf(jenkinsfile: string): { name: string; block: Block }[] {
  const pipeline = child(blocks(jenkinsfile), 'pipeline');
  return child(pipeline, 'stages').children.map((block) => {
    const m = /^stage\('((?:[^'\\]|\\.)*)'\)$/.exec(block.header);
    if (!m) throw new Error(`not a stage: ${block.header}`);
    return { name: unescape(m[1]), block };
  });
}

/** The shell scripts (`sh '''…'''`) of a piece of a Jenkinsfile, unescaped, as lines (without the whitespace before the closing quotes). */
function shells(text: string): string[][] {
  return lex(text)
    .literals.filter((l) => l.quote === "'''")
    .map((l) => unescape(l.raw).replace(/^\n/, '').replace(/\n[ \t]*$/, '').split('\n'));
}

/** The credential ids a Jenkinsfile names. */
function credentialIds(jenkinsfile: string): string[] {
  return [...new Set([...jenkinsfile.matchAll(/credentialsId: '([^']*)'/g)].map((m) => m[1]))].sort();
}

// --- The tests ------------------------------------------------------------------------------------------------

describe('renderJenkinsfile', () => {
  let f: ReturnType<typeof delivered>;
  let pipeline: Pipeline;
  let jenkinsfile: string;
  beforeEach(() => {
    f = delivered();
    pipeline = f.api.addPipeline(fullProps(f));
    jenkinsfile = renderJenkinsfile(pipeline);
  });

  it('is one declarative pipeline block, with balanced braces, brackets and parentheses outside strings', () => {
    const root = blocks(jenkinsfile);

    expect(root.children.map((b) => b.header)).toEqual(['pipeline']);
    expect(lex(jenkinsfile).masked.match(/\bpipeline\s*\{/g)).toHaveLength(1);
    expect(child(root, 'pipeline').children.map((b) => b.header)).toEqual(['agent', 'options', 'stages', 'post']);
    // Outside the pipeline block only the header comment.
    const outside = jenkinsfile.slice(0, jenkinsfile.indexOf('pipeline {'));
    expect(outside).toBe(`// Release pipeline of shop/storefront/api, generated by platform-cdk from acme/shop/storefront/api/Pipeline. Do not edit: change the model.\n`);
    expect(jenkinsfile.endsWith('}\n')).toBe(true);
  });

  it('runs its stages in order, each with steps', () => {
    const stages = stagesOf(jenkinsfile);

    expect(stages.map((s) => s.name)).toEqual(pipeline.stages.map((s) => s.name));
    expect(stages.map((s) => s.name)).toEqual([
      'checkout',
      'build',
      'static analysis',
      'unit tests',
      'image',
      'scan',
      'deploy test',
      'verify test',
      'approve production',
      'deploy production',
    ]);
    for (const s of stages) expect(s.block.children.map((b) => b.header)[0]).toBe('steps');
  });

  it('asks for approval right before the production deploy, with the approvers\' department members as submitters', () => {
    const names = stagesOf(jenkinsfile).map((s) => s.name);
    const approve = stagesOf(jenkinsfile).find((s) => s.name === 'approve production');

    expect(names.indexOf('approve production')).toBe(names.indexOf('deploy production') - 1);
    expect(approve?.block.text).toContain("input(id: 'approve-production', message: 'Release api to production?', submitter: 'alice,bob')");
    expect(approve?.block.text).toContain("timeout(time: 7, unit: 'DAYS')");
    // Only the production deploy waits.
    expect(jenkinsfile.match(/input\(/g)).toHaveLength(1);
  });

  it('names the department\'s members as they are when the department changes after the pipeline is added', () => {
    f.releaseManagers.addMember('carol');

    expect(renderJenkinsfile(pipeline)).toContain("submitter: 'alice,bob,carol'");
  });

  it('checks out the module\'s branch with its credential and tags the run with the commit', () => {
    const checkout = stagesOf(jenkinsfile)[0].block.text;

    expect(checkout).toContain("git(url: 'https://gitlab.example.com/shop/api.git', branch: 'main', credentialsId: 'gitlab')");
    expect(checkout).toContain("env.IMAGE_TAG = sh(script: 'git rev-parse HEAD | cut -c1-12', returnStdout: true).trim()");
  });

  it('names credentials by id only, binding them to variables the shell reads, never interpolated by Groovy', () => {
    const { literals } = lex(jenkinsfile);

    expect(credentialIds(jenkinsfile)).toEqual(['estate-git', 'gitlab', 'harbor-robot', 'shop-chat']);
    expect(jenkinsfile).toContain("usernamePassword(credentialsId: 'harbor-robot', usernameVariable: 'REGISTRY_USER', passwordVariable: 'REGISTRY_PASSWORD')");
    expect(jenkinsfile).toContain("usernamePassword(credentialsId: 'estate-git', usernameVariable: 'ESTATE_GIT_USER', passwordVariable: 'ESTATE_GIT_PASSWORD')");
    expect(jenkinsfile).toContain("string(credentialsId: 'shop-chat', variable: 'WEBHOOK_URL')");
    // Groovy interpolates double-quoted strings: no bound secret may appear in one.
    const bound = ['REGISTRY_USER', 'REGISTRY_PASSWORD', 'TRIVY_USERNAME', 'TRIVY_PASSWORD', 'ESTATE_GIT_USER', 'ESTATE_GIT_PASSWORD', 'WEBHOOK_URL'];
    for (const l of literals.filter((x) => x.quote === '"')) for (const v of bound) expect(l.raw).not.toContain(v);
    // Every secret is read inside a withCredentials block.
    for (const s of stagesOf(jenkinsfile)) {
      for (const lines of shells(s.block.text)) {
        if (lines.some((l) => /\$(REGISTRY_PASSWORD|TRIVY_PASSWORD|ESTATE_GIT_PASSWORD)/.test(l))) expect(s.block.text).toContain('withCredentials([');
      }
    }
    expect(jenkinsfile).not.toMatch(/password\s*[:=]\s*['"][^$'"]/i);
  });

  it('runs the build in a pod with one container per tool image, and every stage in a container of that pod', () => {
    const agent = child(child(child(blocks(jenkinsfile), 'pipeline'), 'agent'), 'kubernetes');
    const yamlLiteral = lex(agent.text).literals.find((l) => agent.text.slice(0, l.at).trimEnd().endsWith('yaml'));
    const pod = parse(unescape(yamlLiteral?.raw ?? '')) as { kind: string; spec: { containers: { name: string; image: string }[] } };

    expect(agent.text).toContain("inheritFrom 'base'");
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ['step-1', 'harbor.example.com/ci/maven:3.9.9-eclipse-temurin-17'],
      ['step-2', 'harbor.example.com/ci/newman:6.1.3'],
      ['step-3', 'docker.io/aquasec/trivy:0.58.1'],
      ['step-4', 'docker.io/library/node:20.19.5-bookworm'],
    ]);
    const used = [...jenkinsfile.matchAll(/container\('([^']*)'\)/g)].map((m) => m[1]);
    for (const name of used) expect(['base', ...pod.spec.containers.map((c) => c.name)]).toContain(name);
  });

  it('builds and pushes the image tagged with the commit in KubeSphere\'s base container, then scans it', () => {
    const stages = new Map(stagesOf(jenkinsfile).map((s) => [s.name, s.block.text]));

    expect(shells(stages.get('image') ?? '')).toEqual([
      [
        'set -eu',
        'echo "$REGISTRY_PASSWORD" | docker login harbor.example.com -u "$REGISTRY_USER" --password-stdin',
        'docker build -f Dockerfile -t "harbor.example.com/shop/api:$IMAGE_TAG" .',
        'docker push "harbor.example.com/shop/api:$IMAGE_TAG"',
      ],
    ]);
    expect(stages.get('image')).toContain("container('base')");
    expect(shells(stages.get('scan') ?? '')).toEqual([['set -eu', 'trivy image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "harbor.example.com/shop/api:$IMAGE_TAG"']]);
  });

  it('deploys with the deploy script of each environment, and publishes test reports even when tests fail', () => {
    const stages = new Map(stagesOf(jenkinsfile).map((s) => [s.name, s.block]));

    expect(shells(stages.get('deploy test')?.text ?? '')).toEqual([['set -eu', ...deployScript(pipeline, f.test)]]);
    expect(shells(stages.get('deploy production')?.text ?? '')).toEqual([['set -eu', ...deployScript(pipeline, f.production)]]);
    const post = child(child(stages.get('unit tests') as Block, 'post'), 'always');
    expect(post.text.trim()).toBe("junit(testResults: 'target/surefire-reports/*.xml', allowEmptyResults: false)");
    expect(child(child(stages.get('verify test') as Block, 'post'), 'always').text).toContain("junit(testResults: 'newman/*.xml'");
    expect(stages.get('build')?.children.map((b) => b.header)).toEqual(['steps']);
  });

  it('mails and calls the webhook when a run fails', () => {
    const failure = child(child(child(blocks(jenkinsfile), 'pipeline'), 'post'), 'failure');

    expect(failure.text).toContain("mail(to: 'shop-dev@example.com', subject: 'Release pipeline api failed: ' + env.BUILD_TAG, body: 'See ' + env.BUILD_URL)");
    expect(shells(failure.text)).toEqual([['set -eu', 'curl -fsS -X POST -H \'Content-Type: application/json\' -d "{\\"text\\": \\"Release pipeline api failed: $BUILD_URL\\"}" "$WEBHOOK_URL"']]);
  });

  it('has no post block when nobody is notified', () => {
    const g = delivered();
    const minimal = renderJenkinsfile(g.api.addPipeline({ ...fullProps(g), notify: undefined }));

    expect(child(blocks(minimal), 'pipeline').children.map((b) => b.header)).toEqual(['agent', 'options', 'stages']);
  });

  it('keeps commands with quotes, backslashes, braces, dollar signs and heredocs intact (no indentation added inside a script)', () => {
    const g = delivered();
    const commands = [
      "echo '''quoted''' \"double\" \\\\ back",
      'printf \'%s\\n\' "${HOME}" } {',
      "test -n \"$(git log -1 --format='%an')\"",
      "cat > settings.json <<'EOF'\n{\"mirror\": true}\nEOF",
    ];
    const text = renderJenkinsfile(g.api.addPipeline({ ...fullProps(g), build: { image: g.registry.image('ci/node', '20.19.5'), commands } }));

    expect(() => blocks(text)).not.toThrow();
    const build = stagesOf(text).find((s) => s.name === 'build');
    expect(shells(build?.block.text ?? '')).toEqual([['set -eu', ...commands.flatMap((c) => c.split('\n'))]]);
    expect(text).toContain("\n{\"mirror\": true}\nEOF\n");
  });

  it('quotes Groovy strings so a quote cannot end them', () => {
    expect(groovy("it's")).toBe("'it\\'s'");
    expect(groovy('a\\b\nc')).toBe("'a\\\\b\\nc'");
    expect(unescape(groovy("it's a\\b\nc").slice(1, -1))).toBe("it's a\\b\nc");
  });

  it('binds an SSH estate key and each cluster\'s kubeconfig in a kubectl deploy', () => {
    const g = delivered({
      estate: { repository: 'git@gitlab.example.com:platform/estate.git', credential: Credential.sshKey('estate-ssh') },
      deployMethod: DeployMethod.KUBECTL,
      kubeconfigs: { host: Credential.kubeconfig('host-kubeconfig'), 'member-test': Credential.kubeconfig('member-test-kubeconfig') },
    });
    const p = g.api.addPipeline(fullProps(g));
    const stages = new Map(stagesOf(renderJenkinsfile(p)).map((s) => [s.name, s.block.text]));

    expect(stages.get('deploy test')).toContain(
      "withCredentials([sshUserPrivateKey(credentialsId: 'estate-ssh', keyFileVariable: 'ESTATE_GIT_SSH_KEY'), kubeconfigFile(credentialsId: 'member-test-kubeconfig', variable: 'KUBECONFIG_MEMBER_TEST')])",
    );
    expect(stages.get('deploy production')).toContain("kubeconfigFile(credentialsId: 'host-kubeconfig', variable: 'KUBECONFIG_HOST')");
    expect(stages.get('deploy production')).not.toContain('member-test-kubeconfig');
    expect(shells(stages.get('deploy production') ?? '')).toEqual([['set -eu', ...deployScript(p, g.production)]]);
  });

  it('uses the Dockerfile and context given, and a scan with other severities', () => {
    const g = delivered();
    const text = renderJenkinsfile(g.api.addPipeline({ ...fullProps(g), dockerfile: 'docker/Dockerfile', context: 'services/api', scan: { severities: ['CRITICAL'], ignoreUnfixed: false } }));

    expect(text).toContain('docker build -f docker/Dockerfile -t "harbor.example.com/shop/api:$IMAGE_TAG" services/api');
    expect(text).toContain('trivy image --exit-code 1 --severity CRITICAL "harbor.example.com/shop/api:$IMAGE_TAG"');
  });
});

describe('the KubeSphere DevOps Pipeline object', () => {
  it('holds the Jenkinsfile of its module (snapshot)', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(fullProps(f));
    const object = objectAt(synthObjects(f.platform), 'host/Pipeline/shop-devops/api');

    expect((object.spec as { pipeline: { jenkinsfile: string } }).pipeline.jenkinsfile).toBe(renderJenkinsfile(pipeline));
    expect(object).toMatchSnapshot();
  });
});
