/**
 * A release pipeline as a `.gitlab-ci.yml` for the module's repository: the same stages as the Jenkinsfile,
 * one job each, chained with `needs`; the image built with Kaniko (no Docker daemon); production deploys
 * manual; credentials read from CI/CD variables named after the credential ids.
 */
import { Credential, CredentialKind } from '../../constructs/delivery';
import type { Environment } from '../../constructs/environment';
import { gitlabJobName } from '../../constructs/pipeline';
import type { Pipeline, PipelineStage } from '../../constructs/pipeline';
import { Platform } from '../../constructs/platform';
import { commentText, gitlabExpressionString, shellQuote, shellVar, shellWord } from '../quote';
import { toYamlDocument, JsonObject } from '../yaml';
import { deployCredentials, deployScript, failureMessage, resolveDelivery, TAG_VAR } from './common';

/** The CI/CD variables a credential is read from in GitLab, by the role of each. */
export function gitlabVariables(credential: Credential): Record<string, string> {
  const p = credential.variablePrefix;
  switch (credential.kind) {
    case CredentialKind.BASIC_AUTH:
      return { user: `${p}_USER`, password: `${p}_PASSWORD` };
    case CredentialKind.SSH_AUTH:
      return { key: `${p}_SSH_KEY` };
    case CredentialKind.KUBECONFIG:
      return { file: `${p}_KUBECONFIG` };
    default:
      return { text: `${p}_TEXT` };
  }
}

/** GitLab's deployment tier of an environment: production, else guessed from its name. */
export function deploymentTier(environment: Environment): string {
  if (environment.production) return 'production';
  const n = environment.name;
  if (/stag|pre-?prod|uat/.test(n)) return 'staging';
  if (/test|qa/.test(n)) return 'testing';
  if (/dev|preview/.test(n)) return 'development';
  return 'other';
}

/** A GitLab CI stage name: the stage's name with "-" for spaces. */
export function stageName(stage: PipelineStage): string {
  return stage.name.replace(/\s+/g, '-');
}

/** A job name: the stage name, with "-job" after it when the stage name is a GitLab keyword (the image stage's job is `image-job`). */
export function jobName(stage: PipelineStage): string {
  return gitlabJobName(stage.name);
}

/**
 * The `.gitlab-ci.yml` of a pipeline, as text.
 * @param pipeline the pipeline
 */
export function renderGitlabCi(pipeline: Pipeline): string {
  const d = resolveDelivery(Platform.of(pipeline));
  const stages = pipeline.stages.filter((s) => s.kind !== 'checkout' && s.kind !== 'approve');
  const target = `${pipeline.image.registry.host}/${pipeline.image.repository}`;
  const registryVars = gitlabVariables(pipeline.props.registryCredential);
  const projectDir = shellVar('CI_PROJECT_DIR');
  const tag = `${TAG_VAR}="$(echo "$CI_COMMIT_SHA" | cut -c1-12)"`;
  const doc: JsonObject = {};
  doc.workflow = { rules: [{ if: `$CI_COMMIT_BRANCH == ${gitlabExpressionString(pipeline.props.source.branch ?? 'main')}` }] };
  doc.stages = stages.map(stageName);
  const approvals = new Map(pipeline.stages.filter((s): s is Extract<PipelineStage, { kind: 'approve' }> => s.kind === 'approve').map((s) => [s.environment, s]));
  let previous: string | undefined;
  for (const s of stages) {
    const name = jobName(s);
    const job: JsonObject = { stage: stageName(s) };
    if (previous) job.needs = [previous];
    switch (s.kind) {
      case 'run':
      case 'verify':
        job.image = s.image.reference;
        // Every job sees the run's tag, as every Jenkins stage does.
        job.script = [tag, ...s.commands];
        if (s.report) job.artifacts = { when: 'always', reports: { junit: s.report } };
        if (s.kind === 'verify') job.environment = { name: s.environment.name, action: 'verify' };
        break;
      case 'image':
        job.image = { name: d.tools.kaniko.reference, entrypoint: [''] };
        job.script = [
          tag,
          'mkdir -p /kaniko/.docker',
          `printf '{"auths":{"%s":{"username":"%s","password":"%s"}}}' ${shellWord(pipeline.image.registry.host)} "$${registryVars.user}" "$${registryVars.password}" > /kaniko/.docker/config.json`,
          `/kaniko/executor --context ${shellWord(projectDir, `/${pipeline.props.context ?? '.'}`)} --dockerfile ${shellWord(projectDir, `/${pipeline.props.dockerfile ?? 'Dockerfile'}`)} --destination ${shellWord(`${target}:`, shellVar(TAG_VAR))}`,
        ];
        break;
      case 'scan':
        job.image = { name: d.tools.trivy.reference, entrypoint: [''] };
        job.script = [
          tag,
          `export TRIVY_USERNAME="$${registryVars.user}" TRIVY_PASSWORD="$${registryVars.password}"`,
          `trivy image --exit-code 1 --severity ${shellQuote(s.severities.join(','))}${s.ignoreUnfixed ? ' --ignore-unfixed' : ''} ${shellWord(`${target}:`, shellVar(TAG_VAR))}`,
        ];
        break;
      case 'deploy': {
        job.image = d.tools.node.reference;
        const binds: string[] = [];
        for (const c of deployCredentials(pipeline, s.environment)) {
          const from = gitlabVariables(c.credential);
          for (const [role, variable] of Object.entries(c.vars)) binds.push(`export ${variable}="$${from[role]}"`);
        }
        job.script = [tag, ...binds, ...deployScript(pipeline, s.environment)];
        job.environment = { name: s.environment.name, deployment_tier: deploymentTier(s.environment) };
        job.resource_group = `deploy-${s.environment.name}`;
        const approval = approvals.get(s.environment);
        if (approval) {
          // The approval: a manual job. Protect the environment in GitLab so that only the approvers may run it.
          job.when = 'manual';
          job.allow_failure = false;
        }
        break;
      }
      default:
        break;
    }
    doc[name] = job;
    previous = name;
  }
  const notify = pipeline.props.notify?.webhook;
  if (notify) {
    const v = gitlabVariables(notify).text;
    doc['notify-failure'] = {
      stage: '.post',
      image: d.tools.node.reference,
      when: 'on_failure',
      script: [`curl -fsS -X POST -H 'Content-Type: application/json' -d ${failureMessage(pipeline, 'CI_PIPELINE_URL')} "$${v}"`],
    };
  }
  const approvers = [...approvals.values()].map((a) => `${a.environment.name}: ${a.approvers.members.join(', ')} (department ${a.approvers.subjectName})`);
  const header = [
    `# Release pipeline of ${commentText(pipeline.releaseKey)}, generated by platform-cdk from ${commentText(pipeline.node.path)}. Do not edit: change the model.`,
    '# CI/CD variables (protected; masked, except SSH keys and kubeconfigs, which are File variables): ' + commentText(ciVariables(pipeline).join(', ')),
    ...(approvers.length > 0 ? [`# Protected environments and their approvers: ${commentText(approvers.join('; '))}`] : []),
  ];
  return `${header.join('\n')}\n${toYamlDocument(doc)}`;
}

/**
 * The CI/CD variables a pipeline's GitLab CI file reads, sorted.
 * @param pipeline the pipeline
 */
export function ciVariables(pipeline: Pipeline): string[] {
  const out = new Set<string>(Object.values(gitlabVariables(pipeline.props.registryCredential)));
  for (const env of pipeline.environments) for (const c of deployCredentials(pipeline, env)) for (const v of Object.values(gitlabVariables(c.credential))) out.add(v);
  if (pipeline.props.notify?.webhook) out.add(gitlabVariables(pipeline.props.notify.webhook).text);
  return [...out].sort();
}

