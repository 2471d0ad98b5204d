import { ClusterRole, ManifestStack, Platform, Probe, Registry, validatePlatform, ValidationError } from 'platform-cdk';
import { addService, fixture, synthObjects, validationErrors } from '../fixture';

const DNS_LABEL = 'a name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';

describe('validation', () => {
  describe('names', () => {
    it('reports a cluster name that is not a DNS label', () => {
      const f = fixture();
      f.platform.addCluster('Prod_East', { role: ClusterRole.MEMBER });

      expect(validationErrors(f.platform)).toEqual([
        `[acme/Clusters/Prod_East] name: got "Prod_East"; ${DNS_LABEL}. Fix: name the cluster like "prod-east" or "member-1".`,
      ]);
    });

    it('reports a tenant name that is not a DNS label', () => {
      const f = fixture();
      f.platform.addTenant('Billing', { manager: 'bob' }).addProject('ledger', { environments: ['test'] });

      expect(validationErrors(f.platform)).toEqual([
        `[acme/Billing] name: got "Billing"; ${DNS_LABEL}. Fix: name the tenant after its business domain, e.g. "payments".`,
      ]);
    });

    it('reports a tenant manager that is not a KubeSphere user name', () => {
      const f = fixture();
      f.platform.addTenant('billing', { manager: 'Alice Smith' }).addProject('ledger', { environments: ['test'] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/billing] manager: got "Alice Smith"; a manager is a KubeSphere user name: a user name must be lowercase DNS labels (letters, digits, "-") joined by dots. Fix: name an existing user, e.g. "alice".',
      ]);
    });

    it('reports a project namespace that is not a DNS label', () => {
      const f = fixture();
      f.tenant.addProject('orders', { environments: ['test'], namespace: 'Orders_NS' });

      expect(validationErrors(f.platform)).toEqual([
        `[acme/shop/orders] namespace: got "Orders_NS"; ${DNS_LABEL}. Fix: name the project like "storefront" or set \`namespace\`.`,
      ]);
    });

    it('reports a service name that starts with a digit (DNS-1035)', () => {
      const f = fixture();
      addService(f, '9lives');

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/9lives] name: got "9lives"; a service name must start with a lowercase letter (DNS-1035). Fix: name the service like "web" or "order-api".',
      ]);
    });

    it('reports an environment namespaceSuffix with uppercase letters', () => {
      const f = fixture();
      f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-Staging' });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/Environments/staging] namespaceSuffix: got "-Staging"; a namespace suffix must be lowercase letters, digits and "-", and not end with "-". Fix: use a suffix like "-test".',
      ]);
    });
  });

  describe('uniqueness', () => {
    it('reports two services of a project with different ids and the same name', () => {
      const f = fixture();
      addService(f, 'web');
      addService(f, 'web-v2', { name: 'web' });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web-v2] name: got "web"; the service acme/shop/storefront/web in the same project has this name already. Fix: give each service of a project its own name.',
      ]);
    });

    it('reports two tenants whose projects of the same name land on one cluster', () => {
      const f = fixture();
      f.platform.addTenant('billing', { manager: 'bob' }).addProject('storefront', { environments: ['test'] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront] namespace: got "storefront"; on cluster member-test, acme/billing/storefront (environment test) has this namespace already (environment test). Fix: give one of the projects another name or `namespace`.',
      ]);
    });

    it('reports two environments that share a cluster without a namespaceSuffix', () => {
      const f = fixture();
      f.platform.addEnvironment('staging', { clusters: [f.member], domain: 'staging.example.com' });
      f.project.placeIn('staging');

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront] namespace: got "storefront"; on cluster member-test, acme/shop/storefront (environment staging) has this namespace already (environment test). Fix: give the environments that share cluster member-test different namespaceSuffix values, or place them on different clusters.',
      ]);
    });

    it('reports one host and path claimed by two services on a cluster', () => {
      const f = fixture();
      addService(f, 'web').expose({ subdomain: 'shop' });
      addService(f, 'api').expose({ subdomain: 'shop' });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/api] expose: got "shop.example.com/"; on cluster host, acme/shop/storefront/web (in namespace storefront) is exposed at this host and path already. Fix: give each exposure its own subdomain, host or path.',
        '[acme/shop/storefront/api] expose: got "shop.test.example.com/"; on cluster member-test, acme/shop/storefront/web (in namespace storefront) is exposed at this host and path already. Fix: give each exposure its own subdomain, host or path.',
      ]);
    });

    it('accepts two services at one host on different paths', () => {
      const f = fixture();
      addService(f, 'web').expose({ subdomain: 'shop' });
      addService(f, 'api').expose({ subdomain: 'shop', path: '/api' });

      expect(validatePlatform(f.platform)).toEqual([]);
    });
  });

  describe('references', () => {
    it('reports a project environment named that does not exist', () => {
      const f = fixture();
      f.tenant.addProject('orders', { environments: ['staging'] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/orders] environments[0]: got "staging"; no environment of the platform has this name (environments: test, production). Fix: name an environment added with platform.addEnvironment(), or add it.',
      ]);
    });

    it('reports a perEnvironment key that names no environment', () => {
      const f = fixture();
      addService(f, 'web', { perEnvironment: { prod: { replicas: 3 } } });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] perEnvironment["prod"]: got "prod"; no environment of the platform has this name (environments: test, production). Fix: name an environment of the platform.',
      ]);
    });

    it('reports a perEnvironment override for an environment the project is not placed in', () => {
      const f = fixture();
      f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging' });
      addService(f, 'web', { perEnvironment: { staging: { replicas: 3 } } });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] perEnvironment["staging"]: got "staging"; the project storefront is not placed in this environment (it is in: test, production). Fix: place the project in the environment, or remove the override.',
      ]);
    });

    it('reports an expose environment that names no environment of the project', () => {
      const f = fixture();
      addService(f, 'web').expose({ environments: ['prod'] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] expose[0].environments[0]: got "prod"; no environment of the platform has this name (environments: test, production). Fix: name an environment of the platform.',
      ]);
    });

    it('reports an environment cluster named that does not exist', () => {
      const f = fixture();
      f.platform.addEnvironment('staging', { clusters: ['member-staging'] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/Environments/staging] clusters[0]: got "member-staging"; no cluster of the platform has this name (clusters: host, member-test). Fix: name a cluster added with platform.addCluster(), or add it.',
      ]);
    });

    it('reports a probe on a port the service does not have', () => {
      const f = fixture();
      addService(f, 'web', { readiness: Probe.http('/ready', { port: 'admin' }), liveness: Probe.tcp({ port: 9999 }) });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] liveness.port: got 9999; the service has no port of this name or container port (ports: http=8080). Fix: name one of the service\'s ports.',
        '[acme/shop/storefront/web] readiness.port: got "admin"; the service has no port of this name or container port (ports: http=8080). Fix: name one of the service\'s ports.',
      ]);
    });

    it('reports an exposure of a port the service does not have', () => {
      const f = fixture();
      addService(f, 'web').expose({ port: 'admin' });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] expose[0].port: got "admin"; the service has no port of this name or number (ports: http=8080). Fix: name one of the service\'s ports.',
      ]);
    });
  });

  describe('ports', () => {
    it('reports port 0', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 0 }] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] ports[0].port: got 0; a port must be a whole number between 1 and 65535. Fix: choose a port between 1 and 65535.',
      ]);
    });

    it('reports port 70000', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 8080 }, { port: 70000 }] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] ports[1].port: got 70000; a port must be a whole number between 1 and 65535. Fix: choose a port between 1 and 65535.',
      ]);
    });

    it('reports a container port out of range', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 80, containerPort: 65536 }] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] ports[0].containerPort: got 65536; a port must be a whole number between 1 and 65535. Fix: choose a port between 1 and 65535.',
      ]);
    });

    it('reports a port declared twice', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 8080 }, { port: 8080 }] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] ports[1].port: got 8080; ports[0] declares this port already. Fix: declare each port once.',
      ]);
    });

    it('reports two ports with one name', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 8080, name: 'web' }, { port: 9090, name: 'web' }] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] ports[1].name: got "web"; ports[0] has this name already. Fix: give each port its own name.',
      ]);
    });

    it('reports two ports on one container port', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 80, containerPort: 8080 }, { port: 8080 }] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] ports[1].containerPort: got 8080; ports[0] uses this container port already. Fix: give each port its own container port.',
      ]);
    });
  });

  describe('clusters and environments', () => {
    it('reports an environment with no cluster', () => {
      const f = fixture();
      f.platform.addEnvironment('staging', { clusters: [] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/Environments/staging] clusters: got []; an environment must span at least one cluster. Fix: list the clusters of the environment in `clusters`.',
      ]);
    });

    it('reports a member cluster when the platform has no host', () => {
      const platform = new Platform('acme');
      const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER });
      const test = platform.addEnvironment('test', { clusters: [member] });
      platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: [test] });

      expect(validationErrors(platform)).toEqual([
        '[acme/Clusters/member-1] role: got "member"; a member cluster needs a host cluster in the platform to manage it, and there is none. Fix: add a cluster with role ClusterRole.HOST.',
      ]);
    });

    it('reports every host after the first when there are two', () => {
      const f = fixture();
      f.platform.addCluster('host-2', { role: ClusterRole.HOST });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/Clusters/host-2] role: got "host"; the platform has 2 host clusters (host, host-2), and KubeSphere manages members from exactly one. Fix: make one cluster the host and the others members.',
      ]);
    });

    it('reports a project placed in no environment', () => {
      const f = fixture();
      f.tenant.addProject('orders', { environments: [] });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/orders] environments: got []; a project must be placed in at least one environment. Fix: list its environments in `environments`.',
      ]);
    });

    it('reports a service exposed in an environment without a domain', () => {
      const f = fixture();
      f.platform.addEnvironment('dev', { clusters: [f.member], namespaceSuffix: '-dev' });
      f.project.placeIn('dev');
      addService(f, 'web').expose();

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] expose[0].hosts["dev"]: got nothing; the environment dev has no domain, so the service has no host there. Fix: set a domain on the environment dev or give the host in hosts.',
      ]);
    });

    it('accepts an exposure in an environment without a domain when the host is given', () => {
      const f = fixture();
      f.platform.addEnvironment('dev', { clusters: [f.member], namespaceSuffix: '-dev' });
      f.project.placeIn('dev');
      addService(f, 'web').expose({ hosts: { dev: 'web.dev.internal' } });

      expect(validatePlatform(f.platform)).toEqual([]);
    });
  });

  describe('images', () => {
    it('reports the tag "latest"', () => {
      const f = fixture();
      addService(f, 'web', { image: f.registry.image('shop/web', 'latest') });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] image.tag: got "latest"; "latest" moves, so the output would not say what runs. Fix: pin a version tag or a digest.',
      ]);
    });

    it('reports a registry that is a URL instead of a host name', () => {
      const f = fixture();
      addService(f, 'web', { image: Registry.at('https://harbor.example.com').image('shop/web', '1.0.0', { user: 1000 }) });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] image.registry: got "https://harbor.example.com"; a registry must be a host name with an optional port. Fix: use Registry.at("harbor.example.com") or Registry.at("registry.local:5000").',
      ]);
    });

    it('reports a malformed digest, under the perEnvironment image it was given in', () => {
      const f = fixture();
      addService(f, 'web', { perEnvironment: { production: { image: f.registry.image('shop/web', { digest: 'sha256:abc' }) } } });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] perEnvironment["production"].image.digest: got "sha256:abc"; a digest must be "sha256:" and 64 lowercase hex digits. Fix: copy the digest from the registry.',
      ]);
    });
  });

  describe('resources and env', () => {
    it('reports a memory request above the limit in every environment it applies to', () => {
      const f = fixture();
      addService(f, 'web', { resources: { memoryRequestMiB: 512 } });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] resources (in production).memoryRequestMiB: got 512; the memory request is above the memory limit of 256 MiB. Fix: lower the request or raise memoryLimitMiB.',
        '[acme/shop/storefront/web] resources (in test).memoryRequestMiB: got 512; the memory request is above the memory limit of 256 MiB. Fix: lower the request or raise memoryLimitMiB.',
      ]);
    });

    it('reports a CPU request above the limit that only a perEnvironment override causes', () => {
      const f = fixture();
      f.project.quotaIn('production', { cpuRequestMillis: 8000 });
      addService(f, 'web', { perEnvironment: { production: { resources: { cpuRequestMillis: 2000 } } } });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] resources (in production).cpuRequestMillis: got 2000; the CPU request is above the CPU limit of 500m. Fix: lower the request or raise cpuLimitMillis.',
      ]);
    });

    it('reports resources that are not positive whole numbers', () => {
      const f = fixture();
      addService(f, 'web', { resources: { cpuLimitMillis: 0 } });

      expect(validationErrors(f.platform)).toEqual(
        expect.arrayContaining([
          '[acme/shop/storefront/web] resources.cpuLimitMillis: got 0; resources must be positive whole numbers. Fix: set cpuLimitMillis to a whole number above 0.',
        ]),
      );
    });

    it('reports an environment variable name that starts with a digit', () => {
      const f = fixture();
      addService(f, 'web', { env: { '1ST_RUN': 'yes' } });

      expect(validationErrors(f.platform)).toEqual([
        '[acme/shop/storefront/web] env["1ST_RUN"]: got "1ST_RUN"; an environment variable name must be letters, digits, "_", "-" or ".", not starting with a digit. Fix: use a name like "LOG_LEVEL".',
      ]);
    });
  });

  describe('reporting', () => {
    it('reports every problem of a platform in one error, sorted by construct path', () => {
      const f = fixture();
      addService(f, 'web', { image: f.registry.image('shop/web', 'latest') });
      addService(f, 'api', { ports: [{ port: 0 }] });
      f.tenant.addProject('orders', { environments: ['nowhere'] });
      f.platform.addEnvironment('staging', { clusters: [] });
      f.platform.addCluster('Bad_Cluster', { role: ClusterRole.MEMBER });
      f.platform.addTenant('empty', { manager: 'bob' });

      let error: unknown;
      try {
        new ManifestStack(f.platform).files();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      const message = (error as ValidationError).message;
      expect(message.split('\n')[0]).toBe('The platform model has 5 errors; nothing was written.');

      const lines = validationErrors(f.platform);
      const errors = lines.filter((l) => !l.startsWith('warning: '));
      expect(errors).toHaveLength(5);
      expect(errors.map((l) => l.slice(0, l.indexOf(':')))).toEqual([
        '[acme/Clusters/Bad_Cluster] name',
        '[acme/Environments/staging] clusters',
        '[acme/shop/orders] environments[0]',
        '[acme/shop/storefront/api] ports[0].port',
        '[acme/shop/storefront/web] image.tag',
      ]);
      const paths = errors.map((l) => l.slice(1, l.indexOf(']')));
      expect(paths).toEqual([...paths].sort());
      // warnings come after the errors in the message
      expect(lines.slice(5)).toEqual([
        'warning: [acme/empty] projects: got []; the tenant has no project, so its workspace is placed on no cluster. Fix: add a project with tenant.addProject(), or remove the tenant.',
      ]);
      expect((error as ValidationError).problems.map((p) => p.severity)).toEqual(['error', 'error', 'error', 'error', 'error', 'warning']);
    });

    it('throws a ValidationError at once for a duplicate construct id', () => {
      const f = fixture();

      expect(() => f.platform.addCluster('host', { role: ClusterRole.MEMBER })).toThrow(ValidationError);
      expect(() => f.platform.addCluster('host', { role: ClusterRole.MEMBER })).toThrow(
        'The platform model has 1 error; nothing was written.\n  - [acme/Clusters] id: got "host"; a cluster or other construct with this id exists already here. Fix: give each cluster its own id.',
      );
      expect(() => f.platform.addEnvironment('test', { clusters: [f.member] })).toThrow(ValidationError);
      expect(() => f.platform.addEnvironment('test', { clusters: [f.member] })).toThrow('[acme/Environments] id: got "test"; ');
      expect(() => f.platform.addTenant('shop', { manager: 'bob' })).toThrow(
        '[acme] id: got "shop"; a tenant or other construct with this id exists already here. Fix: give each tenant its own id.',
      );
      expect(() => f.tenant.addProject('storefront', { environments: ['test'] })).toThrow(
        '[acme/shop] id: got "storefront"; a project or other construct with this id exists already here. Fix: give each project its own id.',
      );
      addService(f, 'web');
      expect(() => addService(f, 'web')).toThrow(
        '[acme/shop/storefront] id: got "web"; a service or other construct with this id exists already here. Fix: give each service its own id.',
      );
    });

    it('still synthesizes a platform whose only problem is a warning', () => {
      const f = fixture();
      f.platform.addTenant('empty', { manager: 'bob' });
      addService(f, 'web');

      const problems = validatePlatform(f.platform);
      expect(problems.map((p) => p.severity)).toEqual(['warning']);
      const objects = synthObjects(f.platform);
      expect(objects.has('host/WorkspaceTemplate/-/empty')).toBe(true);
      expect(objects.has('host/Deployment/storefront/web')).toBe(true);
    });

    it('reports nothing for the fixture platform', () => {
      const f = fixture();
      addService(f, 'web').expose();

      expect(validatePlatform(f.platform)).toEqual([]);
    });
  });

  describe('edge cases', () => {
    it('says "an environment" in the message for a duplicate environment id', () => {
      const f = fixture();

      expect(() => f.platform.addEnvironment('test', { clusters: [f.member] })).toThrow(
        '[acme/Environments] id: got "test"; an environment or other construct with this id exists already here. Fix: give each environment its own id.',
      );
    });

    it('reports one service claiming a host and path twice on a cluster through two environments', () => {
      const f = fixture();
      const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging', domain: 'test.example.com' });
      f.project.placeIn(staging);
      addService(f, 'web').expose();

      expect(validationErrors(f.platform).some((l) => l.startsWith('[acme/shop/storefront/web]') && l.includes('web.test.example.com/'))).toBe(true);
    });

    it('reports one service exposed twice at the same host and path', () => {
      const f = fixture();
      const web = addService(f, 'web', { ports: [{ port: 8080 }, { port: 8081, name: 'admin' }] });
      web.expose();
      web.expose({ port: 'admin' });

      expect(validationErrors(f.platform).some((l) => l.startsWith('[acme/shop/storefront/web]') && l.includes('web.example.com/'))).toBe(true);
    });

    it('reports a service whose app.kubernetes.io/instance label would exceed 63 characters', () => {
      const f = fixture();
      const name = `a${'b'.repeat(61)}`;
      addService(f, name);

      expect(validationErrors(f.platform).some((l) => l.startsWith(`[acme/shop/storefront/${name}]`))).toBe(true);
    });

    it('reports platform defaultResources that are not positive whole numbers', () => {
      const platform = new Platform('acme', { defaultResources: { cpuRequestMillis: -100 } });
      const host = platform.addCluster('host', { role: ClusterRole.HOST });
      const production = platform.addEnvironment('production', { clusters: [host], production: true });
      const project = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: [production] });
      project.addService('web', { image: Registry.at('harbor.example.com').image('shop/web', '1.0.0'), ports: [{ port: 8080 }] });

      expect(validationErrors(platform).join('\n')).toContain('[acme] defaultResources.cpuRequestMillis: got -100; resources must be positive whole numbers.');
    });
  });
});
