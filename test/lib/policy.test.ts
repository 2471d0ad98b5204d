/**
 * The policy rules over synthesized output. Each rule is shown to fail on an object of a small estate in which
 * one violation was planted (as a JSON patch or a hand edit of the output would), and to stay silent on the
 * estate as the model writes it.
 */
import { DepartmentRef, ManifestStack, ProjectRole, WorkspaceRole } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkedObjects, hasErrors } from '../../lib/check';
import { checkPolicies, CheckedObject, Finding, imageHasRegistry, imagePinned, POLICY_RULES, WAIVER_PREFIX } from '../../lib/policy';
import { addService, fixture } from '../fixture';

/**
 * The estate: the fixture (production on host, test on member-test) with tenant shop's services api (exposed in
 * production at api.example.com) and web (autoscaled), department backend granted in the project and the
 * workspace; and tenant billing, in production only, with department finance and service books exposed at
 * books.example.com.
 */
function estate(): CheckedObject[] {
  const f = fixture();
  addService(f, 'api').expose({ environments: [f.production], subdomain: 'api' });
  addService(f, 'web', { autoscaling: { minReplicas: 2, maxReplicas: 4 } });
  f.tenant.addDepartment('backend');
  f.project.grant(DepartmentRef.named('backend'), ProjectRole.OPERATOR);
  f.tenant.grant(DepartmentRef.named('backend'), WorkspaceRole.VIEWER);
  const billing = f.platform.addTenant('billing', { manager: 'carol' });
  billing.addDepartment('finance');
  const ledger = billing.addProject('ledger', { environments: [f.production] });
  ledger.addService('books', { image: f.registry.image('billing/books', '3.1.0'), ports: [{ port: 8080 }] }).expose({ subdomain: 'books' });
  return checkedObjects(f.platform, new ManifestStack(f.platform).render());
}

const ESTATE = estate();

/** A fresh copy of the estate's objects, to plant a violation in. */
function clean(): CheckedObject[] {
  return ESTATE.map((c) => ({ ...c, object: structuredClone(c.object) }));
}

/** The key of an object: `<cluster>/<Kind>/<namespace or ->/<name>`. */
function keyOf(c: CheckedObject): string {
  return `${c.cluster}/${c.object.kind}/${c.object.metadata.namespace ?? '-'}/${c.object.metadata.name}`;
}

function indexOf(objects: readonly CheckedObject[], key: string): number {
  const i = objects.findIndex((c) => keyOf(c) === key);
  if (i < 0) throw new Error(`no object ${key}; objects: ${objects.map(keyOf).join(', ')}`);
  return i;
}

type Json = Record<string, unknown>;

/** The parent of the place a JSON pointer names, and the last key. */
function parentOf(object: KubeObject, pointer: string): { parent: Json; key: string } {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = object as unknown as Json;
  for (const p of parts.slice(0, -1)) {
    if (node[p] === undefined) node[p] = {};
    node = node[p] as Json;
  }
  return { parent: node, key: parts[parts.length - 1] };
}

/** A change of one object. */
type Change = (o: KubeObject) => void;

/** Sets the value at a JSON pointer (creating objects on the way; `-` appends to an array). */
function set(pointer: string, value: unknown): Change {
  return (o) => {
    const { parent, key } = parentOf(o, pointer);
    if (Array.isArray(parent) && key === '-') parent.push(value);
    else parent[key] = value;
  };
}

/** Removes the value at a JSON pointer. */
function remove(pointer: string): Change {
  return (o) => {
    const { parent, key } = parentOf(o, pointer);
    if (!(key in parent)) throw new Error(`nothing at ${pointer} of ${o.kind} ${o.metadata.name}`);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  };
}

/** A plant: edits the objects of the estate. */
type Plant = (objects: CheckedObject[]) => void;

/** Changes one object. */
function edit(key: string, ...changes: Change[]): Plant {
  return (objects) => {
    const o = objects[indexOf(objects, key)].object;
    for (const c of changes) c(o);
  };
}

/** Removes one object. */
function drop(key: string): Plant {
  return (objects) => void objects.splice(indexOf(objects, key), 1);
}

/** Adds an object, written by hand into a cluster's output (no construct path). */
function add(cluster: string, object: KubeObject, production = false): Plant {
  return (objects) => void objects.push({ cluster, object, production });
}

/** Copies an object under another name. */
function copy(key: string, name: string, ...changes: Change[]): Plant {
  return (objects) => {
    const c = objects[indexOf(objects, key)];
    const object = structuredClone(c.object);
    object.metadata.name = name;
    for (const ch of changes) ch(object);
    objects.push({ ...c, object });
  };
}

/** The findings of the estate with the plants applied. */
function findings(...plants: Plant[]): Finding[] {
  const objects = clean();
  for (const p of plants) p(objects);
  return checkPolicies(objects);
}

/** Where a finding is: its cluster, object and construct path. */
interface Where {
  readonly cluster: string;
  readonly object: string;
  readonly source: string;
}

const API: Where = { cluster: 'host', object: 'apps/v1 Deployment storefront/api', source: 'acme/shop/storefront/api' };
const API_TEST: Where = { ...API, cluster: 'member-test' };
const API_INGRESS: Where = { ...API, object: 'networking.k8s.io/v1 Ingress storefront/api' };
const STOREFRONT: Where = { cluster: 'host', object: 'v1 Namespace storefront', source: 'acme/shop/storefront' };
const OPERATOR_BINDING: Where = { cluster: 'host', object: 'iam.kubesphere.io/v1beta1 RoleBinding storefront/shop-backend-operator', source: 'acme/shop/storefront' };
const VIEWER_BINDING: Where = { cluster: 'host', object: 'iam.kubesphere.io/v1beta1 WorkspaceRoleBinding shop-backend-shop-viewer', source: 'acme/shop' };
const POD = '/spec/template/spec';
const C0 = `${POD}/containers/0`;

/** The finding expected of a rule: its severity comes from the rule. */
function finding(rule: string, where: Where, at: string, message: string, fix: string): Finding {
  const r = POLICY_RULES.find((x) => x.id === rule);
  if (!r) throw new Error(`no rule ${rule}`);
  return { rule, severity: r.severity, ...where, at, message, fix };
}

/** A hand-written object of the host cluster. */
function handWritten(apiVersion: string, kind: string, name: string, rest: Json, namespace?: string): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...rest } as KubeObject;
}

const HOST_DEPLOYMENT = 'host/Deployment/storefront/api';

/** The api container of the host's Deployment, as an init container (no probes or ports) with another name and image. */
function initContainer(name: string, image: string): Json {
  const spec = ((ESTATE[indexOf(ESTATE, HOST_DEPLOYMENT)].object.spec as Json).template as Json).spec as Json;
  const c: Json = { ...structuredClone((spec.containers as Json[])[0]), name, image };
  delete c.readinessProbe;
  delete c.livenessProbe;
  delete c.ports;
  return c;
}

interface Case {
  readonly rule: string;
  readonly what: string;
  readonly plants: readonly Plant[];
  readonly expected: readonly Finding[];
}

const CASES: readonly Case[] = [
  // pod-security-restricted
  {
    rule: 'pod-security-restricted',
    what: 'a privileged container',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/securityContext/privileged`, true))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/privileged`, 'container api is privileged', 'remove privileged: true')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container that does not drop ALL capabilities',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/securityContext/capabilities/drop`, ['NET_RAW']))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/capabilities/drop`, 'container api does not drop all capabilities', 'set capabilities: { drop: ["ALL"] }')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container that adds a capability other than NET_BIND_SERVICE',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/securityContext/capabilities/add`, ['NET_BIND_SERVICE', 'SYS_ADMIN']))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/capabilities/add`, 'container api adds capabilities SYS_ADMIN', 'add no capability other than NET_BIND_SERVICE')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container running as user 0',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/securityContext/runAsUser`, 0))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/runAsUser`, 'container api runs as user 0', 'run as a non-zero user id')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a pod running as user 0',
    // The container names no user of its own (the fixture's images declare user 1000, written on the container).
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/securityContext/runAsUser`), set(`${POD}/securityContext/runAsUser`, 0))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/runAsUser`, 'container api runs as user 0', 'run as a non-zero user id')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container that may run as root (runAsNonRoot nowhere)',
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/securityContext/runAsNonRoot`), remove(`${POD}/securityContext/runAsNonRoot`))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/runAsNonRoot`, 'container api may run as root', 'set runAsNonRoot: true on the container or the pod')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container that sets runAsNonRoot: false over the pod\'s true',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/securityContext/runAsNonRoot`, false))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/runAsNonRoot`, 'container api may run as root', 'set runAsNonRoot: true on the container or the pod')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container that may escalate privileges',
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/securityContext/allowPrivilegeEscalation`))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/allowPrivilegeEscalation`, 'container api may escalate privileges', 'set allowPrivilegeEscalation: false')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container without a seccomp profile',
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/securityContext/seccompProfile`), remove(`${POD}/securityContext/seccompProfile`))],
    expected: [finding('pod-security-restricted', API, `${C0}/securityContext/seccompProfile`, 'container api has no RuntimeDefault or Localhost seccomp profile', 'set seccompProfile: { type: RuntimeDefault } on the pod')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a hostPath volume',
    plants: [edit(HOST_DEPLOYMENT, set(`${POD}/volumes/-`, { name: 'docker', hostPath: { path: '/var/run/docker.sock' } }))],
    expected: [finding('pod-security-restricted', API, `${POD}/volumes/1`, 'the pod mounts a folder of the node (hostPath)', 'use a PersistentVolumeClaim, a ConfigMap or an emptyDir')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a pod on the node\'s network',
    plants: [edit(HOST_DEPLOYMENT, set(`${POD}/hostNetwork`, true))],
    expected: [finding('pod-security-restricted', API, `${POD}/hostNetwork`, 'the pod shares the node\'s Network namespace', 'remove hostNetwork')],
  },
  {
    rule: 'pod-security-restricted',
    what: 'a container that takes a port of the node',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/ports/0/hostPort`, 8080))],
    expected: [finding('pod-security-restricted', API, `${C0}/ports/0/hostPort`, 'container api takes port 8080 of the node', 'remove hostPort; expose the port with a Service')],
  },
  // read-only-root
  {
    rule: 'read-only-root',
    what: 'a container with a writable root file system',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/securityContext/readOnlyRootFilesystem`, false))],
    expected: [finding('read-only-root', API, `${C0}/securityContext/readOnlyRootFilesystem`, 'container api can write to its root file system', 'set readOnlyRootFilesystem: true and mount an emptyDir where it writes')],
  },
  // resources
  {
    rule: 'resources',
    what: 'a container without limits',
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/resources/limits`))],
    expected: [finding('resources', API, `${C0}/resources/limits`, 'container api has no limits for cpu and memory', 'set resources.limits.cpu and memory')],
  },
  {
    rule: 'resources',
    what: 'a container without a memory request',
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/resources/requests/memory`))],
    expected: [finding('resources', API, `${C0}/resources/requests`, 'container api has no requests for memory', 'set resources.requests.memory')],
  },
  // probes
  {
    rule: 'probes',
    what: 'a main container without probes',
    plants: [edit(HOST_DEPLOYMENT, remove(`${C0}/readinessProbe`), remove(`${C0}/livenessProbe`))],
    expected: [finding('probes', API, C0, 'container api has no readinessProbe and livenessProbe', 'give the service readiness and liveness probes')],
  },
  // image-registry, image-pinned
  {
    rule: 'image-registry',
    what: 'an image without a registry',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/image`, 'shop/api:1.0.0'))],
    expected: [
      finding('image-registry', API, `${C0}/image`, 'container api\'s image shop/api:1.0.0 names no registry, so it comes from wherever the node\'s runtime defaults to', 'name the registry, e.g. harbor.example.com/team/app:1.2.3'),
    ],
  },
  {
    rule: 'image-pinned',
    what: 'an image tagged latest',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/image`, 'harbor.example.com/shop/api:latest'))],
    expected: [finding('image-pinned', API, `${C0}/image`, 'container api\'s image harbor.example.com/shop/api:latest is not pinned (no tag, or latest)', 'pin a version tag or a digest')],
  },
  {
    rule: 'image-pinned',
    what: 'an image without a tag, in an init container',
    plants: [edit(HOST_DEPLOYMENT, set(`${POD}/initContainers`, [initContainer('migrate', 'harbor.example.com/shop/migrate')]))],
    expected: [finding('image-pinned', API, `${POD}/initContainers/0/image`, 'container migrate\'s image harbor.example.com/shop/migrate is not pinned (no tag, or latest)', 'pin a version tag or a digest')],
  },
  // tenancy-quota, tenancy-default-deny
  {
    rule: 'tenancy-quota',
    what: 'a tenant namespace without a ResourceQuota',
    plants: [drop('host/ResourceQuota/storefront/project-quota')],
    expected: [finding('tenancy-quota', STOREFRONT, '', 'namespace storefront has no ResourceQuota', 'give the project a quota')],
  },
  {
    rule: 'tenancy-quota',
    what: 'a tenant namespace without a LimitRange',
    plants: [drop('host/LimitRange/storefront/project-limits')],
    expected: [finding('tenancy-quota', STOREFRONT, '', 'namespace storefront has no LimitRange', 'give the namespace a LimitRange with default requests and limits')],
  },
  {
    rule: 'tenancy-default-deny',
    what: 'a tenant namespace without a default-deny NetworkPolicy',
    plants: [drop('host/NetworkPolicy/storefront/default-deny')],
    expected: [finding('tenancy-default-deny', STOREFRONT, '', 'namespace storefront has no default-deny NetworkPolicy', 'add a NetworkPolicy selecting every pod with policyTypes Ingress and Egress and no rules')],
  },
  {
    rule: 'tenancy-default-deny',
    what: 'a default-deny NetworkPolicy that denies ingress only',
    plants: [edit('host/NetworkPolicy/storefront/default-deny', set('/spec/policyTypes', ['Ingress']))],
    expected: [finding('tenancy-default-deny', STOREFRONT, '', 'namespace storefront has no default-deny NetworkPolicy', 'add a NetworkPolicy selecting every pod with policyTypes Ingress and Egress and no rules')],
  },
  // rbac-no-wildcard
  {
    rule: 'rbac-no-wildcard',
    what: 'a Role that grants "*"',
    plants: [add('host', handWritten('rbac.authorization.k8s.io/v1', 'Role', 'everything', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: ['*'], resources: ['*'], verbs: ['get'] }] }, 'storefront'))],
    expected: [
      finding('rbac-no-wildcard', { cluster: 'host', object: 'rbac.authorization.k8s.io/v1 Role storefront/everything', source: '-' }, '/rules/1/resources', 'the role grants "*" in resources', 'list the resources the role needs'),
      finding('rbac-no-wildcard', { cluster: 'host', object: 'rbac.authorization.k8s.io/v1 Role storefront/everything', source: '-' }, '/rules/1/apiGroups', 'the role grants "*" in apiGroups', 'list the apiGroups the role needs'),
    ],
  },
  {
    rule: 'rbac-no-wildcard',
    what: 'a KubeSphere GlobalRole that grants every verb',
    plants: [add('host', handWritten('iam.kubesphere.io/v1beta1', 'GlobalRole', 'ops', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] }))],
    expected: [finding('rbac-no-wildcard', { cluster: 'host', object: 'iam.kubesphere.io/v1beta1 GlobalRole ops', source: '-' }, '/rules/0/verbs', 'the role grants "*" in verbs', 'list the verbs the role needs')],
  },
  // rbac-no-cross-tenant
  {
    rule: 'rbac-no-cross-tenant',
    what: 'a project binding of another tenant\'s department',
    plants: [edit('host/RoleBinding/storefront/shop-backend-operator', set('/subjects/0/name', 'billing-finance'))],
    expected: [
      finding('rbac-no-cross-tenant', OPERATOR_BINDING, '/subjects/0', 'group billing-finance of tenant billing is bound in tenant shop', 'bind departments of tenant shop only, or grant across tenants explicitly in the owning tenant\'s code'),
    ],
  },
  {
    rule: 'rbac-no-cross-tenant',
    what: 'a workspace binding of another tenant\'s department',
    plants: [edit('host/WorkspaceRoleBinding/-/shop-backend-shop-viewer', set('/subjects/-', { apiGroup: 'iam.kubesphere.io', kind: 'Group', name: 'billing-finance' }))],
    expected: [
      finding('rbac-no-cross-tenant', VIEWER_BINDING, '/subjects/1', 'group billing-finance of tenant billing is bound in tenant shop', 'bind departments of tenant shop only, or grant across tenants explicitly in the owning tenant\'s code'),
    ],
  },
  // rbac-no-cluster-binding
  {
    rule: 'rbac-no-cluster-binding',
    what: 'a ClusterRoleBinding to a group',
    plants: [
      add(
        'host',
        handWritten('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'backend-view', {
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'shop-backend' }],
        }),
      ),
    ],
    expected: [
      finding('rbac-no-cluster-binding', { cluster: 'host', object: 'rbac.authorization.k8s.io/v1 ClusterRoleBinding backend-view', source: '-' }, '/subjects', 'a ClusterRoleBinding gives users or groups rights in every namespace', 'bind a Role in the tenant\'s namespaces (project grants) or a workspace role instead'),
    ],
  },
  // secrets-no-inline
  {
    rule: 'secrets-no-inline',
    what: 'a Secret with data',
    plants: [add('host', handWritten('v1', 'Secret', 'db', { data: { password: 'aHVudGVyMg==' } }, 'storefront'), true)],
    expected: [finding('secrets-no-inline', { cluster: 'host', object: 'v1 Secret storefront/db', source: '-' }, '/data', 'the Secret carries its values in the manifest', 'let an ExternalSecret create it from a secret store, or have an operator create it')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'a Secret with stringData',
    plants: [add('host', handWritten('v1', 'Secret', 'db', { stringData: { password: 'hunter2' } }, 'storefront'), true)],
    expected: [finding('secrets-no-inline', { cluster: 'host', object: 'v1 Secret storefront/db', source: '-' }, '/stringData', 'the Secret carries its values in the manifest', 'let an ExternalSecret create it from a secret store, or have an operator create it')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'a literal DB_PASSWORD variable',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/env`, [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_PASSWORD', value: 'hunter2' }]))],
    expected: [finding('secrets-no-inline', API, `${C0}/env/1/value`, 'variable DB_PASSWORD of container api holds a value withheld here: it looks like a literal value under a name like a secret\'s (rule secret-name)', 'read it from a Secret (secretKeyRef) filled from a secret store')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'a password in a container\'s arguments',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/args`, ['--db-user', 'app', '--db-password', 'hunter2']))],
    expected: [finding('secrets-no-inline', API, `${C0}/args`, 'the arguments of container api holds a value withheld here: it looks like a password on a command line (rule command-password)', 'pass the secret in a variable read from a Secret and refer to it as $(VAR)')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'a GitHub token in a probe command',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/readinessProbe`, { exec: { command: ['sh', '-c', `curl -H "X-Token: ghp_${'a1'.repeat(18)}" localhost`] } }))],
    expected: [finding('secrets-no-inline', API, `${C0}/readinessProbe/exec/command`, 'the readinessProbe command of container api holds a value withheld here: it looks like a GitHub personal access token (rule github-pat)', 'read the secret in the command from a variable filled from a Secret')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'a bearer token in a probe header',
    plants: [edit(HOST_DEPLOYMENT, set(`${C0}/livenessProbe`, { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Authorization', value: 'Bearer abcdef0123456789abcdef' }] } }))],
    expected: [finding('secrets-no-inline', API, `${C0}/livenessProbe/httpGet/httpHeaders/0/value`, 'a header of the livenessProbe of container api holds a value withheld here: it looks like an Authorization header with a credential (rule authorization-header)', 'probe an endpoint that needs no credentials')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'a password line in a ConfigMap file',
    plants: [add('host', handWritten('v1', 'ConfigMap', 'app-config', { data: { 'application.properties': 'server.port=8080\nspring.datasource.password=hunter2\n' } }, 'storefront'))],
    expected: [finding('secrets-no-inline', { cluster: 'host', object: 'v1 ConfigMap storefront/app-config', source: '-' }, '/data/application.properties', 'entry application.properties of the ConfigMap holds a value withheld here: it looks like a secret assigned in text (rule secret-assignment)', 'read the value from a Secret filled from a secret store, and keep secrets out of configuration files')],
  },
  {
    rule: 'secrets-no-inline',
    what: 'an AWS access key id in an annotation',
    plants: [edit(HOST_DEPLOYMENT, set('/metadata/annotations/example.com~1note', 'deployed with AKIAIOSFODNN7EXAMPLE'))],
    expected: [finding('secrets-no-inline', API, '/metadata/annotations/example.com~1note', 'annotation example.com/note holds a value withheld here: it looks like an AWS access key id (rule aws-access-key-id)', 'keep secrets out of annotations')],
  },
  // secrets-one-owner
  {
    rule: 'secrets-one-owner',
    what: 'an ExternalSecret that writes the Secret of the service\'s Certificate',
    plants: [add('host', handWritten('external-secrets.io/v1', 'ExternalSecret', 'api-tls', { spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'tls' }, target: { name: 'api-tls', creationPolicy: 'Owner' }, data: [] } }, 'storefront'))],
    expected: [
      finding('secrets-one-owner', { cluster: 'host', object: 'external-secrets.io/v1 ExternalSecret storefront/api-tls', source: '-' }, '/spec/target/name', 'Secret api-tls is created by cert-manager.io/v1 Certificate storefront/api-tls already, and two controllers would overwrite each other\'s data', 'give each ExternalSecret and Certificate its own Secret name (rename the secret store or the service)'),
    ],
  },
  // exposure-unique-host
  {
    rule: 'exposure-unique-host',
    what: 'the same host in two tenants',
    plants: [edit('host/Ingress/ledger/books', set('/spec/rules/0/host', 'api.example.com'), set('/spec/rules/0/http/paths/0/path', '/books'), set('/spec/tls/0/hosts/0', 'api.example.com'))],
    expected: [
      finding(
        'exposure-unique-host',
        API_INGRESS,
        '/spec/rules/0/host',
        'host api.example.com is claimed by tenant billing already (networking.k8s.io/v1 Ingress ledger/books)',
        'give each tenant its own hosts',
      ),
    ],
  },
  {
    rule: 'exposure-unique-host',
    what: 'the same host and path in two Ingresses',
    plants: [copy('host/Ingress/storefront/api', 'api-copy')],
    expected: [
      finding('exposure-unique-host', { ...API_INGRESS, object: 'networking.k8s.io/v1 Ingress storefront/api-copy' }, '/spec/rules/0/http/paths/0', 'api.example.com/ is routed by networking.k8s.io/v1 Ingress storefront/api already', 'give each route its own host or path'),
    ],
  },
  // exposure-tls
  {
    rule: 'exposure-tls',
    what: 'an Ingress without TLS',
    plants: [edit('host/Ingress/storefront/api', remove('/spec/tls'))],
    expected: [finding('exposure-tls', API_INGRESS, '/spec/rules/0/host', 'host api.example.com is served over plain HTTP', 'give the exposure or the environment tls')],
  },
  // exposure-source-ranges
  {
    rule: 'exposure-source-ranges',
    what: 'a production Service turned into a LoadBalancer open to every address',
    plants: [edit('host/Service/storefront/api', set('/spec/type', 'LoadBalancer'), set('/spec/loadBalancerSourceRanges', ['10.0.0.0/8', '0.0.0.0/0']))],
    expected: [finding('exposure-source-ranges', { ...API, object: 'v1 Service storefront/api' }, '/spec/loadBalancerSourceRanges', 'the LoadBalancer Service admits every address in production (0.0.0.0/0)', 'list the networks that call it, or waive with a reason')],
  },
  // production-replicas, production-disruption-budget, production-spread
  {
    rule: 'production-replicas',
    what: 'a production Deployment with 1 replica',
    plants: [edit(HOST_DEPLOYMENT, set('/spec/replicas', 1))],
    expected: [finding('production-replicas', API, '/spec/replicas', 'the Deployment runs 1 replica in production', 'run at least 2 replicas, or waive with a reason')],
  },
  {
    rule: 'production-replicas',
    what: 'a production Deployment that autoscales from 1',
    plants: [edit('host/HorizontalPodAutoscaler/storefront/web', set('/spec/minReplicas', 1))],
    expected: [
      finding('production-replicas', { ...API, object: 'apps/v1 Deployment storefront/web', source: 'acme/shop/storefront/web' }, '/spec', 'the Deployment runs 1 replica at the autoscaler\'s minimum in production', 'run at least 2 replicas, or waive with a reason'),
    ],
  },
  {
    rule: 'production-disruption-budget',
    what: 'a production Deployment without a PodDisruptionBudget',
    plants: [drop('host/PodDisruptionBudget/storefront/api')],
    expected: [finding('production-disruption-budget', API, '', 'no PodDisruptionBudget selects the Deployment\'s pods in production', 'give the service a disruption budget, or waive with a reason')],
  },
  {
    rule: 'production-spread',
    what: 'a production Deployment that does not spread its pods',
    plants: [edit(HOST_DEPLOYMENT, remove(`${POD}/topologySpreadConstraints`))],
    expected: [finding('production-spread', API, `${POD}/topologySpreadConstraints`, 'the pods are not spread over nodes and zones in production', 'spread the service, or waive with a reason')],
  },
  {
    rule: 'production-spread',
    what: 'a production Deployment spread over nodes only',
    plants: [edit(HOST_DEPLOYMENT, remove(`${POD}/topologySpreadConstraints/1`))],
    expected: [finding('production-spread', API, `${POD}/topologySpreadConstraints`, 'the pods are not spread over zones in production', 'spread the service, or waive with a reason')],
  },
];

describe('the policy rules', () => {
  it('are the ones docs/checks.md lists, with their severity and profile', () => {
    expect(POLICY_RULES.map((r) => `${r.id} ${r.severity} ${r.profile}`)).toEqual([
      'pod-security-restricted error baseline',
      'read-only-root warning baseline',
      'resources error baseline',
      'probes warning baseline',
      'image-registry error baseline',
      'image-pinned error baseline',
      'tenancy-quota error baseline',
      'tenancy-default-deny error baseline',
      'rbac-no-wildcard error baseline',
      'rbac-no-cross-tenant error baseline',
      'rbac-no-cluster-binding error baseline',
      'secrets-no-inline error baseline',
      'secrets-one-owner error baseline',
      'exposure-unique-host error baseline',
      'exposure-tls warning baseline',
      'exposure-source-ranges error production',
      'production-replicas error production',
      'production-disruption-budget error production',
      'production-spread error production',
    ]);
  });

  it('find nothing in the estate as the model writes it', () => {
    expect(ESTATE.length).toBeGreaterThan(40);
    expect(findings()).toEqual([]);
  });

  it('each have a case below that makes them fail', () => {
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual(POLICY_RULES.map((r) => r.id).sort());
  });

  it.each(CASES)('$rule fails on $what, naming the cluster, object, construct path, place, problem and fix', ({ plants, expected }) => {
    expect(findings(...plants)).toEqual(expected);
  });
});

describe('pod security', () => {
  it('accepts a seccomp profile set on the container only, and NET_BIND_SERVICE', () => {
    expect(
      findings(edit(HOST_DEPLOYMENT, remove(`${POD}/securityContext/seccompProfile`), set(`${C0}/securityContext/seccompProfile`, { type: 'Localhost', localhostProfile: 'api.json' }), set(`${C0}/securityContext/capabilities/add`, ['NET_BIND_SERVICE']))),
    ).toEqual([]);
  });

  it('checks every workload kind, at the pointer of its pod template', () => {
    const deployment = ESTATE[indexOf(ESTATE, HOST_DEPLOYMENT)].object;
    const template = structuredClone((deployment.spec as Json).template as Json);
    ((template.spec as Json).containers as Json[])[0] = { ...((template.spec as Json).containers as Json[])[0] as Json, image: 'nginx:1.27' };
    const cronJob = handWritten('batch/v1', 'CronJob', 'report', { spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } }, 'storefront');
    const pod = handWritten('v1', 'Pod', 'debug', { spec: template.spec }, 'storefront');

    expect(findings(add('host', cronJob), add('host', pod)).map((f) => `${f.object} ${f.rule} ${f.at}`)).toEqual([
      'batch/v1 CronJob storefront/report image-registry /spec/jobTemplate/spec/template/spec/containers/0/image',
      'v1 Pod storefront/debug image-registry /spec/containers/0/image',
    ]);
  });

  it('asks probes only of the main container of long-running workloads', () => {
    const job = handWritten('batch/v1', 'Job', 'migrate', { spec: { template: structuredClone((ESTATE[indexOf(ESTATE, HOST_DEPLOYMENT)].object.spec as Json).template) } }, 'storefront');
    const noProbes: Change = (o) => {
      const c = ((((o.spec as Json).template as Json).spec as Json).containers as Json[])[0];
      delete c.readinessProbe;
      delete c.livenessProbe;
    };
    noProbes(job);
    expect(findings(add('host', job))).toEqual([]);
  });
});

describe('images', () => {
  it.each([
    ['harbor.example.com/shop/api:1.0.0', true],
    ['localhost/api:1', true],
    ['registry:5000/api:1', true],
    ['docker.io/library/nginx:1.27', true],
    ['shop/api:1.0.0', false],
    ['nginx:1.27', false],
    ['nginx', false],
  ])('%s names a registry: %s', (image, expected) => {
    expect(imageHasRegistry(image)).toBe(expected);
  });

  it.each([
    ['harbor.example.com/shop/api:1.0.0', true],
    ['harbor.example.com/shop/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', true],
    ['registry:5000/api:1.0', true],
    ['registry:5000/api', false],
    ['harbor.example.com/shop/api:latest', false],
    ['harbor.example.com/shop/api', false],
  ])('%s is pinned: %s', (image, expected) => {
    expect(imagePinned(image)).toBe(expected);
  });
});

describe('tenancy and RBAC', () => {
  it('accepts a default-deny NetworkPolicy written with empty rule lists', () => {
    expect(findings(edit('host/NetworkPolicy/storefront/default-deny', set('/spec/ingress', []), set('/spec/egress', [])))).toEqual([]);
  });

  it('asks quotas and default-deny of tenant namespaces only', () => {
    const system = handWritten('v1', 'Namespace', 'monitoring', { metadata: { name: 'monitoring', labels: { 'app.kubernetes.io/managed-by': 'helm' } } });
    expect(findings(add('host', system))).toEqual([]);
  });

  it('accepts a ClusterRoleBinding to a ServiceAccount', () => {
    const binding = handWritten('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'operator', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'operator' },
      subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: 'operators' }],
    });
    expect(findings(add('host', binding))).toEqual([]);
  });

  it('accepts a variable read from a Secret, whatever its name', () => {
    expect(findings(edit(HOST_DEPLOYMENT, set(`${C0}/env`, [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }])))).toEqual([]);
  });

  it('checks each cluster on its own: a host of one tenant on host may belong to another on member-test', () => {
    const ingress = structuredClone(ESTATE[indexOf(ESTATE, 'host/Ingress/ledger/books')].object);
    ingress.metadata.namespace = 'storefront';
    ingress.metadata.labels = { ...ingress.metadata.labels, 'platform-cdk.io/tenant': 'shop' };
    expect(findings(add('member-test', ingress)).filter((f) => f.rule === 'exposure-unique-host')).toEqual([]);
  });
});

describe('the production profile', () => {
  it('applies only to the objects of production environments: test runs 1 replica without budget or spread', () => {
    const test = ESTATE[indexOf(ESTATE, 'member-test/Deployment/storefront/api')];
    expect(test.production).toBe(false);
    expect((test.object.spec as Json).replicas).toBe(1);
    expect(ESTATE.some((c) => keyOf(c) === 'member-test/PodDisruptionBudget/storefront/api')).toBe(false);
    expect(findings()).toEqual([]);
  });

  it('applies its rules when the same object belongs to a production environment', () => {
    const asProduction: Plant = (objects) => {
      const i = indexOf(objects, 'member-test/Deployment/storefront/api');
      objects[i] = { ...objects[i], production: true };
    };
    expect(findings(asProduction)).toEqual([
      finding('production-replicas', API_TEST, '/spec/replicas', 'the Deployment runs 1 replica in production', 'run at least 2 replicas, or waive with a reason'),
      finding('production-disruption-budget', API_TEST, '', 'no PodDisruptionBudget selects the Deployment\'s pods in production', 'give the service a disruption budget, or waive with a reason'),
      finding('production-spread', API_TEST, `${POD}/topologySpreadConstraints`, 'the pods are not spread over nodes and zones in production', 'spread the service, or waive with a reason'),
    ]);
  });

  it('accepts pod anti-affinity over a topology in place of a spread constraint over it', () => {
    const term = (topologyKey: string): Json => ({ labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } }, topologyKey });
    const required = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname')] } };
    const preferred = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('topology.kubernetes.io/zone') }] } };
    expect(findings(edit(HOST_DEPLOYMENT, remove(`${POD}/topologySpreadConstraints/0`), set(`${POD}/affinity`, required)))).toEqual([]);
    expect(findings(edit(HOST_DEPLOYMENT, remove(`${POD}/topologySpreadConstraints/1`), set(`${POD}/affinity`, preferred)))).toEqual([]);
  });

  it('does not take anti-affinity over nodes for a spread over zones', () => {
    const required = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    expect(findings(edit(HOST_DEPLOYMENT, remove(`${POD}/topologySpreadConstraints`), set(`${POD}/affinity`, required)))).toEqual([
      finding('production-spread', API, `${POD}/topologySpreadConstraints`, 'the pods are not spread over zones in production', 'spread the service, or waive with a reason'),
    ]);
  });
});

describe('waivers', () => {
  const waiver = (rule: string, reason: string): Change => set(`/metadata/annotations/${(WAIVER_PREFIX + rule).replace(/\//g, '~1')}`, reason);

  it('list an annotated object\'s finding with the reason, and it does not count as an error', () => {
    const found = findings(edit(HOST_DEPLOYMENT, set('/spec/replicas', 1), waiver('production-replicas', 'singleton: holds a lease')));
    expect(found).toEqual([{ ...finding('production-replicas', API, '/spec/replicas', 'the Deployment runs 1 replica in production', 'run at least 2 replicas, or waive with a reason'), waived: 'singleton: holds a lease' }]);
    expect(hasErrors(found)).toBe(false);
  });

  it('written by the model from a service\'s waivers are honoured', () => {
    const f = fixture();
    addService(f, 'leader', { perEnvironment: { production: { replicas: 1 } }, waivers: { replicas: 'one leader at a time' } });
    const found = checkPolicies(checkedObjects(f.platform, new ManifestStack(f.platform).render()));
    expect(found).toEqual([
      {
        ...finding('production-replicas', { cluster: 'host', object: 'apps/v1 Deployment storefront/leader', source: 'acme/shop/storefront/leader' }, '/spec/replicas', 'the Deployment runs 1 replica in production', 'run at least 2 replicas, or waive with a reason'),
        waived: 'one leader at a time',
      },
    ]);
    expect(hasErrors(found)).toBe(false);
  });

  it('waive only the rule they name, on the object they annotate', () => {
    const found = findings(edit(HOST_DEPLOYMENT, set('/spec/replicas', 1), remove(`${POD}/topologySpreadConstraints`), waiver('production-replicas', 'singleton')), edit('member-test/Deployment/storefront/api', set(`${C0}/image`, 'shop/api:1.0.0')));
    expect(found.map((f) => `${f.cluster} ${f.rule} ${f.waived ?? '-'}`)).toEqual(['host production-replicas singleton', 'host production-spread -', 'member-test image-registry -']);
    expect(hasErrors(found)).toBe(true);
  });

  it('without a reason are an error, and waive nothing', () => {
    const found = findings(edit(HOST_DEPLOYMENT, set('/spec/replicas', 1), waiver('production-replicas', '  ')));
    expect(found).toEqual([
      { rule: 'waiver', severity: 'error', ...API, at: '/metadata/annotations/waiver.platform-cdk.io~1production-replicas', message: 'the waiver of production-replicas gives no reason', fix: 'say why the rule is relaxed for this object' },
      finding('production-replicas', API, '/spec/replicas', 'the Deployment runs 1 replica in production', 'run at least 2 replicas, or waive with a reason'),
    ]);
    expect(hasErrors(found)).toBe(true);
  });

  it('of a rule that does not exist are an error that names the rules', () => {
    const found = findings(edit(HOST_DEPLOYMENT, waiver('production-replica', 'typo')));
    expect(found).toEqual([
      {
        rule: 'waiver',
        severity: 'error',
        ...API,
        at: '/metadata/annotations/waiver.platform-cdk.io~1production-replica',
        message: 'no policy rule has the id production-replica',
        fix: `name one of the rules: ${POLICY_RULES.map((r) => r.id).join(', ')}`,
      },
    ]);
  });
});
