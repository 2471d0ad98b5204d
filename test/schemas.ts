/**
 * Schemas for the tests: the Kubernetes definitions shipped in `schemas/`, and the KubeSphere 4.1 CRDs read
 * from `../shared/schemas/kubesphere/v4` beside the repository (their licence does not allow copying them
 * into the project). When that folder is absent, the KubeSphere checks are skipped with a message.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SchemaValidator } from '../lib/schema';

/** Where the KubeSphere 4.1 CRDs are looked for. */
export const KUBESPHERE_V4_DIR = path.resolve(__dirname, '..', '..', 'shared', 'schemas', 'kubesphere', 'v4');

/** Whether the KubeSphere 4.1 CRDs are there. */
export const HAS_KUBESPHERE_V4 = fs.existsSync(KUBESPHERE_V4_DIR);

/** The message printed when the KubeSphere 4.1 checks are skipped. */
export const KUBESPHERE_V4_SKIPPED = `KubeSphere 4.1 CRD schemas not found at ${KUBESPHERE_V4_DIR}: the checks of KubeSphere objects are skipped (Kubernetes objects are still validated)`;

/** The KubeSphere 3.4 CRDs, shipped with the project (Apache-2.0). */
export const KUBESPHERE_V3_DIR = path.resolve(__dirname, '..', 'schemas', 'kubesphere', 'v3');

/** The ecosystem CRDs (prometheus-operator, external-secrets, cert-manager, Argo CD, Flux), shipped with the project (Apache-2.0). */
export const ECOSYSTEM_DIR = path.resolve(__dirname, '..', 'schemas', 'ecosystem');

/** The KubeSphere DevOps and GitOps CRDs (ks-devops: DevOpsProject, Pipeline, GitOps Application), shipped with the project (Apache-2.0). */
export const KUBESPHERE_DEVOPS_DIR = path.resolve(__dirname, '..', 'schemas', 'kubesphere', 'devops');

/** The alert routing CRDs (excerpts: AlertmanagerConfig, the notification manager's Receiver, Config and Router), shipped with the project (Apache-2.0). */
export const ALERTING_DIR = path.resolve(__dirname, '..', 'schemas', 'alerting');

let shared: SchemaValidator | undefined;
let v3: SchemaValidator | undefined;

/** A validator with the Kubernetes definitions, the KubeSphere 3.4 CRDs, the ecosystem CRDs and the KubeSphere DevOps CRDs. */
export function validatorV3(): SchemaValidator {
  if (!v3) {
    v3 = SchemaValidator.create();
    v3.addCrdFolder(KUBESPHERE_V3_DIR);
    v3.addCrdFolder(ECOSYSTEM_DIR);
    v3.addCrdFolder(KUBESPHERE_DEVOPS_DIR);
    v3.addCrdFolder(ALERTING_DIR);
  }
  return v3;
}

/** A validator with the Kubernetes definitions, the ecosystem CRDs, the KubeSphere DevOps CRDs and, when present, the KubeSphere 4.1 CRDs; built once per test file. */
export function validator(): SchemaValidator {
  if (!shared) {
    shared = SchemaValidator.create();
    shared.addCrdFolder(ECOSYSTEM_DIR);
    shared.addCrdFolder(KUBESPHERE_DEVOPS_DIR);
    shared.addCrdFolder(ALERTING_DIR);
    if (HAS_KUBESPHERE_V4) shared.addCrdFolder(KUBESPHERE_V4_DIR);
  }
  return shared;
}

/** Whether the tests can validate an object's kind here (KubeSphere kinds need the shared CRDs). */
export function canValidate(apiVersion: string): boolean {
  return HAS_KUBESPHERE_V4 || !apiVersion.includes('kubesphere.io') || /^(devops|gitops|notification)\.kubesphere\.io\//.test(apiVersion);
}
