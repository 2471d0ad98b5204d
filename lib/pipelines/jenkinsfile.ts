/**
 * A release pipeline as a declarative Jenkinsfile for KubeSphere DevOps: one pod with a container per tool
 * image (KubeSphere's `base` agent builds the image), stages in order, approvals with `input` naming who may
 * approve, JUnit reports, and failure notifications. Credentials appear only as ids.
 */
import { Credential, CredentialKind } from '../../constructs/delivery';
import type { Image } from '../../constructs/image';
import type { Pipeline, PipelineStage } from '../../constructs/pipeline';
import { Platform } from '../../constructs/platform';
import { commentText, groovyScript, groovyString, shellQuote, shellVar, shellWord } from '../quote';
import { yamlString } from '../yaml';
import { deployCredentials, deployScript, failureMessage, resolveDelivery, TAG_COMMAND, TAG_VAR } from './common';

/** A Groovy single-quoted string literal (`groovyString`). */
export const groovy = groovyString;

/**
 * A `sh` step: the lines (the user's commands as given, and lines of quoted values) in a Groovy
 * triple-single-quoted string (no Groovy interpolation, every `\` and `'` escaped), run with `set -eu`.
 */
function sh(lines: readonly string[]): string {
  return `sh ${groovyScript(['set -eu', ...lines].join('\n'))}`;
}

/** The `withCredentials` binding of a credential to variables. */
function binding(credential: Credential, vars: Record<string, string>): string {
  const id = groovy(credential.id);
  switch (credential.kind) {
    case CredentialKind.BASIC_AUTH:
      return `usernamePassword(credentialsId: ${id}, usernameVariable: ${groovy(vars.user)}, passwordVariable: ${groovy(vars.password)})`;
    case CredentialKind.SSH_AUTH:
      return `sshUserPrivateKey(credentialsId: ${id}, keyFileVariable: ${groovy(vars.key)})`;
    case CredentialKind.KUBECONFIG:
      return `kubeconfigFile(credentialsId: ${id}, variable: ${groovy(vars.file)})`;
    default:
      return `string(credentialsId: ${id}, variable: ${groovy(vars.text)})`;
  }
}

/**
 * Indents Groovy code, but not the lines inside a `'''` string (a shell script): padding there would become part
 * of the script and break heredocs and multi-line commands. The closing `'''` line is indented (only whitespace
 * is added before it). Inside a script `'''` never occurs raw (see `sh`).
 */
function indent(text: string, by: number): string {
  const pad = ' '.repeat(by);
  let inScript = false;
  return text
    .split('\n')
    .map((l) => {
      const starts = inScript;
      if ((l.split("'''").length - 1) % 2 === 1) inScript = !inScript;
      return l === '' || (starts && l.trim() !== "'''") ? l : pad + l;
    })
    .join('\n');
}

/**
 * The Jenkinsfile of a pipeline.
 * @param pipeline the pipeline
 */
export function renderJenkinsfile(pipeline: Pipeline): string {
  const platform = Platform.of(pipeline);
  const d = resolveDelivery(platform);
  const stages = pipeline.stages;
  // One container per distinct tool image, named step-<n> in the order first used.
  const images = new Map<string, string>();
  const containerOf = (image: Image): string => {
    let name = images.get(image.reference);
    if (!name) images.set(image.reference, (name = `step-${images.size + 1}`));
    return name;
  };
  for (const s of stages) if (s.kind === 'run' || s.kind === 'verify') containerOf(s.image);
  if (stages.some((s) => s.kind === 'scan')) containerOf(d.tools.trivy);
  if (stages.some((s) => s.kind === 'deploy')) containerOf(d.tools.node);
  const pod = [
    'apiVersion: v1',
    'kind: Pod',
    'spec:',
    '  containers:',
    ...[...images.entries()].flatMap(([image, name]) => [`  - name: ${name}`, `    image: ${yamlString(image)}`, '    command: ["sleep"]', '    args: ["infinity"]']),
  ].join('\n');
  const target = `${pipeline.image.registry.host}/${pipeline.image.repository}`;
  const registry = pipeline.props.registryCredential;
  const source = pipeline.props.source;

  const stage = (s: PipelineStage): string => {
    let body: string;
    switch (s.kind) {
      case 'checkout':
        body = [
          `git(url: ${groovy(source.repository)}, branch: ${groovy(source.branch ?? 'main')}, credentialsId: ${groovy(source.credential.id)})`,
          'script {',
          `  env.${TAG_VAR} = sh(script: ${groovy(TAG_COMMAND)}, returnStdout: true).trim()`,
          '}',
        ].join('\n');
        break;
      case 'run':
        body = `container(${groovy(containerOf(s.image))}) {\n${indent(sh(s.commands), 2)}\n}`;
        break;
      case 'image':
        body = [
          "container('base') {",
          indent(
            [
              `withCredentials([${binding(registry, { user: 'REGISTRY_USER', password: 'REGISTRY_PASSWORD' })}]) {`,
              indent(
                sh([
                  `echo "$REGISTRY_PASSWORD" | docker login ${shellQuote(pipeline.image.registry.host)} -u "$REGISTRY_USER" --password-stdin`,
                  `docker build -f ${shellQuote(pipeline.props.dockerfile ?? 'Dockerfile')} -t ${shellWord(`${target}:`, shellVar(TAG_VAR))} ${shellQuote(pipeline.props.context ?? '.')}`,
                  `docker push ${shellWord(`${target}:`, shellVar(TAG_VAR))}`,
                ]),
                2,
              ),
              '}',
            ].join('\n'),
            2,
          ),
          '}',
        ].join('\n');
        break;
      case 'scan':
        body = [
          `container(${groovy(containerOf(d.tools.trivy))}) {`,
          indent(
            [
              `withCredentials([${binding(registry, { user: 'TRIVY_USERNAME', password: 'TRIVY_PASSWORD' })}]) {`,
              indent(sh([`trivy image --exit-code 1 --severity ${shellQuote(s.severities.join(','))}${s.ignoreUnfixed ? ' --ignore-unfixed' : ''} ${shellWord(`${target}:`, shellVar(TAG_VAR))}`]), 2),
              '}',
            ].join('\n'),
            2,
          ),
          '}',
        ].join('\n');
        break;
      case 'approve':
        body = [
          "timeout(time: 7, unit: 'DAYS') {",
          `  input(id: ${groovy(`approve-${s.environment.name}`)}, message: ${groovy(`Release ${pipeline.module} to ${s.environment.name}?`)}, submitter: ${groovy(s.approvers.members.join(','))})`,
          '}',
        ].join('\n');
        break;
      case 'deploy': {
        const creds = deployCredentials(pipeline, s.environment);
        body = [
          `container(${groovy(containerOf(d.tools.node))}) {`,
          indent([`withCredentials([${creds.map((c) => binding(c.credential, c.vars)).join(', ')}]) {`, indent(sh(deployScript(pipeline, s.environment)), 2), '}'].join('\n'), 2),
          '}',
        ].join('\n');
        break;
      }
      default:
        body = `container(${groovy(containerOf(s.image))}) {\n${indent(sh(s.commands), 2)}\n}`;
    }
    const report = (s.kind === 'run' || s.kind === 'verify') && s.report ? `\npost {\n  always {\n    junit(testResults: ${groovy(s.report)}, allowEmptyResults: false)\n  }\n}` : '';
    return `stage(${groovy(s.name)}) {\n  steps {\n${indent(body, 4)}\n  }${indent(report, 2)}\n}`;
  };

  const notify = pipeline.props.notify;
  const failure: string[] = [];
  if (notify?.email?.length) {
    // Single-quoted literals joined with the build's variables: no GString interpolates a value of the model.
    failure.push(`mail(to: ${groovy(notify.email.join(','))}, subject: ${groovy(`Release pipeline ${pipeline.module} failed: `)} + env.BUILD_TAG, body: 'See ' + env.BUILD_URL)`);
  }
  if (notify?.webhook) {
    failure.push(
      `withCredentials([${binding(notify.webhook, { text: 'WEBHOOK_URL' })}]) {\n` +
        indent(sh([`curl -fsS -X POST -H 'Content-Type: application/json' -d ${failureMessage(pipeline, 'BUILD_URL')} "$WEBHOOK_URL"`]), 2) +
        '\n}',
    );
  }
  const post = failure.length > 0 ? `\npost {\n  failure {\n${indent(failure.join('\n'), 4)}\n  }\n}` : '';
  const kubernetesAgent = ['kubernetes {', "  inheritFrom 'base'", `  yaml ${groovy(pod)}`, '}'].join('\n');
  return [
    `// Release pipeline of ${commentText(pipeline.releaseKey)}, generated by platform-cdk from ${commentText(pipeline.node.path)}. Do not edit: change the model.`,
    'pipeline {',
    indent(`agent {\n${indent(kubernetesAgent, 2)}\n}`, 2),
    indent("options {\n  disableConcurrentBuilds()\n  buildDiscarder(logRotator(numToKeepStr: '30'))\n}", 2),
    '  stages {',
    indent(stages.map(stage).join('\n'), 4),
    `  }${indent(post, 2)}`,
    '}',
    '',
  ].join('\n');
}
