/**
 * Name and syntax rules of Kubernetes and KubeSphere, each as a small check that returns what is wrong
 * (or `undefined` when the value is fine), so that model checks can report it with the construct path.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A DNS-1123 label: what Kubernetes requires of namespace and most object names. */
export function checkDns1123Label(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'a name must be a non-empty string';
  if (value.length > 63) return `a name must be at most 63 characters (this one has ${value.length})`;
  if (!DNS1123_LABEL.test(value)) {
    return 'a name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';
  }
  return undefined;
}

/** A DNS-1035 label: what Kubernetes requires of Service names (a DNS-1123 label that starts with a letter). */
export function checkDns1035Label(value: unknown): string | undefined {
  const label = checkDns1123Label(value);
  if (label) return label;
  if (!DNS1035_LABEL.test(value as string)) return 'a service name must start with a lowercase letter (DNS-1035)';
  return undefined;
}

/** A DNS-1123 subdomain: lowercase labels joined by dots, at most 253 characters (host names, domains). */
export function checkDns1123Subdomain(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'a domain name must be a non-empty string';
  if (value.length > 253) return `a domain name must be at most 253 characters (this one has ${value.length})`;
  for (const part of value.split('.')) {
    if (part.length > 63 || !DNS1123_LABEL.test(part)) {
      return 'a domain name must be lowercase DNS labels (letters, digits, "-") joined by dots';
    }
  }
  return undefined;
}

/** A label key, with its optional `prefix/`. */
export function checkLabelKey(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'a label key must be a non-empty string';
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== undefined && checkDns1123Subdomain(prefix)) return 'a label key prefix must be a DNS subdomain';
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'a label key name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** A label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending alphanumeric. */
export function checkLabelValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a label value must be a string';
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return 'a label value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** A container environment variable name. */
export function checkEnvVarName(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ENV_VAR_NAME.test(value)) {
    return 'an environment variable name must be letters, digits, "_", "-" or ".", not starting with a digit';
  }
  return undefined;
}

/** A port name (IANA service name): at most 15 lowercase letters, digits and "-", with at least one letter. */
export function checkPortName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 15 || !IANA_SVC_NAME.test(value) || value.includes('--') || !/[a-z]/.test(value)) {
    return 'a port name must be 1-15 lowercase letters, digits and "-" with at least one letter, no "--", and not start or end with "-"';
  }
  return undefined;
}

/** A TCP/UDP port number. */
export function checkPort(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    return 'a port must be a whole number between 1 and 65535';
  }
  return undefined;
}

/**
 * A whole number from `min` to `max` (by default the largest 32-bit integer, the limit of Kubernetes' counts:
 * replicas, thresholds, budgets). `NaN` and `Infinity` are not whole numbers.
 */
export function checkWholeNumber(value: unknown, min: number, max = 2147483647): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    return `the value must be a whole number of at least ${min}`;
  }
  if (value > max) return `the value must be a whole number from ${min} to ${max}`;
  return undefined;
}

const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * A CronJob schedule as Kubernetes reads it: five fields (minute hour day-of-month month day-of-week) of `*`,
 * numbers, ranges `a-b`, steps `/n`, lists `a,b`, month and day names, or a macro such as `@daily`. A time
 * zone belongs in the CronJob's `timeZone`, not in the schedule.
 */
export function checkCron(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'a schedule must be a non-empty string';
  const v = value.trim();
  if (v.startsWith('@')) return CRON_MACROS.has(v) ? undefined : `unknown macro (macros: ${[...CRON_MACROS].join(', ')})`;
  if (/^(CRON_)?TZ=/.test(v)) return 'a time zone is not part of the schedule';
  const fields = v.split(/\s+/);
  if (fields.length !== 5) return `a schedule has 5 fields (minute hour day-of-month month day-of-week); this one has ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i];
    for (const part of fields[i].split(',')) {
      const m = /^(\*|\?|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:\/([0-9]+))?$/i.exec(part);
      const bad = `the ${f.name} field "${fields[i]}" is not valid (${f.min}-${f.max}${f.names ? ' or names' : ''}, "*", ranges, steps and lists)`;
      if (!m) return bad;
      const num = (s: string | undefined): number | undefined => {
        if (s === undefined) return undefined;
        if (/^[0-9]+$/.test(s)) return Number(s);
        const idx = f.names?.indexOf(s.toLowerCase()) ?? -1;
        return idx < 0 ? NaN : idx + (f.min === 1 ? 1 : 0);
      };
      const a = num(m[2]);
      const b = num(m[3]);
      const step = m[4] === undefined ? undefined : Number(m[4]);
      for (const n of [a, b]) if (n !== undefined && (Number.isNaN(n) || n < f.min || n > f.max)) return bad;
      if (a !== undefined && b !== undefined && a > b) return bad;
      if (step !== undefined && step < 1) return bad;
    }
  }
  return undefined;
}

/** A Kubernetes quantity of bytes such as `20Gi` or `500M`. */
export function checkStorageSize(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[1-9][0-9]*(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(value)) {
    return 'a size is a positive number with an optional unit (Ki, Mi, Gi, Ti, k, M, G, T)';
  }
  return undefined;
}
