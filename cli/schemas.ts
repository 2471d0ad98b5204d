/**
 * `platform-cdk schemas`: the schemas a project's checks use beyond the shipped ones. `schemas fetch` stores the
 * KubeSphere 4.1 CRDs in the project (they cannot be shipped: their licence carries commercial-use conditions),
 * from a folder or from a cluster; `schemas use --kubernetes` picks the Kubernetes schema version; `schemas status`
 * says what the checks use. See lib/schema-store.ts and docs/schemas.md.
 */
import * as path from 'path';
import type { Command } from 'commander';
import { Target } from '../constructs/platform';
import {
  DEFAULT_KUBERNETES_VERSION, kubernetesVersions, kubeSphereCrdsInCluster, kubeSphereCrdsInFolder, readSchemaSettings,
  rememberedSchemas, SCHEMA_SETTINGS_FILE, SchemaStoreError, storeKubeSphereCrds, useKubernetesVersion,
} from '../lib/schema-store';

/** Where the command writes: stdout for results, stderr for messages. */
export interface SchemasIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
}

/** Exit codes of `platform-cdk schemas`: 0 done, 2 usage or input (a bad folder, no kubectl, a failing kubectl). */
const OK = 0;
const INPUT = 2;

/** Runs a subcommand, turning its known errors into one `error:` line and the input exit code. */
function guarded(io: SchemasIo, setCode: (code: number) => void, fn: () => void): void {
  try {
    fn();
    setCode(OK);
  } catch (e) {
    if (!(e instanceof SchemaStoreError)) throw e;
    io.err(`platform-cdk schemas: error: ${e.message}\n`);
    setCode(INPUT);
  }
}

/**
 * Adds `schemas fetch`, `schemas use` and `schemas status` to the command line.
 * @param program the `platform-cdk` command
 * @param io where to write
 * @param setCode sets the exit code of the run
 */
export function registerSchemasCommand(program: Command, io: SchemasIo, setCode: (code: number) => void): void {
  const schemas = program.command('schemas').description('the schemas the checks use: fetch the KubeSphere 4.1 CRDs into the project, pick the Kubernetes version');

  schemas
    .command('fetch')
    .description('store the KubeSphere 4.1 CRDs in the project (.platform-cdk/schemas/kubesphere-4.1/), from a folder or a cluster; validate, synth and cdk8s synth use them from then on')
    .option('--from <folder>', 'a folder with the CRD YAML files, searched with its sub-folders (e.g. config/ks-core/charts/ks-crds/crds of a KubeSphere 4.1 checkout)')
    .option('--from-cluster', 'read them from the KubeSphere host cluster with `kubectl get crd -o yaml`')
    .option('--context <context>', 'with --from-cluster: the kubeconfig context of the host cluster (default: the current one)')
    .addHelpText('after', '\nExamples:\n  $ platform-cdk schemas fetch --from ../kubesphere/config/ks-core/charts/ks-crds/crds\n  $ platform-cdk schemas fetch --from-cluster --context host\n\nExit codes: 0 stored, 2 usage or input (no such folder, no CRDs found, kubectl missing or failing).')
    .action((o: { from?: string; fromCluster?: boolean; context?: string }) =>
      guarded(io, setCode, () => {
        if ((o.from === undefined) === (o.fromCluster !== true)) {
          throw new SchemaStoreError(`give either --from <folder> or --from-cluster (got ${o.from === undefined ? 'neither' : 'both'})`, 'run `platform-cdk schemas fetch --from <folder>` or `platform-cdk schemas fetch --from-cluster [--context <context>]`');
        }
        if (o.context !== undefined && o.fromCluster !== true) throw new SchemaStoreError('--context is for --from-cluster', 'drop --context, or use --from-cluster');
        const crds = o.from !== undefined ? kubeSphereCrdsInFolder(path.resolve(o.from)) : kubeSphereCrdsInCluster(o.context);
        const r = storeKubeSphereCrds(crds, o.from !== undefined ? 'folder' : 'cluster');
        const where = path.relative(process.cwd(), r.folder) || r.folder;
        io.out(`platform-cdk: ${r.files.length} KubeSphere CRDs stored in ${where}/ (recorded in ${SCHEMA_SETTINGS_FILE}); validate, synth and cdk8s synth check the KubeSphere 4.1 objects against them from now on\n`);
        if (r.missingKinds.length > 0) io.err(`platform-cdk: warning: they define no ${r.missingKinds.join(', ')}: are they KubeSphere 4.1's? The checks will warn schema-missing for those kinds\n`);
        io.err('platform-cdk: the CRDs are KubeSphere\'s, under its licence: commit them to your repository only if it allows you to\n');
      }),
    );

  schemas
    .command('use')
    .description('pick the Kubernetes schema version of the checks (recorded in .platform-cdk/schemas.json)')
    .requiredOption('--kubernetes <version>', `a shipped Kubernetes schema version (${kubernetesVersions().join(', ')}; default ${DEFAULT_KUBERNETES_VERSION})`)
    .addHelpText('after', `\nExample:\n  $ platform-cdk schemas use --kubernetes ${DEFAULT_KUBERNETES_VERSION}\n\nExit codes: 0 recorded, 2 usage or input (a version that is not shipped).`)
    .action((o: { kubernetes: string }) =>
      guarded(io, setCode, () => {
        const v = useKubernetesVersion(o.kubernetes);
        io.out(`platform-cdk: the checks use the Kubernetes ${v} schemas (recorded in ${SCHEMA_SETTINGS_FILE})\n`);
      }),
    );

  schemas
    .command('status')
    .description('say which schemas the checks of this project use')
    .addHelpText('after', '\nExample:\n  $ platform-cdk schemas status')
    .action(() =>
      guarded(io, setCode, () => {
        const settings = readSchemaSettings();
        const r = rememberedSchemas(Target.KUBESPHERE_V4_1);
        const ks = settings['kubesphere-4.1'];
        io.out(`Kubernetes: ${r.kubernetesVersion} (shipped: ${kubernetesVersions().join(', ')})\n`);
        io.out('KubeSphere 3.4, DevOps and GitOps, cert-manager, external-secrets, prometheus-operator, Argo CD, Flux CRDs: shipped\n');
        if (r.crdDirs.length > 0) io.out(`KubeSphere 4.1 CRDs: ${ks?.crds ?? '?'} in ${path.relative(process.cwd(), r.crdDirs[0])}/ (from a ${ks?.source ?? 'folder'})\n`);
        else if (ks !== undefined) io.out(`KubeSphere 4.1 CRDs: recorded in ${SCHEMA_SETTINGS_FILE} but their folder is gone; fetch them again with \`platform-cdk schemas fetch\`\n`);
        else io.out('KubeSphere 4.1 CRDs: not fetched; the checks warn schema-missing for KubeSphere 4.1 kinds. Fetch them with `platform-cdk schemas fetch --from <folder>` or `--from-cluster`\n');
      }),
    );
}
