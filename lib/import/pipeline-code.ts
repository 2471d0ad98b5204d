/**
 * How lib/import/pipelines.ts writes the release pipelines and the delivery settings it read back: the delivery
 * settings as one `configureDelivery` call; the pipelines as the hand-written examples say them — the options every
 * pipeline shares once, each builder's stages once (a "stack", keyed by the build step's image), the tests after a
 * deploy split into the stack's image and report and the module's commands, then one line per module.
 */
import { Code, Ref } from './code';
import type { CredentialSpec, ImageSpec } from './jenkinsfile';

/** A TypeScript string literal (as lib/import/writer.ts writes them; not imported from there, which imports the passes). */
function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** JSON with sorted keys. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Code) return `code:${v.render((r) => r.key)}`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A step's options as plain values. */
export interface StepSpec {
  /** The tool image, where not the build step's. */
  image?: ImageSpec;
  /** The commands. */
  commands: string[];
  /** The JUnit report, if any. */
  report?: string;
}

/** A release pipeline's options as plain values (departments and environments by name). */
export interface PipelineSpec {
  /** The tenant. */
  readonly tenant: string;
  /** The project. */
  readonly project: string;
  /** The module (the service's name). */
  readonly module: string;
  /** Whether it is a service's pipeline (else the project's, with its own image). */
  readonly ofService: boolean;
  /** The options. */
  readonly props: {
    source: { repository: string; branch?: string; credential: CredentialSpec };
    build: StepSpec & { image: ImageSpec };
    unitTests?: StepSpec;
    scan?: true | { severities?: string[]; ignoreUnfixed?: boolean };
    registryCredential: CredentialSpec;
    dockerfile?: string;
    context?: string;
    environments?: string[];
    approval?: { approvers: string; before?: string[] };
    testsAfter?: Record<string, StepSpec>;
    notify?: { email?: string[]; webhook?: CredentialSpec };
    operators?: string[];
    extraStages?: (StepSpec & { name: string; after: 'BUILD' | 'UNIT_TESTS' | 'IMAGE' })[];
    image?: ImageSpec;
  };
}

/** The delivery settings as plain values. */
export interface DeliverySpec {
  /** The estate repository. */
  estate: { repository: string; branch?: string; credential: CredentialSpec };
  /** Output folder. */
  outdir?: string;
  /** Synth command. */
  synthCommand?: string;
  /** Deploy method. */
  deployMethod?: 'KUBECTL' | 'PULUMI';
  /** Kubeconfig credentials by cluster. */
  kubeconfigs?: Record<string, CredentialSpec>;
  /** Tool images. */
  toolImages?: { node?: ImageSpec; trivy?: ImageSpec };
  /** Release pins folder. */
  releasesDir?: string;
  /** Whether the credential of the estate is a guess (no pipeline bound it). */
  guessedCredential?: boolean;
  /** The CI systems, where not the default. */
  ci?: 'GITLAB_CI'[];
  /** The GitOps tool, where not the target's default. */
  gitops?: 'KUBESPHERE' | 'ARGO_CD' | 'FLUX';
}

function imageCode(i: ImageSpec): Code {
  return new Code(`Registry.at(${str(i.registry)}).image(${str(i.repository)}, ${str(i.tag)})`, ['Registry']);
}

function credentialCode(c: CredentialSpec): Code {
  return new Code(`Credential.${c.kind}(${str(c.id)})`, ['Credential']);
}

/** The delivery settings as a `platform.configureDelivery` call (with a TODO for what the export does not say). */
export function deliveryCode(d: DeliverySpec): Code {
  const o: Record<string, unknown> = { estate: { repository: d.estate.repository, branch: d.estate.branch, credential: credentialCode(d.estate.credential) } };
  const names = ['Credential'];
  if (d.ci) (o.ci = new Code('[CiSystem.GITLAB_CI]')), names.push('CiSystem');
  if (d.outdir) o.outdir = d.outdir;
  if (d.synthCommand) o.synthCommand = d.synthCommand;
  if (d.gitops) (o.gitops = new Code(`GitOpsTool.${d.gitops}`)), names.push('GitOpsTool');
  if (d.deployMethod) (o.deployMethod = new Code(`DeployMethod.${d.deployMethod}`)), names.push('DeployMethod');
  if (d.kubeconfigs) o.kubeconfigs = Object.fromEntries(Object.entries(d.kubeconfigs).map(([k, c]) => [k, credentialCode(c)]));
  if (d.toolImages) o.toolImages = { node: d.toolImages.node && imageCode(d.toolImages.node), trivy: d.toolImages.trivy && imageCode(d.toolImages.trivy) };
  if (d.releasesDir) o.releasesDir = d.releasesDir;
  const notes = [
    '// Delivery: the estate repository the GitOps applications sync, and what the release pipelines\' deploy stages say.',
    ...(d.guessedCredential ? ['  // TODO: no release pipeline in the export names the estate repository\'s credential: set its id.'] : []),
    ...(d.ci ? ['  // TODO: no release pipeline is in the export (GitLab CI files are not part of a cluster\'s export), so the CI system is a guess: declare the pipelines with service.addPipeline.'] : []),
  ];
  return join([`${notes.join('\n')}\n  platform.configureDelivery(`, lit(o, '  '), ')', new Code('', names)]);
}

/** A pipeline's options as a literal (images, credentials, departments as code). */
function propsLiteral(s: PipelineSpec): Record<string, unknown> {
  const p = s.props;
  const dept = (name: string): Code => new Code([Ref.department(s.tenant, name)]);
  const step = (x: StepSpec): Record<string, unknown> => ({ image: x.image && imageCode(x.image), commands: x.commands, report: x.report });
  const out: Record<string, unknown> = {
    source: { repository: p.source.repository, branch: p.source.branch, credential: credentialCode(p.source.credential) },
    build: { image: imageCode(p.build.image), commands: p.build.commands },
    unitTests: p.unitTests && step(p.unitTests),
    extraStages: p.extraStages?.map((x) => ({ name: x.name, after: new Code(`StageAnchor.${x.after}`, ['StageAnchor']), ...step(x) })),
    scan: p.scan,
    registryCredential: credentialCode(p.registryCredential),
    dockerfile: p.dockerfile,
    context: p.context,
    image: p.image && imageCode(p.image),
    environments: p.environments,
    approval: p.approval && { approvers: dept(p.approval.approvers), before: p.approval.before },
    testsAfter: p.testsAfter && Object.fromEntries(Object.entries(p.testsAfter).map(([k, v]) => [k, step(v)])),
    notify: p.notify && { email: p.notify.email, webhook: p.notify.webhook && credentialCode(p.notify.webhook) },
    operators: p.operators?.map(dept),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Code joined from parts (text and references), with every name the parts need. */
function join(parts: (string | Code)[]): Code {
  const out: (string | Ref)[] = [];
  const names = new Set<string>();
  for (const p of parts) {
    if (typeof p === 'string') out.push(p);
    else {
      out.push(...p.parts);
      for (const n of p.names) names.add(n);
    }
  }
  return new Code(out, [...names]);
}

/** A literal as code (its references kept). */
function lit(v: unknown, indent = '  ', width = 110): Code {
  // literal() writes code by its references' keys outside a program: write each piece as code instead.
  if (v instanceof Code) return v;
  if (Array.isArray(v)) return join(['[', ...v.flatMap((x, i) => [...(i > 0 ? [', '] : []), lit(x, indent, width)]), ']']);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return new Code('{}');
    const one = join(['{ ', ...entries.flatMap(([k, x], i) => [...(i > 0 ? [', '] : []), `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k)}: `, lit(x, `${indent}  `, width)]), ' }']);
    if (one.render((r) => r.key).length + indent.length <= width) return one;
    const next = `${indent}  `;
    return join(['{\n', ...entries.flatMap(([k, x]) => [`${next}${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k)}: `, lit(x, next, width), ',\n']), `${indent}}`]);
  }
  return new Code(typeof v === 'string' ? str(v) : String(v));
}


const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);
const ident = (k: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k));

/** A variable's name for a builder image's repository (`ci/maven` → `maven`), unique among `taken`. */
function stackName(repository: string, taken: readonly string[]): string {
  let n = (repository.split('/').pop() ?? '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^[^A-Za-z_$]/, '_$&') || 'stack';
  const base = n;
  for (let i = 2; taken.includes(n); i++) n = `${base}${i}`;
  return n;
}

/**
 * The pipelines as code. With two or more services' pipelines: the options they all share (`RELEASE`), the options
 * of each builder (`RELEASE_STACKS`, by the build step's image), the repository as a template of the module's name,
 * the tests after a deploy to one environment as the stack's image and report with the module's commands, and one
 * line per module. Otherwise one call each.
 * @param specs the pipelines
 */
export function pipelinesCode(specs: readonly PipelineSpec[]): Code | undefined {
  if (specs.length === 0) return undefined;
  const ofServices = specs.filter((s) => s.ofService);
  const call = (s: PipelineSpec, props: Record<string, unknown>): Code =>
    s.ofService ? join([new Code([Ref.service(s.tenant, s.project, s.module)]), '.addPipeline(', lit(props), ')']) : join([new Code([Ref.project(s.tenant, s.project)]), `.addPipeline(${str(s.module)}, `, lit(props), ')']);
  const others = specs.filter((s) => !s.ofService).map((s) => call(s, propsLiteral(s)));
  if (ofServices.length < 2) {
    const all = [...ofServices.map((s) => call(s, propsLiteral(s))), ...others];
    return join(['// Release pipelines (KubeSphere DevOps), read back from their Jenkinsfiles.\n  ', ...all.flatMap((c, i) => (i > 0 ? [';\n  ', c] : [c]))]);
  }
  const all = ofServices.map(propsLiteral);

  // The repository: the same text around every module's name, with the same branch and credential.
  const repos = ofServices.map((s) => s.props.source.repository);
  const at = repos[0].indexOf(ofServices[0].module);
  const prefix = repos[0].slice(0, Math.max(at, 0));
  const suffix = repos[0].slice(at + ofServices[0].module.length);
  const sourceRest = all.map((p) => canonical({ ...(p.source as Record<string, unknown>), repository: undefined }));
  const templated = at >= 0 && ofServices.every((s, i) => repos[i] === `${prefix}${s.module}${suffix}`) && sourceRest.every((x) => x === sourceRest[0]);
  if (templated) for (const p of all) delete p.source;

  // The builders: pipelines with the same build image.
  const stackOf = (p: Record<string, unknown>): string => canonical((p.build as Record<string, unknown>).image);
  const stackKeys = [...new Set(all.map(stackOf))];
  const members = (sk: string): Record<string, unknown>[] => all.filter((p) => stackOf(p) === sk);

  // Tests after a deploy to one environment: the image and report by builder, the commands by module.
  const testEnvs = [...new Set(all.flatMap((p) => Object.keys((p.testsAfter as Record<string, unknown> | undefined) ?? {})))];
  const testOf = (p: Record<string, unknown>): Record<string, unknown> | undefined => (p.testsAfter as Record<string, Record<string, unknown>> | undefined)?.[testEnvs[0]];
  const split =
    testEnvs.length === 1 &&
    !all.every((p) => same(p.testsAfter, all[0].testsAfter)) &&
    stackKeys.every((sk) => {
      const withTests = members(sk).filter((p) => testOf(p));
      return withTests.every((p) => same({ ...testOf(p), commands: undefined }, { ...testOf(withTests[0]), commands: undefined }));
    });
  // Each builder's tests: its image and report, and the commands most of its modules run (a module with others
  // gives them, a module without tests says `false`).
  const stackTests = new Map<string, Record<string, unknown>>();
  const testCommands: (string[] | false | undefined)[] = all.map(() => undefined);
  if (split) {
    for (const sk of stackKeys) {
      const withTests = members(sk).filter((p) => testOf(p));
      if (withTests.length === 0) continue;
      const counts = new Map<string, number>();
      for (const p of withTests) counts.set(canonical(testOf(p)!.commands), (counts.get(canonical(testOf(p)!.commands)) ?? 0) + 1);
      const [common, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
      const t = testOf(withTests[0])!;
      stackTests.set(sk, { ...t, commands: n > 1 ? withTests.map((p) => testOf(p)!.commands).find((c) => canonical(c) === common) : undefined });
    }
    all.forEach((p, i) => {
      const t = testOf(p);
      const byDefault = stackTests.get(stackOf(p))?.commands;
      testCommands[i] = !t ? (byDefault ? false : undefined) : same(t.commands, byDefault) ? undefined : (t.commands as string[]);
    });
    for (const p of all) delete p.testsAfter;
  }

  const keys = [...new Set(all.flatMap((p) => Object.keys(p)))];
  const shared = keys.filter((k) => all.every((p) => p[k] !== undefined && same(p[k], all[0][k])));
  const oneStack = stackKeys.length === 1;
  const stacked = oneStack ? [] : keys.filter((k) => !shared.includes(k) && stackKeys.every((sk) => members(sk).every((p) => same(p[k], members(sk)[0][k]))));
  const rowKeys = keys.filter((k) => !shared.includes(k) && !stacked.includes(k));
  const required = ['build', 'registryCredential', ...(templated ? [] : ['source'])];
  const typeOf = (ks: readonly string[]): string => {
    const req = required.filter((k) => ks.includes(k));
    return req.length > 0 ? `Pick<PipelineProps, ${req.map(str).join(' | ')}> & Partial<PipelineProps>` : 'Partial<PipelineProps>';
  };
  const names = new Map<string, string>();
  for (const sk of stackKeys) names.set(sk, stackName(ofServices[all.findIndex((p) => stackOf(p) === sk)].props.build.image.repository, [...names.values()]));

  const parts: (string | Code)[] = [`// Release pipelines (KubeSphere DevOps), read back from their Jenkinsfiles: the options they share, ${oneStack ? '' : 'each builder\'s stages, '}then one line per module.\n`];
  const stackTestsUsed = split && stackTests.size > 0;
  parts.push('  const RELEASE = ', lit(Object.fromEntries(shared.map((k) => [k, all[0][k]])), '  '), ';\n');
  if (oneStack && stackTestsUsed) parts.push('  const RELEASE_TESTS = ', lit([...stackTests.values()][0], '  '), ';\n');
  const stackParam = !oneStack && (stacked.length > 0 || stackTestsUsed);
  if (stackParam) {
    parts.push('  const RELEASE_STACKS = {\n');
    for (const sk of stackKeys) {
      const p = members(sk)[0];
      parts.push(`    ${names.get(sk)}: `, lit({ ...Object.fromEntries(stacked.map((k) => [k, p[k]])), ...(stackTests.has(sk) ? { tests: stackTests.get(sk) } : {}) }, '    '), ',\n');
    }
    parts.push('  };\n');
  }
  const params = ['service: AppService'];
  if (stackParam) params.push(stackTestsUsed ? `{ tests, ...stack }: ${typeOf(stacked)} & { tests?: Omit<TestStepOptions, 'commands'> & { commands?: string[] } }` : `stack: ${typeOf(stacked)}`);
  if (split) params.push('testCommands?: string[] | false');
  if (rowKeys.length > 0) params.push(`props: ${typeOf(rowKeys)}${required.some((k) => rowKeys.includes(k)) ? '' : ' = {}'}`);
  const body: (string | Code)[] = [`    service.addPipeline({ ...RELEASE${stackParam ? ', ...stack' : ''}${rowKeys.length > 0 ? ', ...props' : ''}`];
  if (templated) {
    const rest = propsLiteral(ofServices[0]).source as Record<string, unknown>;
    body.push(', source: { repository: `', `${prefix.replace(/[`\\$]/g, '\\$&')}\${service.name}${suffix.replace(/[`\\$]/g, '\\$&')}\``);
    for (const [k, v] of Object.entries(rest)) if (k !== 'repository' && v !== undefined) body.push(`, ${ident(k)}: `, lit(v));
    body.push(' }');
  }
  const testsVar = stackParam ? 'tests' : 'RELEASE_TESTS';
  if (split) body.push(`, testsAfter: commands && { ${ident(testEnvs[0])}: { ...${testsVar}, commands } }`);
  body.push(' });\n');
  const commandsLine = split ? [`    const commands = testCommands === false ? undefined : testCommands${stackParam ? ' ?? tests?.commands' : [...stackTests.values()].some((x) => x.commands !== undefined) ? ' ?? RELEASE_TESTS.commands' : ''};\n`] : [];
  parts.push(`  const addReleasePipeline = (${params.join(', ')}): void => {\n`, ...commandsLine, ...body, '  };\n');
  // One line per module; modules with nothing of their own, a loop per builder.
  const rows = ofServices.map((s, i) => {
    const row = Object.fromEntries(rowKeys.filter((k) => all[i][k] !== undefined).map((k) => [k, all[i][k]]));
    const rest: (string | Code)[] = [];
    if (stackParam) rest.push(`, RELEASE_STACKS.${names.get(stackOf(all[i]))}`);
    const tc = testCommands[i];
    if (split && (tc !== undefined || Object.keys(row).length > 0)) rest.push(', ', tc === undefined ? 'undefined' : tc === false ? 'false' : lit(tc, '  ', 100000));
    if (Object.keys(row).length > 0) rest.push(', ', lit(row, '  ', 100000));
    return { service: new Code([Ref.service(s.tenant, s.project, s.module)]), width: s.project.length + s.module.length + 22, rest: join(rest) };
  });
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    const k = r.rest.render((x) => x.key);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const rowStatements: Code[] = [];
  for (const [, g] of groups) {
    if (g.length < 3) {
      for (const r of g) rowStatements.push(join(['  addReleasePipeline(', r.service, r.rest, ')']));
      continue;
    }
    // The services, several to a line (their variables' length estimated).
    const lines: (string | Code)[] = ['  for (const service of [\n    '];
    let used = 4;
    g.forEach((r, i) => {
      if (i > 0 && used + r.width + 2 > 118) {
        lines.push(',\n    ');
        used = 4;
      } else if (i > 0) lines.push(', ');
      lines.push(r.service);
      used += r.width + 2;
    });
    rowStatements.push(join([...lines, ',\n  ]) addReleasePipeline(service', g[0].rest, ')']));
  }
  const rowsCode = rowStatements;
  const statements = [...rowsCode, ...others.map((c) => join(['  ', c]))];
  parts.push(...statements.flatMap((c, i) => (i > 0 ? [';\n', c] : [c])));
  const text = join(parts).render((r) => r.key);
  return join([...parts, new Code('', ['AppService', 'PipelineProps', 'TestStepOptions'].filter((n) => new RegExp(`\\b${n}\\b`).test(text)))]);
}
