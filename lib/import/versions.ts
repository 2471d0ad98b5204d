/**
 * Versions in `platform-cdk import`: a Service over several Deployments `<service>-<version>` whose pods carry the
 * service's name and the label `version: <version>` (what the library writes for `versions: { v1: {...} }`, as
 * Istio's Bookinfo runs reviews v1, v2 and v3) becomes one service with its versions. The skeleton read each
 * Deployment as a service of its own; this pass folds them into the one service: what every version shares is the
 * service's, each version keeps only its image, variables, resources and replicas. Versions that differ in anything
 * else stay separate services (the Service is then carried through an escape hatch, as before).
 */
import type { KubeObject } from '../manifest';
import { Code, code } from './code';
import type { ServiceFields } from './model';
import type { EstateContext, NamespaceContext } from './passes';
import { readService } from './service';
import { registryConst, str } from './format';
import { obj } from './json';
import type { Obj } from './json';

/** The pod label that names a version. */
const VERSION = 'version';

/** The name label the library selects on. */
const NAME = 'app.kubernetes.io/name';

/** A version's Deployment as the service's own would be: named like the service, selecting on its name, no version label. */
function asService(d: KubeObject, service: string): KubeObject {
  const spec = obj((d as unknown as Obj).spec);
  const template = obj(spec.template);
  const meta = obj(template.metadata);
  const labels = { ...obj(meta.labels) };
  delete labels[VERSION];
  return {
    ...d,
    metadata: { ...d.metadata, name: service },
    spec: { ...spec, selector: { matchLabels: { [NAME]: service } }, template: { ...template, metadata: { ...meta, labels } } },
  } as unknown as KubeObject;
}

/** The fields a version may change. */
const VERSIONED = ['image', 'env', 'resources', 'replicas'] as const;

function rest(f: ServiceFields): string {
  const copy: Record<string, unknown> = { ...f };
  for (const k of VERSIONED) delete copy[k];
  return JSON.stringify(copy, Object.keys(copy).sort());
}

/**
 * The values of a map every entry shares, and what each entry has beyond them (a key an entry lacks is the default,
 * which it keeps: the service's value is then the default too).
 */
function split(values: readonly (Record<string, string | number> | undefined)[]): { common: Record<string, string | number>; own: Record<string, string | number>[] } {
  const keys = [...new Set(values.flatMap((v) => Object.keys(v ?? {})))].sort();
  const common: Record<string, string | number> = {};
  const own: Record<string, string | number>[] = values.map(() => ({}));
  for (const k of keys) {
    const vs = values.map((v) => v?.[k]);
    if (vs.every((x) => x !== undefined && x === vs[0])) common[k] = vs[0]!;
    else vs.forEach((x, i) => x !== undefined && (own[i][k] = x));
  }
  return { common, own };
}

/**
 * The pass: folds the Deployments of a service's versions into the service, with `versions` in its props.
 * @param ctx the namespace
 */
export function readVersions(ctx: NamespaceContext): void {
  for (const svc of ctx.unclaimed()) {
    const o = svc.object;
    const name = o.metadata.name;
    const selector = obj(obj((o as unknown as Obj).spec).selector);
    if (o.kind !== 'Service' || ctx.services.has(name) || JSON.stringify(selector) !== JSON.stringify({ [NAME]: name })) continue;
    const deployments = ctx.objects
      .filter((e) => e.object.kind === 'Deployment' && e.object.metadata.name.startsWith(`${name}-`) && ctx.services.has(e.object.metadata.name))
      .map((e) => ({ d: e.object, version: e.object.metadata.name.slice(name.length + 1) }))
      .filter(({ d, version }) => {
        const labels = obj(obj(obj(obj((d as unknown as Obj).spec).template).metadata).labels);
        return labels[NAME] === name && labels[VERSION] === version && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(version);
      })
      .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    if (deployments.length === 0) continue;
    const readings = deployments.map(({ d }) => readService(asService(d, name), o, ctx.environment.production));
    const fields = readings.map((r) => r.fields);
    if (fields.some((f) => rest(f) !== rest(fields[0]) || !f.image)) continue;

    const base: ServiceFields = { ...fields[0] };
    for (const k of VERSIONED) delete base[k];
    base.image = fields[0].image;
    const env = split(fields.map((f) => f.env));
    const resources = split(fields.map((f) => f.resources));
    const replicas = split(fields.map((f) => (f.replicas === undefined ? undefined : { replicas: f.replicas })));
    if (Object.keys(env.common).length > 0) base.env = env.common as Record<string, string>;
    if (Object.keys(resources.common).length > 0) base.resources = resources.common as Record<string, number>;
    if (replicas.common.replicas !== undefined) base.replicas = replicas.common.replicas as number;
    const versions: Record<string, Record<string, unknown>> = {};
    deployments.forEach(({ version }, i) => {
      const v: Record<string, unknown> = {};
      const image = fields[i].image!;
      if (JSON.stringify(image) !== JSON.stringify(base.image)) {
        v.image = image.registry === base.image!.registry
          ? new Code(`${registryConst(image.registry)}.image(${str(image.repository)}, ${str(image.tag)})`)
          : code(['Registry'])`Registry.at(${str(image.registry)}).image(${str(image.repository)}, ${str(image.tag)})`;
      }
      if (Object.keys(env.own[i]).length > 0) v.env = env.own[i];
      if (Object.keys(resources.own[i]).length > 0) v.resources = resources.own[i];
      if (replicas.own[i].replicas !== undefined) v.replicas = replicas.own[i].replicas;
      versions[version] = v;
    });
    base.extra = { ...base.extra, versions };

    for (const { d } of deployments) {
      ctx.services.delete(d.metadata.name);
      ctx.sources.delete(d.metadata.name);
    }
    ctx.services.set(name, base);
    ctx.sources.set(name, { deployment: asService(deployments[0].d, name), service: o });
    for (const n of new Set(readings.flatMap((r) => r.notCarried))) ctx.note(name, `not carried: ${n}`);
    for (const [v, [secret, k]] of Object.entries(base.secrets ?? {})) {
      ctx.note(name, `TODO: ${v} reads key ${k} of the Secret ${secret}: its value is not imported; the Secret must exist in the project's namespace of every environment`);
    }
    ctx.claim(svc, 'typed', `ports of service ${name} (versions ${deployments.map((x) => x.version).join(', ')})`);
    for (const kind of ['ServiceAccount', 'PodDisruptionBudget']) {
      const own = ctx.unclaimed().find((x) => x.object.kind === kind && x.object.metadata.name === name);
      if (own) ctx.claim(own, 'generated', `written for service ${name} by default`);
    }
  }
}

/**
 * The estate pass after {@link readVersions}: versions are the same in every environment (the model has no versions
 * per environment), so where the export's differ, the program gives every environment those of the first, with a
 * note saying what to review.
 * @param ctx the estate
 */
export function sameVersionsEverywhere(ctx: EstateContext): void {
  for (const tenant of ctx.index.tenants.values()) {
    for (const project of tenant.projects) {
      for (const service of project.services) {
        const differing = Object.entries(service.perEnvironment).filter(([, f]) => f.extra?.versions !== undefined);
        if (differing.length === 0) continue;
        const first = project.environments.find((e) => service.perEnvironment[e]?.extra?.versions !== undefined) ?? differing[0][0];
        const versions = service.common.extra?.versions ?? service.perEnvironment[first].extra!.versions;
        service.common.extra = { ...service.common.extra, versions };
        for (const [env, f] of differing) {
          const { versions: _dropped, ...extra } = f.extra!;
          f.extra = Object.keys(extra).length > 0 ? extra : undefined;
          if (f.extra === undefined) delete f.extra;
          service.notes.push(`TODO: the versions of ${service.name} differ in ${env} (the model gives every environment the same versions): review them`);
        }
      }
    }
  }
}
