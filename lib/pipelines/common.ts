/**
 * What the Jenkinsfile and the GitLab CI file of a release pipeline share: the image tag of a run, the shell of
 * the deploy step (it synthesizes the estate with this run's tag and hands the output to the clusters), and the
 * variables credentials are bound to. Credentials appear only as variable names, never as values.
 */
import { Credential, CredentialKind, DEFAULT_TOOL_IMAGES, DeliveryOptions, DeployMethod, ToolImages } from '../../constructs/delivery';
import type { Environment } from '../../constructs/environment';
import type { Pipeline } from '../../constructs/pipeline';
import { Platform } from '../../constructs/platform';
import { releaseWait } from '../batch';
import { shellQuote, shellVar, shellWord } from '../quote';

export { shellQuote } from '../quote';

/** The variable that holds the image tag of a run: the commit's first 12 hex digits, the same in every CI system. */
export const TAG_VAR = 'IMAGE_TAG';

/** The shell that sets the tag from the checked-out commit. */
export const TAG_COMMAND = 'git rev-parse HEAD | cut -c1-12';

/** The variables the estate's Git credential is bound to in a deploy step. */
export const EstateVars = {
  /** User name (basic auth). */
  USER: 'ESTATE_GIT_USER',
  /** Password or token (basic auth). */
  PASSWORD: 'ESTATE_GIT_PASSWORD',
  /** Path of a private key file (SSH). */
  SSH_KEY: 'ESTATE_GIT_SSH_KEY',
} as const;

/** The variable a cluster's kubeconfig file path is bound to (`DeployMethod.KUBECTL`). */
export function kubeconfigVar(cluster: string): string {
  return `KUBECONFIG_${cluster.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The delivery options with their defaults. */
export interface ResolvedDelivery {
  /** The options as given. */
  readonly options: DeliveryOptions;
  /** The estate repository's branch. */
  readonly branch: string;
  /** The output folder in the estate repository. */
  readonly outdir: string;
  /** The synth command. */
  readonly synthCommand: string;
  /** The deploy method. */
  readonly deployMethod: DeployMethod;
  /** The release pins folder. */
  readonly releasesDir: string;
  /** The tool images. */
  readonly tools: Required<ToolImages>;
}

/**
 * The platform's delivery with defaults; throws when not configured (validation reports that first).
 * @param platform the platform
 */
export function resolveDelivery(platform: Platform): ResolvedDelivery {
  const d = platform.delivery;
  if (!d) throw new Error(`[${platform.node.path}] delivery is not configured`);
  return {
    options: d,
    branch: d.estate.branch ?? 'main',
    outdir: d.outdir ?? 'dist',
    synthCommand: d.synthCommand ?? 'npm run synth',
    deployMethod: d.deployMethod ?? DeployMethod.GITOPS,
    releasesDir: d.releasesDir ?? 'releases',
    tools: { ...DEFAULT_TOOL_IMAGES, ...d.toolImages },
  };
}

/**
 * The shell lines of a deploy step: clone the estate, pin this run's tag for the module in the environment,
 * synthesize, and hand the output over (commit and push for GitOps, `kubectl apply` per cluster, or
 * `pulumi up`). A push that loses a race with another release is retried on the new head.
 * @param pipeline the module's pipeline
 * @param environment the environment deployed
 */
export function deployScript(pipeline: Pipeline, environment: Environment): string[] {
  const platform = Platform.of(pipeline);
  const d = resolveDelivery(platform);
  const estate = d.options.estate;
  const ssh = estate.credential.kind === CredentialKind.SSH_AUTH;
  const release = `npx platform-cdk release --dir ${shellQuote(d.releasesDir)} --env ${shellQuote(environment.name)} --service ${shellQuote(pipeline.releaseKey)} --tag "$${TAG_VAR}"`;
  const lines: string[] = [];
  if (ssh) lines.push(`export GIT_SSH_COMMAND="ssh -i $${EstateVars.SSH_KEY} -o StrictHostKeyChecking=accept-new"`);
  else lines.push(`git config --global credential.helper '!f() { echo "username=$${EstateVars.USER}"; echo "password=$${EstateVars.PASSWORD}"; }; f'`);
  lines.push(`rm -rf estate && git clone --branch ${shellQuote(d.branch)} ${shellQuote(estate.repository)} estate`);
  lines.push('cd estate');
  lines.push('npm ci');
  if (d.deployMethod === DeployMethod.GITOPS) {
    lines.push(
      `for attempt in 1 2 3 4 5; do ` +
        `git fetch origin ${shellQuote(d.branch)} && git reset --hard FETCH_HEAD && ` +
        `${release} && sh -c ${shellQuote(d.synthCommand)} && ` +
        `git add -A ${shellQuote(d.releasesDir)} ${shellQuote(d.outdir)} && ` +
        `{ git diff --cached --quiet && break; ` +
        `git -c user.name='platform-cdk release' -c user.email='release@platform-cdk.invalid' commit -m ${shellQuote(`release ${pipeline.releaseKey}`)}${shellWord(' ', shellVar(TAG_VAR), ` to ${environment.name}`)} && ` +
        `git push origin HEAD:${shellQuote(d.branch)} && break; }; ` +
        `[ "$attempt" = 5 ] && exit 1; sleep $((attempt * 5)); done`,
    );
    lines.push(...waitForRollout(pipeline, environment, d));
    return lines;
  }
  lines.push(release);
  lines.push(d.synthCommand);
  if (d.deployMethod === DeployMethod.KUBECTL) {
    for (const c of environment.clusters) {
      lines.push(`kubectl --kubeconfig "$${kubeconfigVar(c.name)}" apply --server-side --field-manager=platform-cdk -f ${shellQuote(`${d.outdir}/${c.name}/`)}`);
    }
  } else {
    lines.push(`pulumi up --stack ${shellQuote(environment.name)} --yes --non-interactive`);
  }
  return lines;
}

/**
 * With GitOps and kubeconfigs, the lines that wait until each cluster of the environment runs the released
 * tag of a service's Deployment and its rollout is complete (at most 15 minutes); nothing otherwise.
 */
function waitForRollout(pipeline: Pipeline, environment: Environment, d: ResolvedDelivery): string[] {
  const service = pipeline.service;
  if (!service || !service.project.clustersIn(environment).every((c) => d.options.kubeconfigs?.[c.name])) return [];
  const namespace = `${service.project.namespace}${environment.namespaceSuffix}`;
  const image = `${pipeline.image.registry.host}/${pipeline.image.repository}:`;
  const out: string[] = [];
  for (const c of service.project.clustersIn(environment)) {
    const k = `kubectl --kubeconfig "$${kubeconfigVar(c.name)}" -n ${shellQuote(namespace)}`;
    // The workload's kind (lib/batch.ts): where its pod template is, and what "rolled out" means for it.
    const w = releaseWait(service);
    out.push(
      `for i in $(seq 1 90); do ${k} get ${w.resource} ${shellQuote(service.name)} -o jsonpath='{${w.template}.containers[0].image}' | grep -qxF ${shellWord(image, shellVar(TAG_VAR))} && break; ` +
        `[ "$i" = 90 ] && { echo ${shellWord(`cluster ${c.name} did not sync ${image}`, shellVar(TAG_VAR), ' within 15 minutes')} >&2; exit 1; }; sleep 10; done`,
    );
    if (w.done) out.push(`${k} ${w.done}/${shellQuote(service.name)} --timeout=15m`);
  }
  return out;
}

/** The credentials a deploy step needs bound: the estate's, and for kubectl each cluster's kubeconfig. */
export function deployCredentials(pipeline: Pipeline, environment: Environment): { readonly credential: Credential; readonly vars: Record<string, string> }[] {
  const d = resolveDelivery(Platform.of(pipeline));
  const estate = d.options.estate.credential;
  const out: { credential: Credential; vars: Record<string, string> }[] = [
    estate.kind === CredentialKind.SSH_AUTH ? { credential: estate, vars: { key: EstateVars.SSH_KEY } } : { credential: estate, vars: { user: EstateVars.USER, password: EstateVars.PASSWORD } },
  ];
  const waits = d.deployMethod === DeployMethod.GITOPS && pipeline.service !== undefined && environment.clusters.every((c) => d.options.kubeconfigs?.[c.name]);
  if (d.deployMethod === DeployMethod.KUBECTL || waits) {
    for (const c of environment.clusters) {
      const k = d.options.kubeconfigs?.[c.name];
      if (k) out.push({ credential: k, vars: { file: kubeconfigVar(c.name) } });
    }
  }
  return out;
}

/**
 * The JSON body of the failure notification as one shell word: `{"text": "Release pipeline <module> failed: <url>"}`
 * with the URL read from a CI variable; the module's name is JSON-escaped, then the whole shell-quoted.
 * @param pipeline the pipeline
 * @param urlVariable the CI variable holding the run's URL
 */
export function failureMessage(pipeline: Pipeline, urlVariable: string): string {
  const text = JSON.stringify(`Release pipeline ${pipeline.module} failed: `).slice(0, -1);
  return shellWord(`{"text": ${text}`, shellVar(urlVariable), '"}');
}
