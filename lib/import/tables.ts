/**
 * What makes an imported program as short as a hand-written one: the values many services repeat, named once.
 * Resource blocks used three times or more become named sizes (`SIZES.M`), secret stores constants (`vault`), the props
 * most services of a kind share a constant spread into their rows (`...CV_PORTAL_COMMON`), the same note on many
 * services one comment above their table, and the label maps an escape hatch repeats a variable.
 */
import { Code } from './code';
import { commentText, inline, key, literal, Names, refsIn, Spread, SPREADS, str, WIDTH } from './format';
import type { StoreKey } from './model';

/** The fewest services a shared constant is written for. */
const MIN_SHARED = 3;

/** The names of sizes, smallest first, by how many there are. */
const SIZE_NAMES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];

/** The order resource blocks are compared and written in (the same block however a service wrote it). */
const RESOURCE_KEYS = ['cpuRequestMillis', 'cpuLimitMillis', 'memoryRequestMiB', 'memoryLimitMiB'];

function canonical(r: Record<string, number>): Record<string, number> {
  const keys = Object.keys(r).sort((a, b) => (RESOURCE_KEYS.indexOf(a) + 1 || 99) - (RESOURCE_KEYS.indexOf(b) + 1 || 99) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

/** Names of many sizes, by memory limit and CPU limit (`MEM_2G_CPU_1000M`), unique. */
function byValue(sizes: readonly Record<string, number>[]): string[] {
  const mem = (n: number | undefined): string => (n === undefined ? 'ANY' : n % 1024 === 0 ? `${n / 1024}G` : `${n}M`);
  const first = sizes.map((r) => `MEM_${mem(r.memoryLimitMiB ?? r.memoryRequestMiB)}`);
  const named = sizes.map((r, i) => (first.filter((f) => f === first[i]).length > 1 ? `${first[i]}_CPU_${r.cpuLimitMillis ?? r.cpuRequestMillis ?? 0}M` : first[i]));
  return named.map((n, i) => (named.indexOf(n) === i ? n : `${n}_${i + 1}`));
}

function storeId(k: StoreKey): string {
  return `${k.cluster ? 'cluster' : 'namespaced'}:${k.store}`;
}

/** Constants a program declares once and its rows use: sizes and secret stores. */
export class Hoisted {
  private readonly sizes = new Map<string, string>();
  private readonly sizeValues = new Map<string, Record<string, number>>();
  private readonly stores = new Map<string, { name: string; cluster: boolean; store: string }>();

  private readonly storeUses = new Map<string, number>();

  /**
   * @param names the program's names
   * @param resources every resource block the program writes (a block seen three times or more gets a size's name)
   * @param storeKeys every key of a secret store the program reads (a store read twice or more gets a constant)
   */
  constructor(
    private readonly names: Names,
    resources: readonly Record<string, number>[],
    storeKeys: readonly StoreKey[],
  ) {
    for (const k of storeKeys) this.storeUses.set(storeId(k), (this.storeUses.get(storeId(k)) ?? 0) + 1);
    const seen = new Map<string, { value: Record<string, number>; count: number }>();
    for (const r of resources.map(canonical)) {
      const t = inline(r);
      const e = seen.get(t) ?? { value: r, count: 0 };
      e.count++;
      seen.set(t, e);
    }
    const repeated = [...seen.entries()].filter(([, e]) => e.count >= MIN_SHARED);
    // Smallest first: by memory limit, CPU limit, memory request, CPU request (absent: 0), then as written.
    const weight = (r: Record<string, number>): number[] => ['memoryLimitMiB', 'cpuLimitMillis', 'memoryRequestMiB', 'cpuRequestMillis'].map((k) => r[k] ?? 0);
    repeated.sort(([ta, a], [tb, b]) => {
      const wa = weight(a.value);
      const wb = weight(b.value);
      for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return wa[i] - wb[i];
      return ta < tb ? -1 : ta > tb ? 1 : 0;
    });
    const labels = repeated.length <= 3 ? SIZE_NAMES.slice(1, 1 + repeated.length) : repeated.length <= SIZE_NAMES.length ? SIZE_NAMES : byValue(repeated.map(([, e]) => e.value));
    repeated.forEach(([t, e], i) => {
      this.sizes.set(t, labels[i]);
      this.sizeValues.set(labels[i], e.value);
    });
    if (repeated.length > 0) this.sizesName = names.constant('SIZES');
  }

  /** The name of the sizes' constant (when there are sizes). */
  public readonly sizesName?: string;

  /** A resource block as written in a row: a size's name when it has one. */
  public resources(r: Record<string, number>): Record<string, number> | Code {
    const size = this.sizes.get(inline(canonical(r)));
    return size === undefined ? r : new Code(`${this.sizesName}.${size}`);
  }

  /** A key of a secret store as code, the store a constant of the program. */
  public storeKey(k: StoreKey): Code {
    const id = storeId(k);
    let s = this.stores.get(id);
    if (!s && (this.storeUses.get(id) ?? 0) < 2) {
      const store = `SecretStore.${k.cluster ? 'cluster' : 'namespaced'}(${str(k.store)})`;
      return new Code(`${store}.key(${str(k.remoteKey)}${k.property !== undefined ? `, { property: ${str(k.property)} }` : ''})`, ['SecretStore']);
    }
    if (!s) {
      s = { name: this.names.of(k.store), cluster: k.cluster, store: k.store };
      this.stores.set(id, s);
    }
    return new Code(`${s.name}.key(${str(k.remoteKey)}${k.property !== undefined ? `, { property: ${str(k.property)} }` : ''})`);
  }

  /** The declarations of the stores and sizes, at the program's top. */
  public declarations(im: Set<string>, types: Set<string>): string[] {
    const out: string[] = [];
    for (const s of this.stores.values()) {
      im.add('SecretStore');
      out.push(`/** Secrets are read from the ${s.cluster ? 'ClusterSecretStore' : 'SecretStore'} ${commentText(s.store)} (external-secrets.io). */`);
      out.push(`const ${s.name} = SecretStore.${s.cluster ? 'cluster' : 'namespaced'}(${str(s.store)});`);
    }
    if (this.sizesName) {
      types.add('Resources');
      out.push('', '/** The containers\' sizes: the resource blocks three or more containers share, smallest first. */');
      out.push(`const ${this.sizesName} = {`);
      for (const [name, value] of this.sizeValues) out.push(`  ${key(name)}: ${inline(value)},`);
      out.push('} satisfies Record<string, Resources>;');
    }
    return out;
  }
}

/** One service's props, as a row of a table or the props of an `addService`. */
export interface Row {
  /** `tenant/project/service`. */
  readonly id: string;
  /** The project's name. */
  readonly project: string;
  /** The props (a shared constant's keys are removed from them and its spread added). */
  readonly props: Record<string, unknown>;
}

/** A constant of props several services share. */
export interface Shared {
  /** Its name. */
  readonly name: string;
  /** Its props. */
  readonly props: Record<string, unknown>;
  /** The services that spread it. */
  readonly services: readonly Row[];
}

/** What a prop costs to write, and whether it may move to a constant (code referring to the estate's parts may not). */
function items(row: Row): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(row.props)) {
    if (v === undefined || k === 'image' || refsIn(v, new Set()).size > 0) continue;
    out.set(`${k}\u0000${inline(v)}`, k.length + inline(v).length + 2);
  }
  return out;
}

/**
 * Finds the props most services share, estate-wide: repeatedly, the set of props that saves the most text when written
 * once and spread into every service that has all of them (with the same values), for at least three services. The
 * rows are changed: the constant's keys leave their props, its spread comes first.
 * @param rows the services' props
 * @param names the program's names
 */
export function shareProps(rows: readonly Row[], names: Names): Shared[] {
  const itemsOf = new Map(rows.map((r) => [r, items(r)]));
  const cost = (p: ReadonlySet<string>, any: Row): number => [...p].reduce((n, i) => n + (itemsOf.get(any)!.get(i) ?? 0), 0);
  const common = (s: readonly Row[]): Set<string> => {
    const p = new Set(itemsOf.get(s[0])!.keys());
    for (const r of s.slice(1)) for (const i of p) if (!itemsOf.get(r)!.has(i)) p.delete(i);
    return p;
  };
  // Text saved: the props written once instead of in every row, less a spread per row.
  const score = (s: readonly Row[], p: ReadonlySet<string>): number => (s.length < MIN_SHARED || p.size < 2 ? 0 : (s.length - 1) * cost(p, s[0]) - s.length * 20 - 40);
  let pool = rows.filter((r) => itemsOf.get(r)!.size >= 2);
  const shared: Shared[] = [];
  for (;;) {
    const counts = new Map<string, number>();
    for (const r of pool) for (const i of itemsOf.get(r)!.keys()) counts.set(i, (counts.get(i) ?? 0) + 1);
    const starts = [...counts.entries()].filter(([, n]) => n >= MIN_SHARED).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 40).map(([i]) => i);
    let best: { s: Row[]; p: Set<string>; score: number } | undefined;
    for (const start of starts) {
      let s = pool.filter((r) => itemsOf.get(r)!.has(start));
      let p = common(s);
      let sc = score(s, p);
      // Narrow the services to those sharing one more prop while that saves more.
      for (;;) {
        let step: { s: Row[]; p: Set<string>; score: number } | undefined;
        const more = new Set<string>();
        for (const r of s) for (const i of itemsOf.get(r)!.keys()) if (!p.has(i)) more.add(i);
        for (const j of more) {
          const s2 = s.filter((r) => itemsOf.get(r)!.has(j));
          if (s2.length < MIN_SHARED) continue;
          const p2 = common(s2);
          const sc2 = score(s2, p2);
          if (sc2 > (step?.score ?? sc)) step = { s: s2, p: p2, score: sc2 };
        }
        if (!step) break;
        ({ s, p, score: sc } = step);
      }
      if (sc > 0 && sc > (best?.score ?? 0)) best = { s, p, score: sc };
    }
    if (!best) break;
    const chosen = best;
    const first = chosen.s[0];
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(first.props)) if (v !== undefined && chosen.p.has(`${k}\u0000${inline(v)}`)) props[k] = v;
    const projects = [...new Set(chosen.s.map((r) => r.project))];
    const across = shared.filter((x) => new Set(x.services.map((r) => r.project)).size > 1).length;
    const name = names.constant(projects.length === 1 ? `${projects[0]} common` : across === 0 ? 'COMMON' : `COMMON_${across + 1}`);
    for (const r of chosen.s) {
      for (const k of Object.keys(props)) delete r.props[k];
      const spreads = ((r.props as Record<symbol, unknown>)[SPREADS] as Spread[] | undefined) ?? [];
      (r.props as Record<symbol, unknown>)[SPREADS] = [...spreads, new Spread(name)];
    }
    shared.push({ name, props, services: chosen.s });
    pool = pool.filter((r) => !chosen.s.includes(r));
  }
  return shared;
}

/** The declaration of a shared constant, at the program's top. */
export function sharedDeclaration(s: Shared, types: Set<string>): string[] {
  types.add('AppServiceProps');
  const projects = [...new Set(s.services.map((r) => r.project))];
  const where = projects.length <= 3 ? commentText(projects.join(', ')) : `${projects.length} projects`;
  return [
    `/** What ${s.services.length} services of ${where} share: spread into their props. */`,
    `const ${s.name} = ${literal(s.props, '', WIDTH)} satisfies Partial<AppServiceProps>;`,
  ];
}

/**
 * The notes of a table's services: a note on two or more services is written once above the table, under the names
 * of the services it is about (or "every service"); the rest stay above their service's row.
 * @param services each service's name and notes, in the table's order
 * @param indent the comment's indentation
 * @returns the comment above the table, and each service's own notes
 */
export function groupNotes(services: readonly { name: string; notes: readonly string[] }[], indent: string): { above: string[]; own: Map<string, string[]> } {
  const on = new Map<string, string[]>();
  for (const s of services) for (const n of new Set(s.notes)) on.set(n, [...(on.get(n) ?? []), s.name]);
  const groups = new Map<string, string[]>();
  const own = new Map<string, string[]>(services.map((s) => [s.name, []]));
  for (const [n, who] of on) {
    if (who.length < 2) {
      own.get(who[0])!.push(n);
      continue;
    }
    const k = who.join('\u0000');
    groups.set(k, [...(groups.get(k) ?? []), n]);
  }
  const above: string[] = [];
  for (const [k, notes] of groups) {
    const who = k.split('\u0000');
    const head = who.length === services.length ? 'On every service below:' : `On ${who.join(', ')}:`;
    above.push(...wrap(head, `${indent}// `, `${indent}//   `), ...notes.map((n) => `${indent}//   ${commentText(n)}`));
  }
  return { above, own };
}

/** A comment's text wrapped at the program's width, at spaces. */
function wrap(text: string, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const w of commentText(text).split(' ')) {
    if (!empty && line.length + 1 + w.length > WIDTH) {
      out.push(line);
      line = rest;
      empty = true;
    }
    line += `${empty ? '' : ' '}${w}`;
    empty = false;
  }
  out.push(line);
  return out;
}

/**
 * The label maps of an escape hatch's objects that three or more of them repeat, each declared once as a variable:
 * returns the declarations and the objects with their labels replaced by the variable.
 * @param objects the hatch's objects
 * @param base the variable's base name (e.g. the project's and environment's)
 * @param names the program's names
 * @param indent the declarations' indentation
 */
export function shareLabels<T extends object>(objects: readonly T[], base: string, names: Names, indent: string): { declarations: string[]; objects: T[] } {
  const labelsOf = (o: T): Record<string, string> | undefined => {
    const m = (o as { metadata?: { labels?: unknown } }).metadata?.labels;
    return isStringMap(m) ? m : undefined;
  };
  const count = new Map<string, number>();
  for (const o of objects) {
    const l = labelsOf(o);
    if (l && Object.keys(l).length > 1) count.set(inline(l), (count.get(inline(l)) ?? 0) + 1);
  }
  const vars = new Map<string, string>();
  const declarations: string[] = [];
  const out = objects.map((o) => {
    const l = labelsOf(o);
    if (!l || (count.get(inline(l)) ?? 0) < 3) return o;
    let v = vars.get(inline(l));
    if (v === undefined) {
      v = names.of(`${base}-labels`);
      vars.set(inline(l), v);
      declarations.push(`${indent}const ${v} = ${literal(l, indent, WIDTH)};`);
    }
    const metadata = (o as { metadata: object }).metadata;
    return { ...o, metadata: { ...metadata, labels: new Code(v) } };
  });
  return { declarations, objects: out };
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Code) && Object.values(v).every((x) => typeof x === 'string');
}
