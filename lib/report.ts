/**
 * The estate report (`platform-cdk report`): one self-contained HTML page that shows a platform — clusters and
 * environments, tenants → departments → projects → services, stateful services, release pipelines and the
 * findings of a check — with a table of contents, a client-side search, severity filters and a picture of the
 * topology.
 *
 * The page loads nothing at view time: its CSS, its small script and its SVG are inline, and a Content Security
 * Policy (with the hashes of the one style sheet and the one script) forbids every fetch and every other script,
 * so a name that slipped through escaping still could not run. Every text from the model is HTML-escaped. The
 * layout of the topology is computed here, not in the browser, and nothing depends on the clock, so the same
 * platform gives byte-identical HTML.
 */
import { createHash } from 'crypto';
import type { AppService } from '../constructs/app-service';
import type { Cluster } from '../constructs/cluster';
import type { IConnectable } from '../constructs/connection';
import type { Department } from '../constructs/department';
import type { Environment } from '../constructs/environment';
import type { Pipeline, PipelineStage } from '../constructs/pipeline';
import type { Platform } from '../constructs/platform';
import type { Project } from '../constructs/project';
import type { ResolvedResources } from '../constructs/resources';
import { StatefulMode, StatefulService } from '../constructs/stateful-service';
import type { Tenant } from '../constructs/tenant';
import type { Finding } from './policy';
import type { RenderedPlatform } from './render';
import { maskSecret } from './secret-rules';

/** What a report shows. */
export interface ReportInput {
  /** The platform. */
  readonly platform: Platform;
  /** Its render (the objects per cluster). */
  readonly rendered: RenderedPlatform;
  /** The findings of a check of the render (`checkRendered`), waived ones included. */
  readonly findings: readonly Finding[];
  /**
   * Where the platform comes from, e.g. the program's path; shown in the page's header. No timestamp is ever
   * written, so that the page is deterministic.
   * @default - not shown
   */
  readonly generatedFrom?: string;
}

/**
 * Renders the report of a platform: a complete HTML document (UTF-8) that needs no network to be viewed.
 * @param input the platform, its render and the findings of its check
 */
export function renderReport(input: ReportInput): string {
  return new ReportWriter(input).document();
}

// ---------------------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML content and quoted attribute values. A text that the secret rules flag (a token, a URL with
 * credentials, a command with a password) is never shown: the rule that matched stands in for it.
 */
function esc(text: string | number | boolean | undefined): string {
  const shown = typeof text === 'string' ? maskSecret(text) : String(text ?? '');
  return shown.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * An element id for a name or construct path: letters, digits, `_` and `-` are kept, `/` becomes `.`, and any
 * other character becomes `_<hex>_`, so that different paths never share an id.
 */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '/' ? '.' : `_${c.codePointAt(0)?.toString(16)}_`));
}

function anchorOf(construct: { readonly node: { readonly path: string } }): string {
  return `c-${slug(construct.node.path)}`;
}

function clusterAnchor(name: string): string {
  return `cluster-${slug(name)}`;
}

function envAnchor(name: string): string {
  return `env-${slug(name)}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Text cut to a number of characters, with an ellipsis when cut. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** The words a search matches an item by, in lower case. */
function searchText(...parts: (string | number | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== '').join(' ').toLowerCase().replace(/\s+/g, ' ');
}

function cpu(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}` : `${millis}m`;
}

function memory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

function resourcesText(r: ResolvedResources): string {
  return `CPU ${cpu(r.cpuRequestMillis)}/${cpu(r.cpuLimitMillis)}, memory ${memory(r.memoryRequestMiB)}/${memory(r.memoryLimitMiB)}`;
}

/** The status a finding is counted and filtered under. */
type FindingStatus = 'error' | 'warning' | 'waived';

function statusOf(f: Finding): FindingStatus {
  return f.waived !== undefined ? 'waived' : f.severity;
}

const STATUS_RANK: Record<FindingStatus, number> = { error: 0, warning: 1, waived: 2 };

/** Findings in a fixed order (errors, warnings, waived; then cluster, object, rule, place, message). */
function sortedFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => STATUS_RANK[statusOf(a)] - STATUS_RANK[statusOf(b)] || cmp(a.cluster, b.cluster) || cmp(a.object, b.object) || cmp(a.rule, b.rule) || cmp(a.at, b.at) || cmp(a.message, b.message) || cmp(a.source, b.source),
  );
}

interface StatusCounts {
  error: number;
  warning: number;
  waived: number;
}

function countStatuses(findings: readonly Finding[]): StatusCounts {
  const out: StatusCounts = { error: 0, warning: 0, waived: 0 };
  for (const f of findings) out[statusOf(f)] += 1;
  return out;
}

/** Badges with a construct's findings, if it has any. */
function findingBadges(counts: StatusCounts | undefined): string {
  if (!counts) return '';
  const out: string[] = [];
  if (counts.error > 0) out.push(`<a class="badge error" href="#findings">${plural(counts.error, 'error')}</a>`);
  if (counts.warning > 0) out.push(`<a class="badge warning" href="#findings">${plural(counts.warning, 'warning')}</a>`);
  if (counts.waived > 0) out.push(`<a class="badge waived" href="#findings">${counts.waived} waived</a>`);
  return out.length > 0 ? ` ${out.join(' ')}` : '';
}

// ---------------------------------------------------------------------------------------------------------
// The topology picture
// ---------------------------------------------------------------------------------------------------------

/** Colours of environments in the picture, by the environment's position in the platform. */
const ENV_COLOURS = ['#2563eb', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
const NO_ENV_COLOUR = '#6b7280';

const BOX_W = 176;
const BOX_H = 56;
const BOX_GAP = 18;
const GROUP_PAD = 14;
const GROUP_LABEL_H = 22;
const GROUP_GAP = 28;
const ROW_GAP = 64;
const MARGIN = 20;
const MAX_ROW_W = 1160;
const CHAR_W = 7.4;

/** Clusters that are in the same environments, drawn in one labelled box. */
interface ClusterGroup {
  readonly label: string;
  readonly colour: string;
  readonly production: boolean;
  readonly clusters: readonly Cluster[];
}

/** A group placed in the picture. */
interface PlacedGroup {
  readonly group: ClusterGroup;
  x: number;
  y: number;
  readonly w: number;
  readonly h: number;
  readonly cols: number;
  /** Whether the label is above the clusters (the host's row, whose links leave from below) or below them. */
  labelOnTop: boolean;
}

/**
 * The topology as an inline SVG: the host cluster on top, the members below, a link from the host to each
 * member; clusters that are in the same environments share a box labelled with them.
 */
function topologySvg(platform: Platform, objectCounts: ReadonlyMap<string, number>): string {
  const environments = platform.environments;
  const envsOf = (c: Cluster): Environment[] => environments.filter((e) => e.clusters.includes(c));
  const groupsOf = (clusters: readonly Cluster[]): ClusterGroup[] => {
    const byKey = new Map<string, { envs: Environment[]; clusters: Cluster[] }>();
    for (const c of clusters) {
      const envs = envsOf(c);
      const key = envs.map((e) => String(environments.indexOf(e)).padStart(4, '0')).join(',');
      const g = byKey.get(key) ?? { envs, clusters: [] };
      g.clusters.push(c);
      byKey.set(key, g);
    }
    return [...byKey.entries()]
      .sort((a, b) => (a[0] === '' ? 1 : b[0] === '' ? -1 : cmp(a[0], b[0])))
      .map(([, g]) => ({
        label: g.envs.length === 0 ? 'in no environment' : g.envs.map((e) => e.name).join(' + '),
        colour: g.envs.length === 0 ? NO_ENV_COLOUR : ENV_COLOURS[environments.indexOf(g.envs[0]) % ENV_COLOURS.length],
        production: g.envs.some((e) => e.production),
        clusters: [...g.clusters].sort((a, b) => cmp(a.name, b.name)),
      }));
  };
  const hosts = platform.clusters.filter((c) => c.isHost);
  const members = platform.clusters.filter((c) => !c.isHost);
  if (hosts.length + members.length === 0) return '<p class="muted">The platform has no clusters.</p>';

  const maxCols = Math.max(1, Math.floor((MAX_ROW_W - 2 * GROUP_PAD + BOX_GAP) / (BOX_W + BOX_GAP)));
  const place = (group: ClusterGroup): PlacedGroup => {
    const cols = Math.min(group.clusters.length, maxCols);
    const rows = Math.ceil(group.clusters.length / cols);
    const labelW = Math.min(MAX_ROW_W, group.label.length * CHAR_W + 2 * GROUP_PAD + 8);
    const w = Math.max(2 * GROUP_PAD + cols * BOX_W + (cols - 1) * BOX_GAP, labelW);
    const h = GROUP_LABEL_H + 2 * GROUP_PAD + rows * BOX_H + (rows - 1) * BOX_GAP;
    return { group, x: 0, y: 0, w, h, cols, labelOnTop: false };
  };
  // Rows of groups: the hosts' groups, then the members' groups wrapped to the width.
  const rows: PlacedGroup[][] = [];
  const hostGroups = groupsOf(hosts).map(place);
  for (const g of hostGroups) g.labelOnTop = true;
  if (hostGroups.length > 0) rows.push(hostGroups);
  let row: PlacedGroup[] = [];
  let rowW = 0;
  for (const g of groupsOf(members).map(place)) {
    if (row.length > 0 && rowW + GROUP_GAP + g.w > MAX_ROW_W) {
      rows.push(row);
      row = [];
      rowW = 0;
    }
    rowW += (row.length > 0 ? GROUP_GAP : 0) + g.w;
    row.push(g);
  }
  if (row.length > 0) rows.push(row);
  const widthOf = (r: PlacedGroup[]): number => r.reduce((sum, g) => sum + g.w, 0) + (r.length - 1) * GROUP_GAP;
  const width = Math.ceil(Math.max(...rows.map(widthOf)) + 2 * MARGIN);
  let y = MARGIN;
  for (const r of rows) {
    let x = (width - widthOf(r)) / 2;
    for (const g of r) {
      g.x = Math.round(x);
      g.y = y;
      x += g.w + GROUP_GAP;
    }
    y += Math.max(...r.map((g) => g.h)) + ROW_GAP;
  }
  const height = Math.ceil(y - ROW_GAP + MARGIN + 24);

  // Cluster boxes, by cluster.
  const boxes = new Map<Cluster, { x: number; y: number }>();
  for (const g of rows.flat()) {
    const inner = g.cols * BOX_W + (g.cols - 1) * BOX_GAP;
    const left = g.x + (g.w - inner) / 2;
    g.group.clusters.forEach((c, i) => {
      boxes.set(c, { x: Math.round(left + (i % g.cols) * (BOX_W + BOX_GAP)), y: g.y + (g.labelOnTop ? GROUP_LABEL_H : 0) + GROUP_PAD + Math.floor(i / g.cols) * (BOX_H + BOX_GAP) });
    });
  }

  const out: string[] = [];
  out.push(`<svg class="topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="topology-title">`);
  out.push(`<title id="topology-title">${esc(`Topology of ${platform.node.id}: ${plural(hosts.length, 'host cluster')}, ${plural(members.length, 'member cluster')}, ${plural(environments.length, 'environment')}`)}</title>`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>');
  // Groups first, then links, then the cluster boxes over them.
  for (const g of rows.flat()) {
    const dash = g.group.production ? '' : ' stroke-dasharray="6 4"';
    out.push(`<g class="env-group"><rect x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}" rx="10" fill="${g.group.colour}" fill-opacity="0.06" stroke="${g.group.colour}" stroke-width="1.5"${dash}/>`);
    const label = truncate(g.group.label, Math.floor((g.w - 2 * GROUP_PAD) / CHAR_W));
    const title = label === g.group.label ? '' : `<title>${esc(g.group.label)}</title>`;
    const labelY = g.labelOnTop ? g.y + 19 : g.y + g.h - 10;
    out.push(`<text x="${g.x + GROUP_PAD}" y="${labelY}" class="env-label" fill="${g.group.colour}">${title}${esc(label)}</text>`);
    out.push('</g>');
  }
  const host = platform.hostCluster;
  const hostBox = host ? boxes.get(host) : undefined;
  if (host && hostBox) {
    for (const m of [...members].sort((a, b) => cmp(a.name, b.name))) {
      const b = boxes.get(m);
      if (!b) continue;
      const x1 = hostBox.x + BOX_W / 2;
      const y1 = hostBox.y + BOX_H;
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y - 2;
      const mid = (y1 + y2) / 2;
      out.push(`<path class="link" d="M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}" fill="none" stroke="#64748b" stroke-width="1.5" marker-end="url(#arrow)"><title>${esc(`${host.name} manages ${m.name}`)}</title></path>`);
    }
  }
  for (const c of platform.clusters) {
    const b = boxes.get(c);
    if (!b) continue;
    const name = truncate(c.name, Math.floor((BOX_W - 20) / (CHAR_W + 0.6)));
    const objects = objectCounts.get(c.name) ?? 0;
    const stroke = c.isHost ? '#1e3a8a' : '#334155';
    out.push(`<a href="#${clusterAnchor(c.name)}" class="cluster-box"><title>${esc(`${c.name} (${c.role}), ${plural(objects, 'object')}${c.description ? `: ${c.description}` : ''}`)}</title>`);
    out.push(`<rect x="${b.x}" y="${b.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${c.isHost ? '#eff6ff' : '#ffffff'}" stroke="${stroke}" stroke-width="${c.isHost ? 2.5 : 1.5}"/>`);
    out.push(`<text x="${b.x + BOX_W / 2}" y="${b.y + 24}" text-anchor="middle" class="cluster-name">${esc(name)}</text>`);
    out.push(`<text x="${b.x + BOX_W / 2}" y="${b.y + 43}" text-anchor="middle" class="cluster-meta">${esc(`${c.isHost ? 'host' : 'member'} · ${plural(objects, 'object')}`)}</text>`);
    out.push('</a>');
  }
  out.push('</svg>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------------------

const STYLE = `
:root { --report-style: ok; --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --accent: #1d4ed8;
  --error: #b91c1c; --error-bg: #fee2e2; --warning: #92400e; --warning-bg: #fef3c7; --waived: #475569; --waived-bg: #e2e8f0; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { scroll-padding-top: 12px; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
nav.toc { position: fixed; top: 0; left: 0; bottom: 0; width: 250px; overflow-y: auto; padding: 16px 14px; background: var(--bg); border-right: 1px solid var(--line); }
nav.toc .brand { font-weight: 700; font-size: 15px; margin-bottom: 2px; word-break: break-word; }
nav.toc ul { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: 2px 0; }
nav.toc ul ul { padding-left: 14px; font-size: 13px; }
nav.toc ul ul ul { padding-left: 12px; }
nav.toc a { color: var(--fg); display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
nav.toc a:hover { color: var(--accent); }
main { margin-left: 250px; padding: 20px 32px 60px; max-width: 1400px; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 24px; border-bottom: 1px solid var(--line); padding-bottom: 14px; }
header.top h1 { margin: 0; font-size: 22px; }
header.top .sub { color: var(--muted); font-size: 13px; }
.searchbar { margin-left: auto; display: flex; gap: 8px; align-items: center; }
#search { width: 320px; max-width: 60vw; padding: 7px 10px; border: 1px solid #94a3b8; border-radius: 6px; font: inherit; }
section.part { padding-top: 10px; }
section.part > h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin: 26px 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
.card .n { font-size: 24px; font-weight: 700; }
.card .l { color: var(--muted); font-size: 12.5px; }
.card.error .n { color: var(--error); } .card.warning .n { color: var(--warning); } .card.waived .n { color: var(--waived); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 5px 8px; }
th { background: var(--bg); font-weight: 600; font-size: 12.5px; color: #334155; }
td.num, th.num { text-align: right; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
.badge { display: inline-block; font-size: 11.5px; padding: 0 7px; border-radius: 9px; background: var(--waived-bg); color: var(--waived); white-space: nowrap; vertical-align: 1px; }
.badge.error { background: var(--error-bg); color: var(--error); }
.badge.warning { background: var(--warning-bg); color: var(--warning); }
.badge.prod { background: #dbeafe; color: #1e3a8a; }
.badge.host { background: #e0e7ff; color: #3730a3; }
.badge.kind { background: #f1f5f9; color: #334155; text-transform: uppercase; letter-spacing: .03em; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 8px; background: #fff; overflow-x: auto; }
svg.topology { max-width: 100%; height: auto; display: block; margin: 0 auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .env-label { font-size: 13px; font-weight: 600; }
svg .cluster-name { font-size: 13.5px; font-weight: 700; fill: #0f172a; }
svg .cluster-meta { font-size: 11.5px; fill: #475569; }
svg a.cluster-box:hover rect { stroke: #1d4ed8; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 8px; font-size: 12.5px; color: #334155; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin-right: 5px; border: 2px solid; }
${ENV_COLOURS.map((c, i) => `.env-c${i} { border-color: ${c}; background: ${c}22; }`).join('\n')}
.env-none { border-color: ${NO_ENV_COLOUR}; background: ${NO_ENV_COLOUR}22; }
details { margin: 6px 0; }
details > summary { cursor: pointer; }
details.tenant { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px 8px; background: #fff; }
details.tenant > summary { font-size: 16px; padding: 4px 0; }
details.project { border-left: 3px solid #cbd5e1; padding: 2px 0 4px 12px; margin: 10px 0 10px 4px; }
details.project > summary { font-size: 15px; padding: 2px 0; }
.item { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; margin: 6px 0; background: #fff; }
.item > summary { padding: 2px 0; }
.item .body, .tenant .body, .project .body { padding: 2px 0 4px; }
h4 { margin: 12px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #475569; }
ul.plain { margin: 2px 0; padding-left: 18px; }
.kv { margin: 2px 0; }
.kv b { font-weight: 600; color: #334155; }
ol.stages { list-style: none; display: flex; flex-wrap: wrap; gap: 4px; padding: 0; margin: 4px 0; }
ol.stages li { position: relative; border: 1px solid #cbd5e1; border-radius: 12px; padding: 0 9px; font-size: 12px; background: var(--bg); }
ol.stages li + li { margin-left: 14px; }
ol.stages li.approve { border-color: #d97706; background: #fffbeb; }
ol.stages li.deploy { border-color: #2563eb; background: #eff6ff; }
ol.stages li.verify { border-color: #059669; background: #ecfdf5; }
ol.stages li + li::before { content: "→"; position: absolute; left: -15px; color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.filters button, .tools button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid #94a3b8; border-radius: 14px; background: #fff; cursor: pointer; }
.filters button[aria-pressed="true"] { background: #1e293b; color: #fff; border-color: #1e293b; }
.tools { display: flex; gap: 6px; margin: 4px 0 8px; }
table.findings { table-layout: fixed; min-width: 900px; }
table.findings td { font-size: 12.5px; overflow-wrap: break-word; }
table.findings td code { overflow-wrap: anywhere; }
table.findings col.c-sev { width: 76px; } table.findings col.c-rule { width: 118px; } table.findings col.c-cluster { width: 92px; }
table.findings col.c-object { width: 17%; } table.findings col.c-source { width: 13%; } table.findings col.c-waived { width: 9%; }
.scroll { overflow-x: auto; }
table.findings td.sev { white-space: nowrap; }
tr.error td.sev { color: var(--error); font-weight: 600; }
tr.warning td.sev { color: var(--warning); font-weight: 600; }
tr.waived td { color: #475569; }
.count { color: var(--muted); font-size: 12.5px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 900px) { nav.toc { position: static; width: auto; border-right: 0; border-bottom: 1px solid var(--line); } main { margin-left: 0; padding: 12px; } }
@media print { nav.toc, .searchbar, .filters, .tools { display: none; } main { margin-left: 0; } details { display: block; } }
`;

/** The page's one script: search, severity filters, expand/collapse, and `?q=` / `?severity=` in the address. */
const SCRIPT = `
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  root.setAttribute('data-script', 'ready');
  if (getComputedStyle(root).getPropertyValue('--report-style').trim() === 'ok') root.setAttribute('data-style', 'ok');
  var box = doc.getElementById('search');
  var nodes = Array.prototype.slice.call(doc.querySelectorAll('#tenants [data-search]'));
  var index = new Map();
  nodes.forEach(function (n, i) { index.set(n, i); });
  var kids = nodes.map(function () { return []; });
  var texts = nodes.map(function (n, i) {
    var text = n.getAttribute('data-search');
    var p = n.parentElement && n.parentElement.closest('[data-search]');
    if (p && index.has(p)) kids[index.get(p)].push(i);
    for (; p; p = p.parentElement && p.parentElement.closest('[data-search]')) text += ' ' + p.getAttribute('data-search');
    return text;
  });
  var rows = Array.prototype.slice.call(doc.querySelectorAll('#findings tbody tr[data-status]'));
  var rowTexts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var buttons = Array.prototype.slice.call(doc.querySelectorAll('#findings [data-filter]'));
  var status = 'all';
  function matches(text, terms) {
    for (var i = 0; i < terms.length; i++) if (text.indexOf(terms[i]) < 0) return false;
    return true;
  }
  function apply() {
    var terms = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = [];
    var leaves = 0;
    var leavesShown = 0;
    for (var i = nodes.length - 1; i >= 0; i--) {
      var own = matches(texts[i], terms);
      var v = own || kids[i].some(function (k) { return shown[k]; });
      shown[i] = v;
      nodes[i].hidden = !v;
      if (kids[i].length === 0) { leaves++; if (v) leavesShown++; }
      if (v && terms.length > 0 && nodes[i].tagName === 'DETAILS' && (kids[i].length > 0 || matches(nodes[i].getAttribute('data-search'), terms))) nodes[i].open = true;
    }
    var treeCount = doc.getElementById('tree-count');
    if (treeCount) treeCount.textContent = terms.length ? leavesShown + ' of ' + leaves + ' items match' : '';
    var n = 0;
    rows.forEach(function (r, i) {
      var v = (status === 'all' || r.getAttribute('data-status') === status) && matches(rowTexts[i], terms);
      r.hidden = !v;
      if (v) n++;
    });
    var count = doc.getElementById('findings-count');
    if (count) count.textContent = n + ' of ' + rows.length + ' findings shown';
    buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === status)); });
  }
  buttons.forEach(function (b) { b.addEventListener('click', function () { status = b.getAttribute('data-filter'); apply(); }); });
  Array.prototype.slice.call(doc.querySelectorAll('[data-expand]')).forEach(function (b) {
    b.addEventListener('click', function () {
      var open = b.getAttribute('data-expand') === 'open';
      Array.prototype.slice.call(doc.querySelectorAll('#tenants details')).forEach(function (d) { d.open = open; });
    });
  });
  box.addEventListener('input', apply);
  doc.addEventListener('keydown', function (e) {
    if (e.key === '/' && doc.activeElement !== box) { e.preventDefault(); box.focus(); }
    else if (e.key === 'Escape' && doc.activeElement === box) { box.value = ''; apply(); }
  });
  var params = new URLSearchParams(location.search);
  if (params.get('q')) box.value = params.get('q');
  if (params.get('severity')) status = params.get('severity');
  apply();
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Writes one report; holds the indexes the sections share. */
class ReportWriter {
  private readonly platform: Platform;
  private readonly rendered: RenderedPlatform;
  private readonly findings: readonly Finding[];
  private readonly generatedFrom?: string;
  private readonly objectCounts = new Map<string, number>();
  private readonly findingsBySource = new Map<string, StatusCounts>();
  private readonly anchors = new Set<string>();
  private readonly callers = new Map<IConnectable, AppService[]>();

  constructor(input: ReportInput) {
    this.platform = input.platform;
    this.rendered = input.rendered;
    this.findings = sortedFindings(input.findings);
    this.generatedFrom = input.generatedFrom;
    for (const rc of this.rendered.clusters) this.objectCounts.set(rc.cluster.name, rc.objects.length);
    for (const f of this.findings) {
      const c = this.findingsBySource.get(f.source) ?? { error: 0, warning: 0, waived: 0 };
      c[statusOf(f)] += 1;
      this.findingsBySource.set(f.source, c);
    }
    for (const tenant of this.platform.tenants) {
      this.anchors.add(anchorOf(tenant));
      for (const project of tenant.projects) {
        this.anchors.add(anchorOf(project));
        for (const s of project.services) {
          this.anchors.add(anchorOf(s));
          for (const c of s.connections) this.callers.set(c.target, [...(this.callers.get(c.target) ?? []), s]);
        }
        for (const s of project.statefulServices) this.anchors.add(anchorOf(s));
        for (const p of project.pipelines) this.anchors.add(anchorOf(p));
      }
    }
  }

  /** The whole document. */
  public document(): string {
    const name = this.platform.node.id;
    const csp = `default-src 'none'; img-src data:; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}; base-uri 'none'; form-action 'none'`;
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="generator" content="platform-cdk report">',
      `<title>${esc(`${name} — platform-cdk report`)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      this.toc(),
      '<main>',
      this.header(),
      this.overview(),
      this.topology(),
      this.environmentsSection(),
      this.clustersSection(),
      this.tenantsSection(),
      this.findingsSection(),
      `<footer>Written by platform-cdk from the model${this.generatedFrom !== undefined ? ` of <code>${esc(this.generatedFrom)}</code>` : ''}. The page is self-contained: it loads nothing from the network.</footer>`,
      '</main>',
      `<script>${SCRIPT}</script>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  }

  private toc(): string {
    const out: string[] = ['<nav class="toc" aria-label="Contents">', `<div class="brand">${esc(this.platform.node.id)}</div>`, '<div class="muted small">platform-cdk report</div>', '<ul>'];
    out.push('<li><a href="#overview">Overview</a></li>', '<li><a href="#topology">Topology</a></li>');
    out.push('<li><a href="#environments">Environments</a><ul>');
    for (const e of this.platform.environments) out.push(`<li><a href="#${envAnchor(e.name)}">${esc(e.name)}</a></li>`);
    out.push('</ul></li>', '<li><a href="#clusters">Clusters</a><ul>');
    for (const c of this.platform.clusters) out.push(`<li><a href="#${clusterAnchor(c.name)}">${esc(c.name)}</a></li>`);
    out.push('</ul></li>', '<li><a href="#tenants">Tenants</a><ul>');
    for (const t of this.platform.tenants) {
      out.push(`<li><a href="#${anchorOf(t)}">${esc(t.name)}</a><ul>`);
      for (const p of t.projects) out.push(`<li><a href="#${anchorOf(p)}">${esc(p.name)}</a></li>`);
      out.push('</ul></li>');
    }
    const counts = countStatuses(this.findings);
    out.push('</ul></li>', `<li><a href="#findings">Findings</a> <span class="muted small">${counts.error} errors, ${counts.warning} warnings</span></li>`, '</ul>', '</nav>');
    return out.join('\n');
  }

  private header(): string {
    const from = this.generatedFrom !== undefined ? ` · from <code>${esc(this.generatedFrom)}</code>` : '';
    return [
      '<header class="top">',
      `<div><h1>${esc(this.platform.node.id)}</h1><div class="sub">Estate report · target ${esc(this.platform.target)}${from}</div></div>`,
      '<div class="searchbar"><label for="search" class="muted small">Search</label>',
      '<input type="search" id="search" placeholder="tenants, projects, services, findings … (press /)" autocomplete="off" spellcheck="false"></div>',
      '</header>',
    ].join('\n');
  }

  private overview(): string {
    const p = this.platform;
    const projects = p.tenants.flatMap((t) => t.projects);
    const services = projects.flatMap((x) => x.services);
    const stateful = projects.flatMap((x) => x.statefulServices);
    const pipelines = projects.flatMap((x) => x.pipelines);
    const namespaces = projects.reduce((n, x) => n + x.placements.length, 0);
    const objects = this.rendered.clusters.reduce((n, rc) => n + rc.objects.length, 0);
    const hosts = p.clusters.filter((c) => c.isHost).length;
    const counts = countStatuses(this.findings);
    const card = (n: number, label: string, cls = ''): string => `<div class="card${cls ? ` ${cls}` : ''}"><div class="n">${n}</div><div class="l">${esc(label)}</div></div>`;
    const out: string[] = ['<section class="part" id="overview">', '<h2>Overview</h2>', '<div class="cards">'];
    out.push(
      card(p.clusters.length, `clusters (${hosts} host, ${p.clusters.length - hosts} members)`),
      card(p.environments.length, `environments (${p.environments.filter((e) => e.production).length} production)`),
      card(p.tenants.length, 'tenants'),
      card(p.tenants.reduce((n, t) => n + t.departments.length, 0), 'departments'),
      card(projects.length, `projects (${namespaces} namespaces)`),
      card(services.length, 'services'),
      card(stateful.length, 'stateful services'),
      card(pipelines.length, 'pipelines'),
      card(objects, 'objects'),
      card(counts.error, 'errors', 'error'),
      card(counts.warning, 'warnings', 'warning'),
      card(counts.waived, 'waived findings', 'waived'),
    );
    out.push('</div>');
    out.push('<h4>Objects per cluster</h4>', '<table class="objects"><thead><tr><th>Cluster</th><th>Role</th><th class="num">Objects</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Waived</th></tr></thead><tbody>');
    for (const rc of this.rendered.clusters) {
      const c = countStatuses(this.findings.filter((f) => f.cluster === rc.cluster.name));
      out.push(`<tr><td><a href="#${clusterAnchor(rc.cluster.name)}">${esc(rc.cluster.name)}</a></td><td>${esc(rc.cluster.role)}</td><td class="num">${rc.objects.length}</td><td class="num">${c.error}</td><td class="num">${c.warning}</td><td class="num">${c.waived}</td></tr>`);
    }
    const other = countStatuses(this.findings.filter((f) => !this.objectCounts.has(f.cluster)));
    if (other.error + other.warning + other.waived > 0) out.push(`<tr><td class="muted">not of one cluster</td><td></td><td class="num"></td><td class="num">${other.error}</td><td class="num">${other.warning}</td><td class="num">${other.waived}</td></tr>`);
    out.push(`</tbody><tfoot><tr><th>Total</th><th></th><th class="num">${objects}</th><th class="num">${counts.error}</th><th class="num">${counts.warning}</th><th class="num">${counts.waived}</th></tr></tfoot></table>`);
    if (this.rendered.files.size > 0) {
      const files = [...this.rendered.files.keys()].sort().map((f) => `<code>${esc(f)}</code>`).join(', ');
      out.push(`<details class="small"><summary>Besides the clusters' objects, the output has ${plural(this.rendered.files.size, 'file')} (CI definitions)</summary><p class="muted">${files}</p></details>`);
    }
    out.push('</section>');
    return out.join('\n');
  }

  private topology(): string {
    const envs = this.platform.environments;
    const legend = envs.map((e, i) => `<span><span class="swatch env-c${i % ENV_COLOURS.length}"></span><a href="#${envAnchor(e.name)}">${esc(e.name)}</a>${e.production ? ' <span class="badge prod">production</span>' : ''}</span>`);
    return [
      '<section class="part" id="topology">',
      '<h2>Topology</h2>',
      '<p class="muted small">The host cluster runs the KubeSphere control plane and manages the members (arrows). Clusters in the same environments share a box (dashed: not production). Select a cluster to see its objects.</p>',
      `<div class="figure">${topologySvg(this.platform, this.objectCounts)}</div>`,
      `<div class="legend">${legend.join('\n')}</div>`,
      '</section>',
    ].join('\n');
  }

  private environmentsSection(): string {
    const p = this.platform;
    const out: string[] = ['<section class="part" id="environments">', '<h2>Environments</h2>'];
    if (p.environments.length > 1) out.push(`<p class="small">Promotion order: ${p.promotionOrder.map((e) => esc(e.name)).join(' → ')}</p>`);
    out.push('<table><thead><tr><th>Environment</th><th>Production</th><th>Clusters</th><th>Domain</th><th>TLS</th><th>Namespace</th><th class="num">Default replicas</th><th class="num">Projects</th></tr></thead><tbody>');
    for (const e of p.environments) {
      const projects = p.tenants.flatMap((t) => t.projects).filter((x) => x.isPlacedIn(e));
      const tls = e.tls ? (e.tls.kind === 'cert-manager' ? `cert-manager (${esc(e.tls.issuer?.kind ?? '')} ${esc(e.tls.issuer?.name ?? '')})` : `Secret <code>${esc(e.tls.secret ?? '')}</code>`) : '<span class="muted">none</span>';
      out.push(
        `<tr id="${envAnchor(e.name)}"><td><b>${esc(e.name)}</b></td><td>${e.production ? '<span class="badge prod">production</span>' : 'no'}</td>` +
          `<td>${e.clusters.map((c) => `<a href="#${clusterAnchor(c.name)}">${esc(c.name)}</a>`).join(', ') || '<span class="muted">none</span>'}</td>` +
          `<td>${e.domain !== undefined ? `<code>${esc(e.domain)}</code>` : '<span class="muted">none</span>'}</td><td>${tls}</td>` +
          `<td>${e.namespaceSuffix ? `&lt;project&gt;<code>${esc(e.namespaceSuffix)}</code>` : '&lt;project&gt;'}</td><td class="num">${e.replicas}</td><td class="num">${projects.length}</td></tr>`,
      );
    }
    out.push('</tbody></table>', '</section>');
    return out.join('\n');
  }

  private clustersSection(): string {
    const p = this.platform;
    const byName = new Map(this.rendered.clusters.map((rc) => [rc.cluster.name, rc]));
    const out: string[] = ['<section class="part" id="clusters">', '<h2>Clusters</h2>'];
    out.push('<table><thead><tr><th>Cluster</th><th>Role</th><th>Environments</th><th>Labels</th><th>Ingress class</th><th>Storage class</th><th class="num">Namespaces</th><th>Objects</th></tr></thead><tbody>');
    for (const c of p.clusters) {
      const rc = byName.get(c.name);
      const envs = p.environments.filter((e) => e.clusters.includes(c));
      const labels = Object.entries(c.allLabels).sort((a, b) => cmp(a[0], b[0])).map(([k, v]) => `<code>${esc(k)}=${esc(v)}</code>`).join('<br>');
      const kinds = new Map<string, number>();
      for (const o of rc?.objects ?? []) kinds.set(o.manifest.kind, (kinds.get(o.manifest.kind) ?? 0) + 1);
      const kindList = [...kinds.entries()].sort((a, b) => cmp(a[0], b[0])).map(([k, n]) => `${esc(k)} ${n}`).join(', ');
      const objects = rc ? `<details><summary>${plural(rc.objects.length, 'object')}</summary><div class="small">${kindList}</div></details>` : '<span class="muted">not rendered</span>';
      out.push(
        `<tr id="${clusterAnchor(c.name)}"><td><b>${esc(c.name)}</b>${c.description ? `<div class="muted small">${esc(c.description)}</div>` : ''}</td>` +
          `<td>${c.isHost ? '<span class="badge host">host</span>' : 'member'}</td>` +
          `<td>${envs.map((e) => `<a href="#${envAnchor(e.name)}">${esc(e.name)}</a>`).join(', ') || '<span class="muted">none</span>'}</td>` +
          `<td>${labels || '<span class="muted">none</span>'}</td><td>${c.ingressClassName !== undefined ? esc(c.ingressClassName) : '<span class="muted">default</span>'}</td>` +
          `<td>${c.storageClassName !== undefined ? esc(c.storageClassName) : '<span class="muted">default</span>'}</td><td class="num">${rc?.plan.placements.length ?? 0}</td><td>${objects}</td></tr>`,
      );
    }
    out.push('</tbody></table>', '</section>');
    return out.join('\n');
  }

  private tenantsSection(): string {
    const out: string[] = ['<section class="part" id="tenants">', '<h2>Tenants</h2>'];
    out.push('<div class="tools"><button type="button" data-expand="open">Expand all</button><button type="button" data-expand="close">Collapse all</button><span class="count" id="tree-count"></span></div>');
    if (this.platform.tenants.length === 0) out.push('<p class="muted">The platform has no tenants.</p>');
    for (const t of this.platform.tenants) out.push(this.tenant(t));
    out.push('</section>');
    return out.join('\n');
  }

  private tenant(t: Tenant): string {
    const departments = t.departments;
    const out: string[] = [];
    out.push(`<details class="tenant" id="${anchorOf(t)}" open data-search="${esc(searchText('tenant', t.name, t.displayName, t.manager, t.description))}">`);
    out.push(`<summary><span class="badge kind">tenant</span> <b>${esc(t.name)}</b>${t.displayName ? ` <span class="muted">${esc(t.displayName)}</span>` : ''} <span class="muted small">${plural(t.projects.length, 'project')}</span>${findingBadges(this.findingsBySource.get(t.node.path))}</summary>`);
    out.push('<div class="body">');
    if (t.description) out.push(`<p class="kv">${esc(t.description)}</p>`);
    out.push(`<p class="kv"><b>Manager</b> ${esc(t.manager)} · <b>Network</b> ${esc(t.network)} · <b>Clusters</b> ${t.clusters.map((c) => `<a href="#${clusterAnchor(c.name)}">${esc(c.name)}</a>`).join(', ') || '<span class="muted">none</span>'}</p>`);
    if (t.workspaceGrants.length > 0) out.push(`<p class="kv"><b>Workspace roles</b> ${t.workspaceGrants.map((g) => `${esc(g.subject.subjectName)}: ${esc(g.role.name)}`).join(', ')}</p>`);
    if (t.projectGrants.length > 0) out.push(`<p class="kv"><b>Roles in every project</b> ${t.projectGrants.map((g) => `${esc(g.subject.subjectName)}: ${esc(g.role.name)}${g.environments ? ` (${g.environments.map((e) => esc(typeof e === 'string' ? e : e.name)).join(', ')})` : ''}`).join(', ')}</p>`);
    if (departments.length > 0) {
      out.push('<div class="group" data-search="departments">', '<h4>Departments</h4>', '<ul class="plain">');
      for (const d of departments.filter((x) => x.parent === undefined)) out.push(this.department(d, departments));
      out.push('</ul>', '</div>');
    }
    for (const p of t.projects) out.push(this.project(p));
    out.push('</div>', '</details>');
    return out.join('\n');
  }

  private department(d: Department, all: readonly Department[]): string {
    const children = all.filter((x) => x.parent === d);
    const members = d.members.length > 0 ? d.members.map((m) => esc(m)).join(', ') : '<span class="muted">no members</span>';
    const nested = children.length > 0 ? `<ul class="plain">${children.map((c) => this.department(c, all)).join('\n')}</ul>` : '';
    return `<li id="${anchorOf(d)}" data-search="${esc(searchText('department', d.name, d.displayName, d.subjectName, ...d.members))}"><b>${esc(d.name)}</b>${d.displayName ? ` <span class="muted">${esc(d.displayName)}</span>` : ''} — ${members}${nested}</li>`;
  }

  private project(p: Project): string {
    const out: string[] = [];
    const placements = p.placements;
    const terms = searchText('project', p.name, p.displayName, p.description, ...new Set(placements.map((x) => x.namespace)));
    out.push(`<details class="project" id="${anchorOf(p)}" open data-search="${esc(terms)}">`);
    out.push(
      `<summary><span class="badge kind">project</span> <b>${esc(p.name)}</b>${p.displayName ? ` <span class="muted">${esc(p.displayName)}</span>` : ''} <span class="muted small">${plural(p.services.length, 'service')}, ${plural(p.statefulServices.length, 'stateful service')}, ${plural(p.pipelines.length, 'pipeline')}</span>${findingBadges(this.findingsBySource.get(p.node.path))}</summary>`,
    );
    out.push('<div class="body">');
    if (p.description) out.push(`<p class="kv">${esc(p.description)}</p>`);
    out.push('<table class="namespaces"><thead><tr><th>Environment</th><th>Cluster</th><th>Namespace</th><th>Quota (requests/limits)</th></tr></thead><tbody>');
    for (const x of placements) {
      const q = p.quotaFor(x.environment);
      out.push(
        `<tr><td><a href="#${envAnchor(x.environment.name)}">${esc(x.environment.name)}</a>${x.environment.production ? ' <span class="badge prod">production</span>' : ''}</td><td><a href="#${clusterAnchor(x.cluster.name)}">${esc(x.cluster.name)}</a></td>` +
          `<td><code>${esc(x.namespace)}</code></td><td class="small">CPU ${cpu(q.cpuRequestMillis)}/${cpu(q.cpuLimitMillis)}, memory ${memory(q.memoryRequestMiB)}/${memory(q.memoryLimitMiB)}, ${q.pods} pods</td></tr>`,
      );
    }
    out.push('</tbody></table>');
    if (p.grants.length > 0) out.push(`<p class="kv"><b>Roles</b> ${p.grants.map((g) => `${esc(g.subject.subjectName)}: ${esc(g.role.name)}${g.environments ? ` (${g.environments.map((e) => esc(typeof e === 'string' ? e : e.name)).join(', ')})` : ''}`).join(', ')}</p>`);
    const group = (title: string, items: string[]): void => {
      if (items.length > 0) out.push(`<div class="group" data-search="${esc(title.toLowerCase())}">`, `<h4>${esc(title)}</h4>`, ...items, '</div>');
    };
    group('Services', p.services.map((s) => this.service(s)));
    group('Stateful services', p.statefulServices.map((s) => this.statefulService(s)));
    group('Pipelines', p.pipelines.map((x) => this.pipeline(x)));
    out.push('</div>', '</details>');
    return out.join('\n');
  }

  /** A link to a construct of the tree when it has an anchor, else its name. */
  private link(construct: { readonly node: { readonly path: string } }, text: string): string {
    const id = anchorOf(construct);
    return this.anchors.has(id) ? `<a href="#${id}">${esc(text)}</a>` : esc(text);
  }

  /** The name of a connection target as seen from a project: `name` in the project, `project/name` in its tenant, else `tenant/project/name`. */
  private targetName(target: IConnectable, from: Project): string {
    if (target.project === from) return target.name;
    return target.project.tenant === from.tenant ? `${target.project.name}/${target.name}` : `${target.project.tenant.name}/${target.project.name}/${target.name}`;
  }

  private service(s: AppService): string {
    const envs = s.project.environments;
    const settings = envs.map((e) => ({ env: e, s: s.settingsFor(e) }));
    const images = [...new Set(settings.map((x) => x.s.image.reference))];
    const ports = s.ports.map((p) => `${p.name} ${p.port}/${p.protocol}${p.containerPort !== p.port ? ` → ${p.containerPort}` : ''}`);
    const routes = settings.flatMap(({ env }) => s.exposures.flatMap((x) => x.routesIn(env).map((r) => ({ env, exposure: x, ...r }))));
    const connections = s.connections.map((c) => ({ target: c.target, port: c.target.findPort(c.options.port) }));
    const callers = this.callers.get(s) ?? [];
    const terms = searchText('service', s.name, ...images, ...ports, ...routes.map((r) => r.host), ...connections.map((c) => c.target.name), ...callers.map((c) => c.name));
    const replicas = settings.map(({ env, s: x }) => `${env.name} ×${x.autoscaling ? `${x.replicas}–${x.maxReplicas}` : x.replicas}`).join(', ');
    const out: string[] = [];
    out.push(`<details class="item service" id="${anchorOf(s)}" data-search="${esc(terms)}">`);
    out.push(
      `<summary><b>${esc(s.name)}</b> <code class="muted">${esc(images.join(', '))}</code> <span class="small">${esc(replicas)}</span>` +
        `${routes.length > 0 ? ` <span class="small">· ${esc([...new Set(routes.map((r) => r.host))].join(', '))}</span>` : ''}${findingBadges(this.findingsBySource.get(s.node.path))}</summary>`,
    );
    out.push('<div class="body">');
    out.push(`<p class="kv"><b>Ports</b> ${ports.length > 0 ? ports.map((p) => `<code>${esc(p)}</code>`).join(', ') : '<span class="muted">none</span>'}</p>`);
    const waivers = settings.some(({ s: x }) => x.waivers.length > 0);
    out.push(`<table class="small"><thead><tr><th>Environment</th><th>Image</th><th>Replicas</th><th>Resources (request/limit)</th><th>Hosts</th>${waivers ? '<th>Waivers</th>' : ''}</tr></thead><tbody>`);
    for (const { env, s: x } of settings) {
      const a = x.autoscaling;
      const scale = a ? `${x.replicas}–${x.maxReplicas} (autoscaled${a.cpuUtilization !== undefined ? `, CPU ${a.cpuUtilization}%` : ''}${a.memoryUtilization !== undefined ? `, memory ${a.memoryUtilization}%` : ''})` : String(x.replicas);
      const hosts = routes
        .filter((r) => r.env === env)
        .map((r) => {
          const tls = r.exposure.tlsIn(env);
          return `<code>${esc(r.host)}${esc(r.exposure.path === '/' ? '' : r.exposure.path)}</code>${tls ? ' <span class="muted">TLS</span>' : ' <span class="muted">plain HTTP</span>'}${r.legacy ? ' <span class="badge warning">legacy backend until cut-over</span>' : ''}`;
        });
      out.push(
        `<tr><td>${esc(env.name)}</td><td><code>${esc(x.image.reference)}</code></td><td>${esc(scale)}</td><td>${esc(resourcesText(s.podResourcesIn(env)))}</td>` +
          `<td>${hosts.join('<br>') || '<span class="muted">not exposed</span>'}</td>${waivers ? `<td>${x.waivers.map(([rule, reason]) => `${esc(rule)}: ${esc(reason)}`).join('<br>')}</td>` : ''}</tr>`,
      );
    }
    out.push('</tbody></table>');
    if (connections.length > 0) {
      out.push(`<p class="kv"><b>Connects to</b> ${connections.map((c) => `${this.link(c.target, this.targetName(c.target, s.project))}${c.port ? ` <span class="muted">:${c.port.port}</span>` : ''}${StatefulService.isStatefulService(c.target) ? ' <span class="muted">(stateful)</span>' : ''}`).join(', ')}</p>`);
    }
    if (callers.length > 0) out.push(`<p class="kv"><b>Called by</b> ${callers.map((c) => this.link(c, this.targetName(c, s.project))).join(', ')}</p>`);
    out.push('</div>', '</details>');
    return out.join('\n');
  }

  private statefulService(s: StatefulService): string {
    const envs = s.project.environments;
    const settings = envs.map((e) => ({ env: e, s: s.settingsFor(e) }));
    const ports = s.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`);
    const callers = this.callers.get(s) ?? [];
    const modes = settings.map(({ env, s: x }) => `${env.name}: ${x.mode === StatefulMode.IN_CLUSTER ? 'in cluster' : 'external'}`);
    const terms = searchText('stateful', s.name, s.engine.name, ...modes, ...settings.flatMap(({ s: x }) => [...(x.external?.addresses ?? []), x.external?.host, x.inCluster?.image.reference]), ...callers.map((c) => c.name));
    const out: string[] = [];
    out.push(`<details class="item stateful" id="${anchorOf(s)}" data-search="${esc(terms)}">`);
    out.push(`<summary><b>${esc(s.name)}</b> <span class="badge kind">${esc(s.engine.name)}</span> <span class="small">${esc(modes.join(', '))}</span>${findingBadges(this.findingsBySource.get(s.node.path))}</summary>`);
    out.push('<div class="body">');
    out.push(`<p class="kv"><b>Ports</b> ${ports.map((p) => `<code>${esc(p)}</code>`).join(', ') || '<span class="muted">none</span>'}</p>`);
    out.push('<table class="small"><thead><tr><th>Environment</th><th>Mode</th><th>Where</th><th>Backup</th></tr></thead><tbody>');
    for (const { env, s: x } of settings) {
      let where: string;
      let backup = '<span class="muted">none</span>';
      if (x.mode === StatefulMode.IN_CLUSTER && x.inCluster) {
        const ic = x.inCluster;
        where = `<code>${esc(ic.image?.reference ?? '')}</code>, ${esc(plural(ic.replicas ?? 1, 'replica'))} × ${esc(ic.storage)}${ic.storageClassName ? ` (${esc(ic.storageClassName)})` : ''}; ${esc(resourcesText(x.resources))}`;
        if (ic.backup) backup = `<code>${esc(ic.backup.schedule)}</code> to ${ic.backup.target.kind === 's3' ? `S3 bucket ${esc(ic.backup.target.s3?.bucket ?? '')}` : `volume ${esc(ic.backup.target.claimName ?? '')}`}${ic.backup.timeZone ? ` (${esc(ic.backup.timeZone)})` : ''}`;
      } else if (x.external) {
        const e = x.external;
        where = e.addresses && e.addresses.length > 0 ? `addresses ${e.addresses.map((a) => `<code>${esc(a)}</code>`).join(', ')}${e.port !== undefined ? ` port ${e.port}` : ''}` : `host <code>${esc(e.host ?? '')}</code>${e.cidrs ? ` (networks ${e.cidrs.map((c) => esc(c)).join(', ')})` : ''}`;
      } else where = '<span class="muted">not given</span>';
      out.push(`<tr><td>${esc(env.name)}</td><td>${x.mode === StatefulMode.IN_CLUSTER ? 'in cluster' : 'external'}</td><td>${where}</td><td>${backup}</td></tr>`);
    }
    out.push('</tbody></table>');
    if (callers.length > 0) out.push(`<p class="kv"><b>Used by</b> ${callers.map((c) => this.link(c, this.targetName(c, s.project))).join(', ')}</p>`);
    out.push('</div>', '</details>');
    return out.join('\n');
  }

  private pipeline(p: Pipeline): string {
    const stages = p.stages;
    const props = p.props;
    const approvers = props.approval?.approvers;
    const terms = searchText('pipeline', p.module, props.source?.repository, props.source?.branch, ...stages.map((s) => s.name), approvers?.name);
    const out: string[] = [];
    out.push(`<details class="item pipeline" id="${anchorOf(p)}" data-search="${esc(terms)}">`);
    out.push(`<summary><b>${esc(p.module)}</b> <span class="small muted">${plural(stages.length, 'stage')} → ${esc(p.environments.map((e) => e.name).join(', '))}</span>${findingBadges(this.findingsBySource.get(p.node.path))}</summary>`);
    out.push('<div class="body">');
    out.push(`<ol class="stages">${stages.map((s) => `<li class="${s.kind}" title="${esc(stageDetail(s))}">${esc(s.name)}</li>`).join('')}</ol>`);
    const facts: string[] = [];
    if (p.service) facts.push(`<b>Releases</b> ${this.link(p.service, p.service.name)}`);
    facts.push(`<b>Image</b> <code>${esc(`${p.image?.registry.host ?? ''}/${p.image?.repository ?? ''}`)}</code>`);
    if (props.source) facts.push(`<b>Source</b> <code>${esc(props.source.repository)}</code> (${esc(props.source.branch ?? 'main')})`);
    if (approvers) facts.push(`<b>Approvers</b> ${esc(approvers.name)} (${approvers.members.map((m) => esc(m)).join(', ') || 'no members'}) before ${esc(p.approvalEnvironments.map((e) => e.name).join(', ') || 'no environment')}`);
    out.push(`<p class="kv small">${facts.join(' · ')}</p>`);
    out.push('</div>', '</details>');
    return out.join('\n');
  }

  private findingsSection(): string {
    const counts = countStatuses(this.findings);
    const out: string[] = ['<section class="part" id="findings">', '<h2>Findings</h2>'];
    out.push(
      '<div class="filters" role="group" aria-label="Filter by severity">' +
        `<button type="button" data-filter="all" aria-pressed="true">All (${this.findings.length})</button>` +
        `<button type="button" data-filter="error" aria-pressed="false">Errors (${counts.error})</button>` +
        `<button type="button" data-filter="warning" aria-pressed="false">Warnings (${counts.warning})</button>` +
        `<button type="button" data-filter="waived" aria-pressed="false">Waived (${counts.waived})</button>` +
        `<span class="count" id="findings-count">${plural(this.findings.length, 'finding')}</span></div>`,
    );
    out.push('<div class="scroll"><table class="findings"><colgroup><col class="c-sev"><col class="c-rule"><col class="c-cluster"><col class="c-object"><col class="c-source"><col><col><col class="c-waived"></colgroup><thead><tr><th>Severity</th><th>Rule</th><th>Cluster</th><th>Object</th><th>Construct path</th><th>Message</th><th>Fix</th><th>Waived because</th></tr></thead><tbody>');
    if (this.findings.length === 0) out.push('<tr><td colspan="8" class="muted">No findings: every object passed its schema and the policy rules.</td></tr>');
    for (const f of this.findings) {
      const status = statusOf(f);
      const cluster = this.objectCounts.has(f.cluster) ? `<a href="#${clusterAnchor(f.cluster)}">${esc(f.cluster)}</a>` : esc(f.cluster);
      const sourceId = `c-${slug(f.source)}`;
      const source = this.anchors.has(sourceId) ? `<a href="#${sourceId}"><code>${esc(f.source)}</code></a>` : `<code>${esc(f.source)}</code>`;
      out.push(
        `<tr class="${status}" data-status="${status}"><td class="sev">${esc(f.severity)}${f.waived !== undefined ? ' (waived)' : ''}</td><td><code>${esc(f.rule)}</code></td><td>${cluster}</td>` +
          `<td><code>${esc(f.object)}</code>${f.at ? `<div class="muted"><code>${esc(f.at)}</code></div>` : ''}</td><td>${source}</td><td>${esc(f.message)}</td><td>${esc(f.fix)}</td><td>${f.waived !== undefined ? esc(f.waived) : ''}</td></tr>`,
      );
    }
    out.push('</tbody></table></div>', '</section>');
    return out.join('\n');
  }
}

/** A stage's details for its tooltip: the image and commands of a step, the approvers of an approval. */
function stageDetail(s: PipelineStage): string {
  switch (s.kind) {
    case 'run':
    case 'verify':
      return [s.image?.reference, ...s.commands].filter((x) => x !== undefined).join('\n');
    case 'approve':
      return `approvers: ${s.approvers?.name ?? ''} (${(s.approvers?.members ?? []).join(', ')})`;
    case 'scan':
      return `severities ${s.severities.join(', ')}${s.ignoreUnfixed ? ', unfixed ignored' : ''}`;
    case 'deploy':
      return `synthesize with this run's tag and hand ${s.environment.name}'s clusters their folders`;
    default:
      return s.name;
  }
}
