/**
 * The estate report (`renderReport`): one self-contained HTML page with the estate's clusters, environments,
 * tenants → departments → projects → services, stateful services, pipelines and findings, a topology picture,
 * a search and severity filters. Checked as text, then — when Chromium is installed — in a headless browser: the
 * DOM after the page's script ran, the search through `?q=`, and a screenshot.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterRole, Engine, StatefulMode } from 'platform-cdk';
import type { Platform } from 'platform-cdk';
import { build as buildConnectedVehicle } from '../../examples/connected-vehicle/main';
import { build as buildQuickstart } from '../../examples/quickstart/main';
import type { Finding } from '../../lib/policy';
import { renderPlatform } from '../../lib/render';
import { renderReport } from '../../lib/report';
import { addService, fixture } from '../fixture';

/** The report of a platform, with some findings. */
function report(platform: Platform, findings: readonly Finding[] = [], generatedFrom?: string): string {
  return renderReport({ platform, rendered: renderPlatform(platform), findings, generatedFrom });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The element id the report gives a construct path. */
function idOf(constructPath: string): string {
  return `c-${constructPath.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '/' ? '.' : `_${c.codePointAt(0)?.toString(16)}_`))}`;
}

/** Planted findings: an error on a service, a warning of no construct, a waived error. */
function plantedFindings(servicePath: string): Finding[] {
  return [
    { rule: 'probes', severity: 'warning', cluster: 'member-test', object: 'apps/v1 Deployment storefront/mailer', source: '-', at: '/spec/template/spec/containers/0', message: 'container mailer has no readinessProbe', fix: 'give the service a readiness probe' },
    { rule: 'image-pinned', severity: 'error', cluster: 'host', object: 'apps/v1 Deployment storefront/web', source: servicePath, at: '/spec/template/spec/containers/0/image', message: 'the image has no tag <planted>', fix: 'pin a version tag or a digest' },
    { rule: 'production-replicas', severity: 'error', cluster: 'host', object: 'apps/v1 Deployment storefront/cart', source: '-', at: '', message: 'runs 1 replica in production', fix: 'run 2 replicas', waived: 'singleton: reconciles in order' },
  ];
}

const SECTIONS = ['overview', 'topology', 'environments', 'clusters', 'tenants', 'findings'];

describe('the report as text', () => {
  it.each([
    ['quickstart', buildQuickstart],
    ['connected-vehicle', buildConnectedVehicle],
  ])('shows every tenant, department, project, service, stateful service and pipeline of the %s example', (_name, build) => {
    const platform = build();
    const html = report(platform);
    let items = 0;
    for (const tenant of platform.tenants) {
      expect(html).toContain(`id="${idOf(tenant.node.path)}"`);
      expect(html).toContain(`<b>${escapeHtml(tenant.name)}</b>`);
      for (const d of tenant.departments) {
        expect(html).toContain(`<b>${escapeHtml(d.name)}</b>`);
        for (const m of d.members) expect(html).toContain(escapeHtml(m));
      }
      for (const project of tenant.projects) {
        expect(html).toContain(`id="${idOf(project.node.path)}"`);
        expect(html).toContain(`<b>${escapeHtml(project.name)}</b>`);
        for (const x of [...project.services, ...project.statefulServices, ...project.pipelines]) {
          expect(html).toContain(`id="${idOf(x.node.path)}"`);
          items += 1;
        }
        for (const s of project.services) expect(html).toContain(`<b>${escapeHtml(s.name)}</b>`);
        for (const s of project.statefulServices) expect(html).toContain(`<b>${escapeHtml(s.name)}</b>`);
        for (const p of project.pipelines) expect(html).toContain(`<b>${escapeHtml(p.module)}</b>`);
      }
    }
    expect(items).toBeGreaterThan(0);
    for (const c of platform.clusters) expect(html).toContain(`id="cluster-${c.name}"`);
    for (const e of platform.environments) expect(html).toContain(`id="env-${e.name}"`);
  });

  it('has the sections, a table of contents that links to them, and the search box', () => {
    const html = report(buildQuickstart());
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    for (const id of SECTIONS) {
      expect(html).toContain(`<section class="part" id="${id}">`);
      expect(html).toContain(`<a href="#${id}">`);
    }
    expect(html).toMatch(/<nav class="toc"[^>]*>/);
    expect(html).toContain('<input type="search" id="search"');
    expect(html).toContain('<a href="#c-quickstart.shop.storefront">storefront</a>');
  });

  it('counts the estate in the overview: clusters, environments, tenants, projects, services, objects per cluster', () => {
    const platform = buildQuickstart();
    const rendered = renderPlatform(platform);
    const html = renderReport({ platform, rendered, findings: [] });
    const card = (n: number, label: string): string => `<div class="n">${n}</div><div class="l">${label}</div>`;
    expect(html).toContain(card(2, 'clusters (1 host, 1 members)'));
    expect(html).toContain(card(2, 'environments (1 production)'));
    expect(html).toContain(card(1, 'tenants'));
    expect(html).toContain(card(1, 'projects (2 namespaces)'));
    expect(html).toContain(card(3, 'services'));
    expect(html).toContain(card(0, 'stateful services'));
    expect(html).toContain(card(0, 'pipelines'));
    const total = rendered.clusters.reduce((n, rc) => n + rc.objects.length, 0);
    expect(html).toContain(card(total, 'objects'));
    for (const rc of rendered.clusters) expect(html).toContain(`<td class="num">${rc.objects.length}</td>`);
    expect(html).toContain(card(0, 'errors'));
  });

  it('draws the topology in TS: the host above, each member linked from it, clusters boxed by environment', () => {
    const f = fixture();
    const extra = f.platform.addCluster('member-extra', { role: ClusterRole.MEMBER });
    f.test.addCluster(extra);
    const html = report(f.platform);
    const svg = /<svg class="topology"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).not.toBe('');
    expect(svg).toMatch(/^<svg class="topology" viewBox="0 0 \d+ \d+" width="\d+" height="\d+"/);
    for (const name of ['host', 'member-test', 'member-extra']) expect(svg).toContain(`<a href="#cluster-${name}" class="cluster-box">`);
    expect(svg.match(/class="link"/g)).toHaveLength(2);
    expect(svg).toContain('<title>host manages member-test</title>');
    expect(svg).toContain('<title>host manages member-extra</title>');
    expect(svg.match(/class="env-group"/g)).toHaveLength(2);
    expect(svg).toMatch(/class="env-label"[^>]*>production<\/text>/);
    expect(svg).toMatch(/class="env-label"[^>]*>test<\/text>/);
    // The host is drawn above the members.
    const yOf = (name: string): number => Number(new RegExp(`<a href="#cluster-${name}" class="cluster-box">.*\\n<rect x="\\d+" y="(\\d+)"`).exec(svg)?.[1]);
    expect(yOf('host')).toBeLessThan(yOf('member-test'));
    expect(yOf('member-test')).toBe(yOf('member-extra'));
  });

  it('shows per environment the namespaces, images, replicas, hosts and connections of services, the modes of stateful services, and pipeline stages', () => {
    const f = fixture();
    const cache = f.project.addStatefulService('cache', {
      engine: Engine.redis(),
      external: { addresses: ['10.0.0.5'] },
      inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi' },
      perEnvironment: { test: { mode: StatefulMode.IN_CLUSTER } },
    });
    const api = addService(f, 'api', { autoscaling: { minReplicas: 2, maxReplicas: 6 }, perEnvironment: { test: { autoscaling: false, replicas: 1 } } });
    api.expose({ subdomain: 'shop-api' });
    api.connectsTo(cache);
    const web = addService(f, 'web');
    web.connectsTo(api);
    const html = report(f.platform);
    expect(html).toContain('<td><code>storefront</code></td>');
    expect(html).toContain('<code>harbor.example.com/shop/api:1.0.0</code>');
    expect(html).toContain('<td>2–6 (autoscaled)</td>');
    expect(html).toContain('<td>1</td>');
    expect(html).toContain('<code>shop-api.example.com</code> <span class="muted">TLS</span>');
    expect(html).toContain('<code>shop-api.test.example.com</code> <span class="muted">plain HTTP</span>');
    expect(html).toContain(`<b>Connects to</b> <a href="#${idOf('acme/shop/storefront/cache')}">cache</a>`);
    expect(html).toContain(`<b>Called by</b> <a href="#${idOf('acme/shop/storefront/web')}">web</a>`);
    expect(html).toContain('<span class="small">test: in cluster, production: external</span>');
    expect(html).toContain('addresses <code>10.0.0.5</code>');

    const cv = report(buildConnectedVehicle());
    expect(cv).toMatch(/<ol class="stages"><li class="checkout"[^>]*>checkout<\/li><li class="run"[^>]*>build<\/li>[\s\S]*?<li class="approve"[^>]*>approve production<\/li><li class="deploy"[^>]*>deploy production<\/li><\/ol>/);
  });

  it('escapes every name that comes from users, so that a hostile name is shown and never run', () => {
    const f = fixture();
    f.tenant.addDepartment('ops', { members: ['<script>alert(1)</script>', 'bob'], displayName: '"><img src=x onerror=alert(2)>' });
    const project = f.tenant.addProject('evil', { environments: [f.test], description: "</details><b onclick='x()'>& more", displayName: '<svg onload=alert(3)>' });
    project.addService('api', { image: f.registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] });
    const html = report(f.platform, [{ rule: '<rule>', severity: 'warning', cluster: '<c>', object: '<o>', source: '<s>', at: '', message: '<script>alert(4)</script>', fix: '<fix>' }]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;/details&gt;&lt;b onclick=&#39;x()&#39;&gt;&amp; more');
    expect(html).toContain('&lt;svg onload=alert(3)&gt;');
    expect(html).toContain('&lt;script&gt;alert(4)&lt;/script&gt;');
    expect(html).not.toMatch(/<script>alert|<img src=x|<svg onload|<b onclick/);
    // The page's own script is the only one, and the policy allows only it (by its hash).
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;; script-src &#39;sha256-[A-Za-z0-9+/=]+&#39;;/);
  });

  it.each([
    ['quickstart', buildQuickstart],
    ['connected-vehicle', buildConnectedVehicle],
  ])('loads nothing from the network (%s): every link is an anchor of the page, no src, no external style', (_name, build) => {
    const html = report(build(), plantedFindings('quickstart/shop/storefront/web'), 'examples/main.ts');
    const refs = [...html.matchAll(/\s(?:src|href|xlink:href|action|srcset|poster|background)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !r.startsWith('#'))).toEqual([]);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<(?:link|iframe|object|embed|img|base)\b/i);
    expect(html).not.toContain('xmlns');
  });

  it('is deterministic: the same platform gives byte-identical HTML', () => {
    const a = report(buildConnectedVehicle(), [], 'examples/connected-vehicle/main.ts');
    const b = report(buildConnectedVehicle(), [], 'examples/connected-vehicle/main.ts');
    expect(a).toBe(b);
    const findings = plantedFindings('x');
    expect(report(buildQuickstart(), findings)).toBe(report(buildQuickstart(), [...findings].reverse()));
  });

  it('lists the findings with severity, rule, cluster, object, construct path, message, fix and waiver, with filters by severity', () => {
    const platform = buildQuickstart();
    const web = platform.tenants[0].projects[0].services.find((s) => s.name === 'web');
    const html = report(platform, plantedFindings(web?.node.path ?? ''));
    const rows = [...html.matchAll(/<tr class="(\w+)" data-status="(\w+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[2])).toEqual(['error', 'warning', 'waived']);
    const [error, warning, waived] = rows.map((r) => r[3]);
    expect(error).toContain('<td class="sev">error</td><td><code>image-pinned</code></td><td><a href="#cluster-host">host</a></td>');
    expect(error).toContain('<code>apps/v1 Deployment storefront/web</code><div class="muted"><code>/spec/template/spec/containers/0/image</code></div>');
    expect(error).toContain(`<a href="#${idOf('quickstart/shop/storefront/web')}"><code>quickstart/shop/storefront/web</code></a>`);
    expect(error).toContain('<td>the image has no tag &lt;planted&gt;</td><td>pin a version tag or a digest</td><td></td>');
    expect(warning).toContain('<td class="sev">warning</td><td><code>probes</code></td><td><a href="#cluster-member-test">member-test</a></td>');
    expect(waived).toContain('<td class="sev">error (waived)</td>');
    expect(waived).toContain('<td>singleton: reconciles in order</td>');
    for (const [filter, label] of [['all', 'All (3)'], ['error', 'Errors (1)'], ['warning', 'Warnings (1)'], ['waived', 'Waived (1)']]) {
      expect(html).toContain(`data-filter="${filter}" aria-pressed="${filter === 'all'}">${label}</button>`);
    }
    // The service with the finding carries a badge; the overview counts by severity.
    expect(html).toMatch(/<summary><b>web<\/b>.*<a class="badge error" href="#findings">1 error<\/a><\/summary>/);
    expect(html).toContain('<div class="n">1</div><div class="l">errors</div>');
    expect(html).toContain('<div class="n">1</div><div class="l">waived findings</div>');
  });

  it('says where the platform comes from without a timestamp', () => {
    const html = report(buildQuickstart(), [], 'examples/quickstart/main.ts');
    expect(html).toContain('from <code>examples/quickstart/main.ts</code>');
    expect(html).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
  });
});

/** Chromium's command, if it is on the PATH. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const CHROMIUM = findChromium();
const SKIPPED = ' [skipped: Chromium is not on the PATH; install it with `apt-get install -y chromium` to run this test]';
if (!CHROMIUM) console.warn(`report.test.ts: the browser tests are skipped because Chromium is not on the PATH. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu).`);
const inBrowser = CHROMIUM ? it : it.skip;
const suffix = CHROMIUM ? '' : SKIPPED;

describe('the report in headless Chromium', () => {
  let dir = '';
  let file = '';

  beforeAll(() => {
    if (!CHROMIUM) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-report-'));
    file = path.join(dir, 'report.html');
    const platform = buildQuickstart();
    const web = platform.tenants[0].projects[0].services.find((s) => s.name === 'web');
    fs.writeFileSync(file, report(platform, plantedFindings(web?.node.path ?? ''), 'examples/quickstart/main.ts'));
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs Chromium headless on the report with more arguments; returns its standard output. */
  function chromium(args: string[], query = ''): string {
    const profile = fs.mkdtempSync(path.join(dir, 'profile-'));
    return execFileSync(CHROMIUM as string, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, ...args, `file://${file}${query}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The opening tag of the element with an id in a dumped DOM. */
  function tagOf(dom: string, id: string): string {
    return new RegExp(`<[a-z]+ [^>]*id="${id.replace(/[.]/g, '\\.')}"[^>]*>`).exec(dom)?.[0] ?? '';
  }

  inBrowser(`runs the page's script and style under its security policy, and has the sections, the search box and the topology${suffix}`, () => {
    const dom = chromium(['--dump-dom']);
    expect(dom).toMatch(/<html lang="en" data-script="ready" data-style="ok">/);
    for (const id of SECTIONS) expect(dom).toContain(`<section class="part" id="${id}">`);
    expect(dom).toContain('<input type="search" id="search"');
    expect(dom).toMatch(/<svg class="topology"[\s\S]*host · \d+ objects[\s\S]*<\/svg>/);
    expect(dom).toContain('3 of 3 findings shown');
  }, 90_000);

  inBrowser(`filters the tenant tree and the findings by the search (?q=) and by severity${suffix}`, () => {
    const dom = chromium(['--dump-dom'], '?q=cart');
    expect(dom).toMatch(/<input type="search" id="search"[^>]*>/);
    expect(tagOf(dom, idOf('quickstart/shop/storefront/web'))).toContain('hidden=""');
    expect(tagOf(dom, idOf('quickstart/shop/storefront/mailer'))).toContain('hidden=""');
    const cart = tagOf(dom, idOf('quickstart/shop/storefront/cart'));
    expect(cart).not.toBe('');
    expect(cart).not.toContain('hidden');
    expect(cart).toContain('open=""');
    expect(tagOf(dom, idOf('quickstart/shop/storefront'))).not.toContain('hidden');
    expect(dom).toContain('1 of 3 items match');
    expect(dom).toContain('1 of 3 findings shown'); // the waived finding of Deployment storefront/cart

    const errors = chromium(['--dump-dom'], '?severity=error');
    expect(errors).toContain('1 of 3 findings shown');
    expect(errors).toContain('data-filter="error" aria-pressed="true"');
  }, 90_000);

  inBrowser(`renders a screenshot${suffix}`, () => {
    const png = path.join(dir, 'report.png');
    chromium([`--screenshot=${png}`, '--window-size=1280,900', '--hide-scrollbars']);
    expect(fs.existsSync(png)).toBe(true);
    const bytes = fs.readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.readUInt32BE(16)).toBe(1280);
    expect(bytes.readUInt32BE(20)).toBe(900);
    expect(bytes.length).toBeGreaterThan(20_000);
  }, 90_000);
});
