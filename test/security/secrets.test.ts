/**
 * Secret detection (docs/services.md, "Secret rules"): a secret in any string a user can put into the output —
 * environment values, configuration values and files, container commands and arguments, probe commands, init
 * containers and sidecars, waiver reasons (annotations), preview overrides, pipeline commands and repository URLs,
 * backup commands — is refused in the model, the error naming the field and never the value; the policy and the
 * HTML report apply the same rules. And no two controllers write one Secret.
 */
import fc from 'fast-check';
import { BackupTarget, Credential, Engine, findSecret, formatProblem, PreviewEnvironment, Probe, SECRET_RULES, SecretStore, validatePlatform } from 'platform-cdk';
import type { Platform } from 'platform-cdk';
import { renderReport } from '../../lib/report';
import { renderPlatform } from '../../lib/render';
import { addService, fixture, synthObjects } from '../fixture';
import type { Fixture } from '../fixture';

const API = 'acme/shop/storefront/api';
const ESTATE = { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') };

/** One reported form of secret: the text a user writes, and the part of it that must never be echoed. */
interface Form {
  readonly what: string;
  readonly text: string;
  readonly secret: string;
  /** The rule expected to match. */
  readonly rule: string;
}

const GHP = `ghp_${'Zq3'.repeat(12)}`;
const FORMS: readonly Form[] = [
  { what: 'a GitHub token', text: `token ${GHP}`, secret: GHP, rule: 'github-pat' },
  { what: 'an AWS access key id', text: 'aws AKIAQ3EGRTYHVX4J7KZP', secret: 'AKIAQ3EGRTYHVX4J7KZP', rule: 'aws-access-key-id' },
  { what: 'an Authorization header', text: 'Authorization: Bearer 9f8e7d6c5b4a39281706', secret: '9f8e7d6c5b4a39281706', rule: 'authorization-header' },
  { what: 'a password= line', text: 'password=Hunter2Hunter2', secret: 'Hunter2Hunter2', rule: 'secret-assignment' },
  { what: 'docker login -p', text: 'docker login -u ci -p Rob0tPassw0rd harbor.example.com', secret: 'Rob0tPassw0rd', rule: 'command-password' },
  { what: 'a token in a URL query', text: 'https://gitlab.example.com/shop/api.git?private_token=QueryT0kenValue', secret: 'QueryT0kenValue', rule: 'url-token-parameter' },
  { what: 'a token in a URL fragment', text: 'https://gitlab.example.com/shop/api.git#access_token=FragT0kenValue', secret: 'FragT0kenValue', rule: 'url-token-parameter' },
  { what: 'a password in a URL', text: 'https://ci:UrlPassw0rd@gitlab.example.com/shop/api.git', secret: 'UrlPassw0rd', rule: 'url-credentials' },
  { what: 'a PEM private key', text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7Zq3\n-----END RSA PRIVATE KEY-----', secret: 'MIIEpAIBAAKCAQEA7Zq3', rule: 'private-key' },
  { what: 'a GitLab token', text: 'glpat-Xy12Zw34Vu56Ts78Rq90', secret: 'glpat-Xy12Zw34Vu56Ts78Rq90', rule: 'gitlab-token' },
  { what: 'a JWT', text: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlX3Zx', secret: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlX3Zx', rule: 'jwt' },
  { what: 'a mysql -p password', text: 'mysql -h db -u root -pMysqlR00tPw shop', secret: 'MysqlR00tPw', rule: 'command-password' },
];

/** Forms that are secrets because of their name (only for fields that have a name). */
const NAMED_FORMS: readonly (Form & { readonly name: string })[] = [
  { what: 'DB_PASS', name: 'DB_PASS', text: 'Pl41nTextPass', secret: 'Pl41nTextPass', rule: 'secret-name' },
  { what: 'JWT_SIGNING_KEY', name: 'JWT_SIGNING_KEY', text: 'signing-material-77', secret: 'signing-material-77', rule: 'secret-name' },
  { what: 'a random *_KEY', name: 'STRIPE_KEY', text: 'q8Z3kR7vX2mN9pL4tW6y', secret: 'q8Z3kR7vX2mN9pL4tW6y', rule: 'secret-name-entropy' },
];

/** A field a user can write a string into: plants the text, and says which construct path and property report it. */
interface FieldKind {
  readonly kind: string;
  readonly path: string;
  readonly property: string;
  /** Whether a URL-only value makes sense there (all fields take text; the repository takes only URLs). */
  readonly urlOnly?: boolean;
  readonly plant: (f: Harness, text: string) => void;
}

type Harness = Fixture & { readonly developers: ReturnType<Fixture['tenant']['addDepartment']> };

function harness(): Harness {
  const f = fixture();
  f.platform.configureDelivery({ estate: ESTATE });
  const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
  return { ...f, developers };
}

const pipelineProps = (f: Harness, over: { repository?: string; command?: string }) => ({
  source: { repository: over.repository ?? 'https://gitlab.example.com/shop/api.git', credential: Credential.basicAuth('gitlab') },
  build: { image: f.registry.image('ci/maven', '3.9.9'), commands: ['mvn -B package', ...(over.command !== undefined ? [over.command] : [])] },
  registryCredential: Credential.basicAuth('harbor-robot'),
});

const FIELDS: readonly FieldKind[] = [
  { kind: 'env value', path: API, property: 'env["NOTE"]', plant: (f, t) => void addService(f, 'api', { env: { NOTE: t } }) },
  { kind: 'per-environment env value', path: API, property: 'perEnvironment["test"].env["NOTE"]', plant: (f, t) => void addService(f, 'api', { perEnvironment: { test: { env: { NOTE: t } } } }) },
  { kind: 'config value', path: API, property: 'config.values["NOTE"]', plant: (f, t) => void addService(f, 'api', { config: { values: { NOTE: t } } }) },
  { kind: 'config file line', path: API, property: 'config.files["app.conf"]', plant: (f, t) => void addService(f, 'api', { config: { files: { 'app.conf': `server.port=8080\n${t}\nlog.level=info\n` } } }) },
  { kind: 'container args', path: API, property: 'args', plant: (f, t) => void addService(f, 'api', { args: ['--verbose', t] }) },
  { kind: 'container command', path: API, property: 'command', plant: (f, t) => void addService(f, 'api', { command: ['sh', '-c', t] }) },
  { kind: 'exec probe', path: API, property: 'readiness.command', plant: (f, t) => void addService(f, 'api', { readiness: Probe.exec(['sh', '-c', t]) }) },
  { kind: 'sidecar args', path: API, property: 'sidecars[0].args', plant: (f, t) => void addService(f, 'api', { sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), args: [t] }] }) },
  { kind: 'init container command', path: API, property: 'initContainers[0].command', plant: (f, t) => void addService(f, 'api', { initContainers: [{ name: 'migrate', image: f.registry.image('shop/migrate', '1.0.0'), command: ['sh', '-c', t] }] }) },
  { kind: 'sidecar env value', path: API, property: 'sidecars[0].env["NOTE"]', plant: (f, t) => void addService(f, 'api', { sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), env: { NOTE: t } }] }) },
  { kind: 'waiver reason (annotation)', path: API, property: 'waivers.replicas', plant: (f, t) => void addService(f, 'api', { replicas: 1, waivers: { replicas: t } }) },
  {
    kind: 'preview override value',
    path: 'acme/preview-feature-x',
    property: 'services["api"].config.values["NOTE"]',
    plant: (f, t) => {
      addService(f, 'api');
      f.platform.addPreview('feature-x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: { config: { values: { NOTE: t } } } } });
    },
  },
  {
    kind: 'preview override file',
    path: 'acme/preview-feature-x',
    property: 'services["api"].config.files["app.conf"]',
    plant: (f, t) => {
      addService(f, 'api');
      f.platform.addPreview('feature-x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: { config: { files: { 'app.conf': `a=1\n${t}\n` } } } } });
    },
  },
  { kind: 'pipeline command', path: `${API}/Pipeline`, property: 'build.commands[1]', plant: (f, t) => void addService(f, 'api').addPipeline(pipelineProps(f, { command: t })) },
  { kind: 'pipeline repository', path: `${API}/Pipeline`, property: 'source.repository', urlOnly: true, plant: (f, t) => void addService(f, 'api').addPipeline(pipelineProps(f, { repository: t })) },
  {
    kind: 'backup command',
    path: 'acme/shop/storefront/db',
    property: 'inCluster (in test).backup.command',
    plant: (f, t) => {
      f.project.addStatefulService('db', {
        engine: Engine.mysql(),
        inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi', credentials: SecretStore.cluster('vault').key('db'), backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups'), command: ['sh', '-c', t] } },
      });
    },
  },
];

/** The preview's construct path, as the platform names it. */
function previewPath(platform: Platform): string | undefined {
  return platform.environments.find((e) => PreviewEnvironment.isPreview(e))?.node.path;
}

/** The problems of a platform, as lines, with the construct path of a preview normalised. */
function problemLines(f: Harness): string[] {
  const pv = previewPath(f.platform);
  return validatePlatform(f.platform).map((p) => formatProblem(p).replace(pv !== undefined ? `[${pv}]` : '\u0000', '[acme/preview-feature-x]'));
}

function isUrl(text: string): boolean {
  return /^https?:\/\//.test(text);
}

describe('secret detection in every field', () => {
  const cases = FIELDS.flatMap((field) => FORMS.filter((form) => !field.urlOnly || isUrl(form.text)).map((form) => ({ field: field.kind, form: form.what, fieldKind: field, formSpec: form })));

  it.each(cases)('refuses $form in a $field, naming the field and withholding the value', ({ fieldKind, formSpec }) => {
    const f = harness();
    fieldKind.plant(f, formSpec.text);
    const lines = problemLines(f);
    const line = lines.find((l) => l.startsWith(`[${fieldKind.path}] ${fieldKind.property}: got "<value withheld: looks like `));
    expect(line ?? lines.join('\n')).toContain(`(rule ${formSpec.rule})`);
    expect(lines.join('\n')).not.toContain(formSpec.secret);
    let thrown = '';
    try {
      synthObjects(f.platform);
    } catch (e) {
      thrown = String((e as Error).message);
    }
    expect(thrown).toContain('value withheld');
    expect(thrown).not.toContain(formSpec.secret);
  });

  const named = [
    ['env', (f: Harness, n: string, t: string) => void addService(f, 'api', { env: { [n]: t } }), (n: string) => `env["${n}"]`],
    ['config value', (f: Harness, n: string, t: string) => void addService(f, 'api', { config: { values: { [n]: t } } }), (n: string) => `config.values["${n}"]`],
    ['config file', (f: Harness, n: string, t: string) => void addService(f, 'api', { config: { files: { 'app.env': `LOG_LEVEL=info\n${n}=${t}\n` } } }), () => 'config.files["app.env"]'],
  ] as const;
  it.each(NAMED_FORMS.flatMap((form) => named.map(([field, plant, property]) => ({ form: form.what, field, formSpec: form, plant, property }))))('refuses $form in a $field', ({ formSpec, plant, property }) => {
    const f = harness();
    plant(f, formSpec.name, formSpec.text);
    const lines = problemLines(f);
    const line = lines.find((l) => l.startsWith(`[${API}] ${property(formSpec.name)}: got "<value withheld: looks like `));
    expect(line ?? lines.join('\n')).toMatch(/\(rule secret-(name|name-entropy|assignment)\)/);
    expect(lines.join('\n')).not.toContain(formSpec.secret);
  });

  it('reports a repository URL with credentials without the token, and only once', () => {
    const f = harness();
    addService(f, 'api').addPipeline(pipelineProps(f, { repository: `https://oauth2:${GHP}@gitlab.example.com/shop/api.git` }));
    const lines = problemLines(f).filter((l) => l.includes('source.repository'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(GHP);
    expect(lines[0]).toContain('Fix: remove the credentials from the URL');
  });

  it('accepts references and placeholders under secret-like names', () => {
    const f = harness();
    addService(f, 'api', {
      env: { DB_PASSWORD_FILE: '/run/secrets/db', TOKEN_TTL: '3600', AWS_ACCESS_KEY_ID_NAME: 'x', CACHE_KEY: 'users', JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----', DB_PASSWORD: '$(DB_PASSWORD_FROM_SECRET)' },
      config: { files: { 'application.yaml': 'spring:\n  datasource:\n    password: ${DB_PASSWORD}\n    url: jdbc:mysql://db:3306/shop\n' } },
      args: ['--password=$(DB_PASSWORD)', '--port', '8080'],
    });
    expect(problemLines(f).filter((l) => l.includes('withheld'))).toEqual([]);
  });
});

describe('secret rules as properties', () => {
  const alnum = (min: number, max = min) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`));
  const b64url = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
  const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${n}}$`));
  const word = fc.stringMatching(/^[a-z]{1,10}$/);
  const host = fc.tuple(word, word).map(([a, b]) => `${a}.${b}.example.com`);
  const literal = alnum(4, 20).map((s) => `${s}7`);

  /** A random instance of each rule, with the part that must never be echoed. */
  const instances: Record<string, fc.Arbitrary<{ text: string; secret: string }>> = {
    'github-pat': alnum(36).map((s) => ({ text: `ghp_${s}`, secret: `ghp_${s}` })),
    'github-token': fc.tuple(fc.constantFrom('gho', 'ghs', 'ghu'), alnum(36)).map(([p, s]) => ({ text: `${p}_${s}`, secret: `${p}_${s}` })),
    'gitlab-token': fc.tuple(fc.constantFrom('glpat', 'glptt', 'gldt', 'glrt'), b64url(20, 30)).map(([p, s]) => ({ text: `${p}-${s}`, secret: `${p}-${s}` })),
    'aws-access-key-id': fc.tuple(fc.constantFrom('AKIA', 'ASIA'), upper(16)).map(([p, s]) => ({ text: `${p}${s}`, secret: `${p}${s}` })),
    'slack-token': fc.tuple(fc.constantFrom('b', 'a', 'p', 'r', 's'), alnum(10, 40)).map(([c, s]) => ({ text: `xox${c}-${s}`, secret: `xox${c}-${s}` })),
    'chat-webhook': fc.tuple(fc.constantFrom('https://oapi.dingtalk.com/robot/send?access_token=', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=', 'https://open.feishu.cn/open-apis/bot/v2/hook/', 'https://discord.com/api/webhooks/123456/', 'https://acme.webhook.office.com/webhookb2/'), alnum(20, 40)).map(([p, s]) => ({ text: `${p}${s}`, secret: s })),
    'google-api-key': b64url(35, 35).map((s) => ({ text: `AIza${s}`, secret: `AIza${s}` })),
    'stripe-key': alnum(24, 40).map((s) => ({ text: `sk_live_${s}`, secret: `sk_live_${s}` })),
    'npm-token': alnum(36).map((s) => ({ text: `npm_${s}`, secret: `npm_${s}` })),
    jwt: fc.tuple(b64url(8, 30), b64url(8, 60), b64url(0, 40)).map(([h, p, s]) => ({ text: `eyJ${h}.eyJ${p}.${s}`, secret: `eyJ${h}.eyJ${p}` })),
    'private-key': fc.tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', ''), alnum(20, 60)).map(([k, body]) => ({ text: `-----BEGIN ${k}PRIVATE KEY-----\n${body}\n-----END ${k}PRIVATE KEY-----`, secret: body })),
    'authorization-header': fc.tuple(fc.constantFrom('Bearer', 'Token', 'Basic'), alnum(16, 40)).map(([scheme, s]) => ({ text: `Authorization: ${scheme} ${s}9`, secret: `${s}9` })),
    'url-credentials': fc.tuple(word, literal, host).map(([u, p, h]) => ({ text: `https://${u}:${p}@${h}/repo.git`, secret: `${p}@` })),
    'url-token-parameter': fc.tuple(host, fc.constantFrom('token', 'access_token', 'private_token', 'password', 'key', 'api_key'), fc.constantFrom('?', '#', '?a=1&'), literal).map(([h, k, sep, v]) => ({ text: `https://${h}/x.git${sep}${k}=${v}`, secret: `${k}=${v}` })),
    'command-password': fc.tuple(fc.constantFrom('docker login -u ci -p ', 'docker login --password ', 'mysql -u root -p', 'curl -u ci:', 'sshpass -p '), literal).map(([c, v]) => ({ text: `${c}${v} x`, secret: v })),
    'secret-assignment': fc.tuple(fc.constantFrom('password', 'db.password', 'passwd', 'pwd', 'secret', 'api_key', 'clientSecret', 'DB_PASS'), fc.constantFrom('=', ': ', ' = '), literal).map(([k, sep, v]) => ({ text: `${k}${sep}${v}`, secret: v })),
  };
  const anyInstance = fc.constantFrom(...Object.keys(instances)).chain((rule) => instances[rule].map((i) => ({ rule, ...i })));

  it('every format rule has a generator here', () => {
    expect(Object.keys(instances).sort()).toEqual(SECRET_RULES.map((r) => r.id).filter((id) => !['aws-secret-access-key', 'secret-name', 'secret-name-entropy'].includes(id)).sort());
  });

  it('recognises a random instance of each rule, alone or inside ordinary text', () => {
    fc.assert(
      fc.property(anyInstance, fc.constantFrom('', 'run ', 'echo x && ', 'note: '), fc.constantFrom('', ' --verbose', '\nlog.level=info'), ({ text }, before, after) => {
        expect(findSecret(`${before}${text}${after}`)).toBeDefined();
      }),
      { seed: 20261206, numRuns: 400 },
    );
  });

  it('refuses a random instance of each rule in every field kind, never echoing it', () => {
    fc.assert(
      fc.property(anyInstance, fc.constantFrom(...FIELDS), ({ text, secret }, field) => {
        fc.pre(!field.urlOnly || isUrl(text));
        const f = harness();
        field.plant(f, text);
        const lines = problemLines(f);
        expect(lines.some((l) => l.startsWith(`[${field.path}] ${field.property}: got "<value withheld: looks like `)) ? 'reported' : lines.join('\n')).toBe('reported');
        expect(lines.join('\n')).not.toContain(secret);
      }),
      { seed: 20261207, numRuns: 60 },
    );
  });

  /** Values that must never be flagged: URLs without credentials, config lines, hostnames, numbers, flags, paths. */
  const benign = fc.oneof(
    fc.tuple(host, fc.constantFrom('', '/api', '/v1/orders?page=2&size=50', '/x#section')).map(([h, p]) => `https://${h}${p}`),
    fc.tuple(fc.constantFrom('server.port', 'log.level', 'spring.profiles.active', 'feature.newCheckout', 'cache.key', 'max.tokens', 'timeout'), fc.constantFrom('=', ': '), fc.oneof(word, fc.integer({ min: 0, max: 1e6 }).map(String), fc.constantFrom('true', 'false'))).map(([k, s, v]) => `${k}${s}${v}`),
    host,
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom('true', 'false', 'on', 'off', 'enabled'),
    fc.array(word, { minLength: 1, maxLength: 5 }).map((p) => `/${p.join('/')}`),
    fc.array(word, { minLength: 1, maxLength: 6 }).map((p) => p.join(' ')),
    fc.constantFrom('mkdir -p /tmp/cache', 'redis-cli -p 6379 ping', 'mvn -B -DskipTests package', 'docker login -u ci --password-stdin harbor.example.com', 'basic authentication is enabled', 'Bearer tokens are checked', 'secretName: api-tls', 'password: ${DB_PASSWORD}', 'sh -c "echo $(cat /run/secrets/token)"', 'Authorization: Bearer ${TOKEN}'),
  );

  it('accepts benign values, with or without an ordinary name', () => {
    fc.assert(
      fc.property(benign, fc.constantFrom(undefined, 'LOG_LEVEL', 'SERVER_PORT', 'CACHE_KEY', 'FEATURE_FLAGS', 'DB_HOST', 'TOKEN_TTL', 'DB_PASSWORD_FILE', 'PUBLIC_KEY', 'AWS_ACCESS_KEY_ID'), (value, name) => {
        expect(findSecret(value, name === undefined ? {} : { name })).toBeUndefined();
      }),
      { seed: 20261208, numRuns: 1000 },
    );
  });

  it('accepts benign values in a service\'s fields', () => {
    fc.assert(
      fc.property(benign, (value) => {
        const f = harness();
        addService(f, 'api', { env: { NOTE: value }, config: { values: { OTHER: value }, files: { 'app.conf': `${value}\n` } }, args: [value] });
        expect(problemLines(f).filter((l) => l.includes('withheld'))).toEqual([]);
      }),
      { seed: 20261209, numRuns: 40 },
    );
  });
});

describe('one controller per Secret (defect 8)', () => {
  it('refuses a secret store named "tls" on an exposed service whose certificate writes <service>-tls', () => {
    const f = harness();
    const api = addService(f, 'api', { secrets: { API_TOKEN: SecretStore.cluster('tls').key('shop/api') } });
    api.expose({ subdomain: 'api' });
    const lines = problemLines(f);
    const line = lines.find((l) => l.startsWith(`[${API}] expose[0].tls (in production): got "api-tls"`));
    expect(line ?? lines.join('\n')).toContain('two controllers would overwrite each other');
  });

  it('keeps the names of a store of another name', () => {
    const f = harness();
    const api = addService(f, 'api', { secrets: { API_TOKEN: SecretStore.cluster('vault').key('shop/api') } });
    api.expose({ subdomain: 'api' });
    expect(problemLines(f).filter((l) => l.startsWith('[') && !l.startsWith('warning'))).toEqual([]);
    const objects = synthObjects(f.platform);
    expect(objects.has('host/ExternalSecret/storefront/api-vault')).toBe(true);
    expect(objects.has('host/Certificate/storefront/api-tls')).toBe(true);
  });
});

describe('the report and the rules themselves', () => {
  it('never shows a flagged value in the HTML report', () => {
    const f = harness();
    const token = 'QueryT0kenValue9';
    addService(f, 'api').addPipeline(pipelineProps(f, { repository: `https://gitlab.example.com/shop/api.git?private_token=${token}` }));
    const html = renderReport({ platform: f.platform, rendered: renderPlatform(f.platform), findings: [] });
    expect(html).toContain('value withheld');
    expect(html).not.toContain(token);
  });

  it('judges pathological texts in linear time (no catastrophic backtracking)', () => {
    for (const text of [' '.repeat(200_000), 'eyJ'.repeat(50_000), 'a-'.repeat(100_000), 'docker '.repeat(20_000), 'xoxb-'.repeat(40_000), 'x=1\n'.repeat(50_000), 'password: '.repeat(20_000), '?token'.repeat(30_000)]) {
      const start = Date.now();
      findSecret(text);
      expect(Date.now() - start).toBeLessThan(3000);
    }
  });
});
