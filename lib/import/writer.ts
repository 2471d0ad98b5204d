/**
 * Writing an imported estate as a TypeScript program against the public API of platform-cdk, in the shape of the
 * hand-written examples: named constants for registries, one call per cluster, environment, tenant and project,
 * a table for a project of many services, and the objects the typed model does not hold carried through
 * `addManifests`, each with a comment saying why.
 */
import { Code, Ref } from './code';
import { commentText, inline, literal, Names, refsIn, registryConst, str, whileWriting, WIDTH } from './format';

export { registryConst } from './format';
import { WORKSPACE_ROLES } from './recognise';
import { configValuesDeclaration, shareConfigValues } from './config-values';
import { groupNotes, Hoisted, shareLabels, shareProps, sharedDeclaration } from './tables';
import type { Row } from './tables';
import type { ImportedEstate, ImportedHatch, ImportedProbe, ImportedService, ServiceFields, StoreKey } from './model';

export { commentText, literal, str } from './format';

/** What the writer needs to import. */
class Imports {
  public readonly names = new Set<string>(['Platform', 'synthesizeApp']);
  public readonly cdk8s = new Set<string>();
  public readonly types = new Set<string>();
}


function probeCode(p: ImportedProbe, im: Imports): Code {
  im.names.add('Probe');
  const opts: Record<string, unknown> = {};
  if ('port' in p && p.port !== undefined) opts.port = p.port;
  const seconds = (n: number | undefined): Code | undefined => {
    if (n === undefined) return undefined;
    im.names.add('Duration');
    return new Code(`Duration.seconds(${n})`);
  };
  opts.initialDelay = seconds(p.options.initialDelay);
  opts.period = seconds(p.options.period);
  opts.timeout = seconds(p.options.timeout);
  opts.failureThreshold = p.options.failureThreshold;
  const o = Object.values(opts).some((v) => v !== undefined) ? `, ${inline(opts)}` : '';
  if (p.kind === 'http') return new Code(`Probe.http(${str(p.path)}${o})`);
  if (p.kind === 'exec') return new Code(`Probe.exec(${inline(p.command)}${o})`);
  return new Code(`Probe.tcp(${o.slice(2)})`);
}

/** The props object of a service's fields (resource blocks by their size's name, secret stores by their constant). */
function fieldsProps(f: ServiceFields, im: Imports, h: Hoisted): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (f.image) p.image = new Code(`${registryConst(f.image.registry)}.image(${str(f.image.repository)}, ${str(f.image.tag)})`);
  if (f.replicas !== undefined) p.replicas = f.replicas;
  if (f.runAsUser !== undefined) p.runAsUser = f.runAsUser;
  if (f.command) p.command = f.command;
  if (f.args) p.args = f.args;
  if (f.ports) p.ports = f.ports.map((x) => ({ port: x.port, name: x.name, containerPort: x.containerPort }));
  if (f.env) p.env = f.env;
  if (f.secrets || f.storeSecrets) {
    const refs: [string, Code][] = [];
    for (const [v, [s, k]] of Object.entries(f.secrets ?? {})) {
      im.names.add('ExistingSecret');
      refs.push([v, new Code(`ExistingSecret.named(${str(s)}).key(${str(k)})`)]);
    }
    for (const [v, k] of Object.entries(f.storeSecrets ?? {})) refs.push([v, h.storeKey(k)]);
    p.secrets = Object.fromEntries(refs);
  }
  if (f.resources) p.resources = h.resources(f.resources);
  if (f.readiness) p.readiness = probeCode(f.readiness, im);
  if (f.liveness) p.liveness = probeCode(f.liveness, im);
  if (f.writablePaths) p.writablePaths = f.writablePaths;
  if (f.sidecars) {
    p.sidecars = f.sidecars.map((c) => ({
      name: c.name,
      image: new Code(`${registryConst(c.image.registry)}.image(${str(c.image.repository)}, ${str(c.image.tag)})`),
      command: c.command,
      args: c.args,
      env: c.env,
    }));
  }
  if (f.nodeSelector) p.scheduling = { nodeSelector: f.nodeSelector };
  if (f.waivers) p.waivers = f.waivers;
  if (f.containerName) p.containerName = f.containerName;
  if (f.metrics) p.metrics = f.metrics;
  if (f.podLabels) p.podLabels = f.podLabels;
  if (f.podAnnotations) p.podAnnotations = f.podAnnotations;
  // What a recogniser wrote as props of its own (lib/import/passes.ts), as it wrote them.
  for (const [k, v] of Object.entries(f.extra ?? {})) if (v !== undefined) p[k] = v;
  return p;
}

/** The `exposeNetwork` call of a service reached from outside (NodePort, LoadBalancer), if any. */
function networkCall(s: ImportedService, im: Imports): string | undefined {
  const n = s.common.network;
  if (!n) return undefined;
  im.names.add('ServiceType');
  return `exposeNetwork(${inline({ type: new Code(n.type === 'NodePort' ? 'ServiceType.NODE_PORT' : 'ServiceType.LOAD_BALANCER'), ports: n.ports, from: n.from })})`;
}

function serviceProps(s: ImportedService, im: Imports, h: Hoisted): Record<string, unknown> {
  const p = fieldsProps({ ...s.common, network: undefined }, im, h);
  const per = Object.entries(s.perEnvironment);
  if (per.length > 0) p.perEnvironment = Object.fromEntries(per.map(([env, f]) => [env, fieldsProps(f, im, h)]));
  return p;
}

function hatchLines(target: string, id: string, h: ImportedHatch, indent: string, im: Imports, names: Names, compact: boolean): string[] {
  im.cdk8s.add('ApiObject');
  im.cdk8s.add('Chart');
  im.types.add('ApiObjectProps');
  const opts = h.environment ? `, { environment: ${str(h.environment)} }` : '';
  const { declarations, objects } = compact ? shareLabels(h.objects, `${target}-${h.environment ?? ''}`, names, indent) : { declarations: [], objects: h.objects };
  return [
    `${indent}// Carried over as exported (an escape hatch): ${commentText(h.reason)}.`,
    ...declarations,
    `${indent}${target}.addManifests(${str(id)}, (chart) => objects(chart, ${literal(objects, indent, WIDTH, 0, true)})${opts});`,
  ];
}

/** How a program is written. */
export interface WriteOptions {
  /**
   * Whether what services repeat is named once: sizes, secret stores, shared props, an escape hatch's labels (false:
   * every value where it is used; the output is the same).
   * @default true
   */
  readonly compact?: boolean;
}

/**
 * The program of an imported estate.
 * @param estate the estate
 * @param source where it was imported from, for the header comment
 * @param options how it is written
 */
export function writeProgram(estate: ImportedEstate, source: string, options: WriteOptions = {}): string {
  const im = new Imports();
  // The variable (or expression) of every part of the estate a recogniser's code refers to.
  const vars = new Map<string, string>();
  const resolve = (r: Ref): string => {
    const v = vars.get(r.key);
    if (v === undefined) throw new Error(`the import wrote a reference to ${r.key}, which the program does not declare`);
    return v;
  };
  return whileWriting(resolve, im.names, () => writeBody(estate, source, im, vars, options.compact ?? true));
}

function writeBody(estate: ImportedEstate, source: string, im: Imports, vars: Map<string, string>, compact: boolean): string {
  const names = new Names();
  const body: string[] = [];
  const out = (line = ''): number => body.push(line);
  // Services other code refers to get a variable (or stay reachable in their project's map).
  const referenced = new Set<string>();
  for (const t of estate.tenants) {
    for (const p of t.projects) {
      refsIn(p.statements, referenced);
      for (const s of p.services) refsIn([s.calls, s.common, s.perEnvironment], referenced);
    }
  }
  refsIn(estate.statements, referenced);
  const registries = new Set<string>();
  const resources: Record<string, number>[] = [];
  const storeKeys: StoreKey[] = [];
  for (const t of estate.tenants) {
    for (const p of t.projects) {
      for (const s of p.services) {
        for (const f of [s.common, ...Object.values(s.perEnvironment)]) {
          if (f.image) registries.add(f.image.registry);
          for (const c of f.sidecars ?? []) registries.add(c.image.registry);
          if (f.resources) resources.push(f.resources);
          storeKeys.push(...Object.values(f.storeSecrets ?? {}));
        }
      }
    }
  }
  for (const r of registries) names.of(registryConst(r), '', true);
  const hoisted = compact ? new Hoisted(names, resources, storeKeys) : new Hoisted(names, [], []);
  // Every service's props, then the props many services share, named once.
  const rows = new Map<ImportedService, Row>();
  for (const t of estate.tenants) {
    for (const p of t.projects) for (const s of p.services) rows.set(s, { id: `${t.name}/${p.name}/${s.name}`, project: p.name, props: serviceProps(s, im, hoisted) });
  }
  const sharedValues = compact ? shareConfigValues([...rows.values()], names) : [];
  const shared = compact ? shareProps([...rows.values()], names) : [];

  const platformOpts = estate.kubesphere ? '' : ', { target: Target.KUBERNETES }';
  if (!estate.kubesphere) im.names.add('Target');
  out(`  const platform = new Platform(${str(estate.platform)}${platformOpts});`);
  im.names.add('ClusterRole');
  const clusterVar = new Map<string, string>();
  for (const c of estate.clusters) {
    const v = names.of(c.name);
    clusterVar.set(c.name, v);
    vars.set(Ref.cluster(c.name).key, v);
    const opts: Record<string, unknown> = { role: new Code(c.role === 'host' ? 'ClusterRole.HOST' : 'ClusterRole.MEMBER') };
    if (Object.keys(c.labels).length > 0) opts.labels = c.labels;
    if (c.ingressClassName) opts.ingressClassName = c.ingressClassName;
    out(`  const ${v} = platform.addCluster(${str(c.name)}, ${literal(opts, '  ', WIDTH)});`);
  }
  const envVar = new Map<string, string>();
  for (const e of estate.environments) {
    const v = names.of(e.name, estate.clusters.some((c) => c.name === e.name) ? 'Env' : '');
    envVar.set(e.name, v);
    vars.set(Ref.environment(e.name).key, v);
    const opts: Record<string, unknown> = { clusters: e.clusters.map((c) => new Code(clusterVar.get(c)!)) };
    if (e.production) opts.production = true;
    if (e.namespaceSuffix) opts.namespaceSuffix = e.namespaceSuffix;
    if (e.resources) opts.resources = e.resources;
    if (e.tlsIssuer) {
      im.names.add('Tls');
      im.names.add('Issuer');
      opts.tls = new Code(`Tls.certManager(Issuer.${e.tlsIssuer.kind === 'Issuer' ? 'namespaced' : 'cluster'}(${str(e.tlsIssuer.name)}))`);
    }
    out(`  const ${v} = platform.addEnvironment(${str(e.name)}, ${literal(opts, '  ', WIDTH)});`);
  }
  for (const [cluster, hatches] of Object.entries(estate.clusterHatches)) {
    hatches.forEach((h, i) => {
      out();
      body.push(...hatchLines(clusterVar.get(cluster)!, i === 0 ? 'imported' : `imported-${i + 1}`, h, '  ', im, names, compact));
    });
  }

  for (const t of estate.tenants) {
    out();
    const tv = names.of(t.name, estate.tenants.some((x) => x.projects.some((p) => p.name === t.name)) ? 'Tenant' : '');
    const topts: Record<string, unknown> = { manager: t.manager ?? 'admin' };
    if (t.displayName) topts.displayName = t.displayName;
    if (t.quota) topts.quota = t.quota;
    if (!t.manager) out(`  // TODO: the workspace names no manager in the export; set the person who manages ${commentText(t.name)}.`);
    out(`  const ${tv} = platform.addTenant(${str(t.name)}, ${literal(topts, '  ', WIDTH)});`);
    vars.set(Ref.tenant(t.name).key, tv);
    const deptVar = new Map<string, string>();
    for (const d of t.departments ?? []) {
      const dv = names.of(d.name);
      deptVar.set(d.name, dv);
      vars.set(Ref.department(t.name, d.name).key, dv);
      out(`  const ${dv} = ${d.parent !== undefined ? (deptVar.get(d.parent) ?? tv) : tv}.addDepartment(${str(d.name)}, ${literal({ displayName: d.displayName, members: d.members }, '  ', WIDTH)});`);
    }
    for (const g of t.grants ?? []) {
      im.names.add('WorkspaceRole');
      if (g.user) im.names.add('User');
      const subject = g.department ? deptVar.get(g.department)! : `User.named(${str(g.user ?? '')})`;
      out(`  ${tv}.grant(${subject}, WorkspaceRole.${WORKSPACE_ROLES[g.role]});`);
    }
    for (const p of t.projects) {
      out();
      const pv = names.of(p.name);
      const popts: Record<string, unknown> = { environments: p.environments.map((e) => new Code(envVar.get(e)!)) };
      if (p.namespace) popts.namespace = p.namespace;
      if (p.description) popts.description = p.description;
      if (p.quota) popts.quota = p.quota;
      out(`  const ${pv} = ${tv}.addProject(${str(p.name)}, ${literal(popts, '  ', WIDTH)});`);
      vars.set(Ref.project(t.name, p.name).key, pv);
      // Stateful services first: app services' connections refer to them.
      for (const s of p.stateful ?? []) {
        const sv = names.of(s.name);
        vars.set(Ref.service(t.name, p.name, s.name).key, sv);
        out(`  const ${sv} = ${pv}.addStatefulService(${str(s.name)}, ${literal(s.props, '  ')});`);
      }
      const isReferenced = (s: ImportedService): boolean => referenced.has(Ref.service(t.name, p.name, s.name).key);
      const exposed = p.services.filter((s) => Object.keys(s.hosts).length > 0);
      if (p.services.length > 3) {
        im.types.add('AppServiceProps');
        const table = names.constant(`${p.name}-services`);
        const notes = groupNotes(p.services, '  ');
        body.push(...notes.above);
        out(`  const ${table}: [string, AppServiceProps][] = [`);
        for (const s of p.services) {
          for (const n of notes.own.get(s.name) ?? []) out(`    // ${commentText(n)}`);
          const start = `    [${str(s.name)}, `;
          out(`${start}${literal(rows.get(s)!.props, '    ', WIDTH, start.length - 4 + 2, true)}],`);
        }
        out('  ];');
        const networked = p.services.filter((s) => networkCall(s, im) !== undefined);
        if (exposed.length > 0 || networked.length > 0 || p.services.some(isReferenced)) {
          out(`  const ${pv}Services = new Map(${table}.map(([name, props]) => [name, ${pv}.addService(name, props)]));`);
          for (const s of p.services) vars.set(Ref.service(t.name, p.name, s.name).key, `${pv}Services.get(${str(s.name)})!`);
          for (const s of exposed) out(`  ${pv}Services.get(${str(s.name)})!.expose(${literal({ hosts: s.hosts }, '  ', WIDTH)});`);
          for (const s of networked) out(`  ${pv}Services.get(${str(s.name)})!.${networkCall(s, im)!};`);
        } else {
          out(`  for (const [name, props] of ${table}) ${pv}.addService(name, props);`);
        }
      } else {
        for (const s of p.services) {
          for (const n of s.notes) out(`  // ${commentText(n)}`);
          const network = networkCall(s, im);
          if (Object.keys(s.hosts).length > 0 || network || isReferenced(s)) {
            const sv = names.of(s.name);
            vars.set(Ref.service(t.name, p.name, s.name).key, sv);
            out(`  const ${sv} = ${pv}.addService(${str(s.name)}, ${literal(rows.get(s)!.props, '  ', WIDTH)});`);
            if (Object.keys(s.hosts).length > 0) out(`  ${sv}.expose(${literal({ hosts: s.hosts }, '  ', WIDTH)});`);
            if (network) out(`  ${sv}.${network};`);
          } else {
            out(`  ${pv}.addService(${str(s.name)}, ${literal(rows.get(s)!.props, '  ', WIDTH)});`);
          }
        }
      }
      for (const st of p.statements ?? []) out(`  ${literal(st, '  ', WIDTH)};`);
      p.hatches.forEach((h, i) => {
        body.push(...hatchLines(pv, h.environment ? `imported-${h.environment}` : i === 0 ? 'imported' : `imported-${i + 1}`, h, '  ', im, names, compact));
      });
    }
  }
  // What services do with each other (connections …), once every service exists.
  const calls = estate.tenants.flatMap((t) => t.projects.flatMap((p) => p.services.flatMap((s) => s.calls ?? [])));
  if (calls.length > 0) out();
  for (const c of calls) out(`  ${literal(c, '  ', WIDTH)};`);
  if ((estate.statements ?? []).length > 0) out();
  for (const st of estate.statements ?? []) out(`  ${literal(st, '  ', WIDTH)};`);
  out('  return platform;');
  // A variable nothing uses is only a call (the program type-checks with noUnusedLocals).
  // (A name inside a string or a comment, or as an object's key, is no use: `'sre'` and `{ host: … }` do not use the
  // variables `sre` and `host`.)
  const codeOnly = body.map((l) =>
    l
      // A string ends on its line: an apostrophe in a comment (builder's) opens none that eats the lines after it.
      .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
      .replace(/\/\/.*$/gm, '')
      .replace(/(^\s*|[{,]\s*)[A-Za-z_$][A-Za-z0-9_$]*(\s*:)/g, '$1$2'),
  );
  for (let i = 0; i < body.length; i++) {
    const m = /^(\s*)const ([A-Za-z_$][A-Za-z0-9_$]*) = /.exec(body[i]);
    if (m && !codeOnly.some((l, j) => j !== i && new RegExp(`\\b${m[2].replace(/\$/g, '\\$')}\\b`).test(l))) body[i] = body[i].replace(`const ${m[2]} = `, '');
  }

  // The program's top: registries, stores, sizes and shared props (rendering them collects the names they import).
  const top: string[] = [];
  for (const r of [...registries].sort()) {
    im.names.add('Registry');
    top.push(`/** The registry at ${commentText(r)}. */`, `const ${registryConst(r)} = Registry.at(${str(r)});`);
  }
  top.push(...hoisted.declarations(im.names, im.types));
  for (const s of sharedValues) top.push('', ...configValuesDeclaration(s));
  for (const s of shared) top.push('', ...sharedDeclaration(s, im.types));
  if (top.length > 0) top.push('');
  if (im.cdk8s.has('ApiObject')) {
    top.push('/** Adds objects the typed model does not hold, as they were exported (an escape hatch). */');
    top.push('function objects(chart: Chart, list: ApiObjectProps[]): void {');
    top.push('  for (const o of list) new ApiObject(chart, `${o.kind}-${o.metadata?.name ?? \'\'}`.toLowerCase(), o);');
    top.push('}', '');
  }
  const head: string[] = [
    '/**',
    ` * The estate imported by \`platform-cdk import\` from ${commentText(source)}: review it, then commit it.`,
    ' * `npx platform-cdk validate` checks it; `npx platform-cdk diff --against <export> --live` compares its output',
    ' * with what runs.',
    ' */',
  ];
  if (im.cdk8s.size > 0) head.push(`import { ${[...im.cdk8s].sort().join(', ')} } from 'cdk8s';`);
  if (im.types.has('ApiObjectProps')) head.push(`import type { ApiObjectProps } from 'cdk8s';`);
  head.push(`import { ${[...im.names].sort().join(', ')} } from 'platform-cdk';`);
  const types = ['AppServiceProps', 'Resources'].filter((n) => im.types.has(n));
  if (types.length > 0) head.push(`import type { ${types.join(', ')} } from 'platform-cdk';`);
  head.push('');
  return [...head, ...top, '/** Builds the imported estate. */', 'export function build(): Platform {', ...body, '}', '', 'synthesizeApp(build);', ''].join('\n');
}
