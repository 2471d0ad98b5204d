/**
 * Configuration values many services share, named once in the imported program: a team's services often carry the
 * same few values (`TZ`, `JAVA_TOOL_OPTIONS` …) beside their own, so that the whole `config` of no two services is
 * the same but a part is. The writer spreads such a constant into each service's `config.values`
 * (`values: { ...JAVA_CONFIG, MYSQL_DATABASE: 'orders' }`), as a hand-written program would.
 */
import { inline, literal, Spread, SPREADS, WIDTH } from './format';
import type { Names } from './format';
import type { Row } from './tables';

/** The fewest services a constant of values is written for. */
const MIN_SERVICES = 3;

/** Values several services share. */
export interface SharedValues {
  /** The constant's name. */
  readonly name: string;
  /** The values. */
  readonly values: Record<string, string>;
  /** How many services spread it. */
  readonly services: number;
}

type Config = { values?: Record<string, unknown> } & Record<string | symbol, unknown>;

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** The service-level values of a row's `config`, when they are plain strings. */
function valuesOf(row: Row): Record<string, string> | undefined {
  const config = row.props.config;
  if (!isPlain(config) || !isPlain(config.values)) return undefined;
  const values = config.values;
  return Object.values(values).every((v) => typeof v === 'string') ? (values as Record<string, string>) : undefined;
}

/**
 * Finds, repeatedly, the values that most services (three or more) share, where writing them once saves text, and
 * replaces them in those services' `config.values` by a spread of a constant. The rows' props are changed (copies:
 * the imported model is not).
 * @param rows the services' props
 * @param names the program's names
 */
export function shareConfigValues(rows: readonly Row[], names: Names): SharedValues[] {
  const pair = (k: string, v: string): string => `${k}\u0000${v}`;
  let pool = rows.filter((r) => Object.keys(valuesOf(r) ?? {}).length >= 2);
  const out: SharedValues[] = [];
  for (;;) {
    const counts = new Map<string, number>();
    for (const r of pool) for (const [k, v] of Object.entries(valuesOf(r) ?? {})) counts.set(pair(k, v), (counts.get(pair(k, v)) ?? 0) + 1);
    let best: { rows: Row[]; keys: string[]; score: number } | undefined;
    for (const [start, n] of counts) {
      if (n < MIN_SERVICES) continue;
      const with_ = pool.filter((r) => Object.entries(valuesOf(r) ?? {}).some(([k, v]) => pair(k, v) === start));
      const first = valuesOf(with_[0]) ?? {};
      const keys = Object.keys(first).filter((k) => with_.every((r) => valuesOf(r)?.[k] === first[k]));
      const cost = keys.reduce((c, k) => c + k.length + inline(first[k]).length + 2, 0);
      // Text saved: the values written once instead of in every service, less a spread per service and the declaration.
      const score = keys.length < 2 ? 0 : (with_.length - 1) * cost - with_.length * 12 - 60;
      if (score > (best?.score ?? 0)) best = { rows: with_, keys, score };
    }
    if (!best) break;
    const chosen = best;
    const first = valuesOf(chosen.rows[0]) ?? {};
    const values = Object.fromEntries(chosen.keys.map((k) => [k, first[k]]));
    const name = names.constant(out.length === 0 ? 'config values' : `config values ${out.length + 1}`);
    for (const r of chosen.rows) {
      const config = r.props.config as Config;
      const own = Object.fromEntries(Object.entries(config.values ?? {}).filter(([k]) => !chosen.keys.includes(k)));
      const spreads = ((config.values as Record<symbol, unknown> | undefined)?.[SPREADS] as Spread[] | undefined) ?? [];
      (own as Record<symbol, unknown>)[SPREADS] = [...spreads, new Spread(name)];
      r.props.config = { ...config, values: own };
    }
    out.push({ name, values, services: chosen.rows.length });
    pool = pool.filter((r) => !chosen.rows.includes(r) && Object.keys(valuesOf(r) ?? {}).length >= 2);
  }
  return out;
}

/** The declaration of shared configuration values, at the program's top. */
export function configValuesDeclaration(s: SharedValues): string[] {
  return [`/** Configuration values ${s.services} services share: spread into their \`config.values\`. */`, `const ${s.name} = ${literal(s.values, '', WIDTH)};`];
}
