/**
 * Variant u's user constructs (issue 19's escape hatch, docs/escape-hatches.md): cdk8s-plus-27 objects a user adds
 * to the bench estate's projects with `project.addManifests`. Loaded only by variant u, so that the other variants'
 * processes do not load cdk8s-plus-27.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Project } from '../index';

/**
 * Adds `objects` user objects to the projects: `objects / 8` `addManifests` callbacks, spread over the projects in
 * turn, each building in each of the 4 environments a cdk8s-plus-27 `ConfigMap` and a `Deployment` that reads it
 * (restricted pod security, with the JSON patch cdk8s-plus-27 needs for it).
 * @param projects the estate's projects (each placed in the 4 environments)
 * @param objects the user objects to add, a multiple of 8
 * @param image the image of the Deployments
 */
export function addUserObjects(projects: readonly Project[], objects: number, image: string): void {
  if (objects % 8 !== 0) throw new Error(`the user objects are a multiple of 8; got ${objects}`);
  for (let i = 0; i < objects / 8; i++) addUserConstructs(projects[i % projects.length], `user-${i}`, image);
}

/** A user's ConfigMap and Deployment in every environment of a project, as a cdk8s-plus-27 user writes them. */
function addUserConstructs(project: Project, name: string, image: string): void {
  project.addManifests(name, (chart, where) => {
    const config = new kplus.ConfigMap(chart, 'config', { metadata: { name }, data: { ENVIRONMENT: where.environment?.name ?? '', MODE: 'batch' } });
    const deployment = new kplus.Deployment(chart, 'worker', {
      metadata: { name },
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: 1000 },
      containers: [
        {
          name: 'worker',
          image,
          envFrom: [kplus.Env.fromConfigMap(config)],
          resources: { cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) } },
          securityContext: { ensureNonRoot: true, user: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
        },
      ],
    });
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
  });
}
