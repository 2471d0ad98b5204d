import type { IConstruct } from 'constructs';
import { checkEnvVarName } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { checkTextLine } from '../lib/values';
import type { ServicePort } from './app-service';
import type { Environment } from './environment';
import type { Project } from './project';
import { checkNoLiteralSecret } from './secrets';
import type { ConnectOptions } from './service-options';
import type { Tenant } from './tenant';

/** Where the pods behind a connection target are, for network policies. */
export type ConnectionPeer =
  | {
      /** The pods of a service. */
      readonly kind: 'pods';
      /** The service's name, which its pods are selected by. */
      readonly podName: string;
    }
  | {
      /** Addresses outside the cluster. */
      readonly kind: 'addresses';
      /** The networks, as CIDRs. */
      readonly cidrs: readonly string[];
    }
  | {
      /** Anywhere (a DNS name without known networks). */
      readonly kind: 'anywhere';
    };

/** What another service can connect to: an app service or a stateful service. */
export interface IConnectable extends IConstruct {
  /** The name of the Kubernetes Service consumers connect to. */
  readonly name: string;
  /** The project it belongs to. */
  readonly project: Project;
  /** The tenants other than its own whose services may connect to it. */
  readonly acceptedTenants: readonly Tenant[];
  /**
   * A port by name or Service port number; the first port when none is named.
   * @param ref a port name or number
   */
  findPort(ref: string | number | undefined): ServicePort | undefined;
  /**
   * Where its pods (or addresses) are in an environment, and the port they listen on for a Service port.
   * @param environment the environment
   * @param port the Service port
   */
  peerIn(
    environment: Environment,
    port: ServicePort,
  ): {
    /** Where the target is. */
    readonly peer: ConnectionPeer;
    /** The port its pods or machines listen on. */
    readonly port: number;
    /** The port's protocol. */
    readonly protocol: string;
  };
}

/** One declared dependency: a consumer connects to a target. */
export interface Connection {
  /** The target. */
  readonly target: IConnectable;
  /** Port and variable prefix. */
  readonly options: ConnectOptions;
}

/**
 * The default prefix of a connection's environment variables: the target's name in upper case, "-" as "_".
 * @param name the target's name
 */
export function defaultEnvPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * The DNS name of a Service in a namespace, the address consumers get.
 * @param service the Service's name
 * @param namespace its namespace
 */
export function serviceAddress(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The placeholders of a connection's variable template (`ConnectOptions.env`). */
export const CONNECTION_PLACEHOLDERS = ['host', 'shortHost', 'port', 'namespace'] as const;

/** A placeholder of a connection's variable template. */
export type ConnectionPlaceholder = (typeof CONNECTION_PLACEHOLDERS)[number];

/** The longest template of a connection variable. */
export const CONNECTION_TEMPLATE_MAX = 2048;

/** A template read into literal text and placeholders, or what is wrong with it. */
export type ParsedTemplate =
  | {
      /** The literal text and the placeholders, in order. */
      readonly parts: readonly (string | {
        /** The placeholder's name. */
        readonly placeholder: ConnectionPlaceholder;
      })[];
    }
  | {
      /** What is wrong with the template. */
      readonly error: string;
    };

/**
 * Reads a connection variable's template: literal text, `{placeholder}`s and the escapes `{{` and `}}`. An unknown
 * placeholder, a lone brace or a template without any placeholder (a constant: use `env` of the service) is an error.
 * @param template the template
 */
export function parseConnectionTemplate(template: string): ParsedTemplate {
  const parts: (string | { placeholder: ConnectionPlaceholder })[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i += 2;
    } else if (c === '}') {
      return { error: `a "}" at character ${i + 1} closes no placeholder (write "}}" for a literal brace)` };
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      const name = end < 0 ? undefined : template.slice(i + 1, end);
      if (name === undefined) return { error: `the "{" at character ${i + 1} is not closed (write "{{" for a literal brace)` };
      if (!(CONNECTION_PLACEHOLDERS as readonly string[]).includes(name)) return { error: `{${name.length > 40 ? `${name.slice(0, 40)}…` : name}} is not a placeholder (placeholders: ${CONNECTION_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})` };
      if (text) parts.push(text);
      text = '';
      parts.push({ placeholder: name as ConnectionPlaceholder });
      i = end + 1;
    } else {
      text += c;
      i += 1;
    }
  }
  if (text) parts.push(text);
  if (!parts.some((p) => typeof p !== 'string')) return { error: 'the template has no placeholder, so it does not follow the target' };
  return { parts };
}

/** The values of a template's placeholders for one consumer in one environment. */
export type PlaceholderValues = Readonly<Record<ConnectionPlaceholder, string>>;

/**
 * A template's value (the template is valid: see `parseConnectionTemplate`).
 * @param template the template
 * @param values the placeholders' values
 */
export function fillConnectionTemplate(template: string, values: PlaceholderValues): string {
  const parsed = parseConnectionTemplate(template);
  if ('error' in parsed) throw new Error(`invalid connection template ${JSON.stringify(template)}: ${parsed.error}`);
  return parsed.parts.map((p) => (typeof p === 'string' ? p : values[p.placeholder])).join('');
}

/**
 * The variables a connection sets in the consumer's container, in order: `<PREFIX>_HOST` and `<PREFIX>_PORT` (unless
 * turned off), then the template variables by name.
 * @param connection the connection
 */
export function connectionVariableNames(connection: Connection): string[] {
  const o = connection.options ?? {};
  const templates = o.env && typeof o.env === 'object' ? Object.keys(o.env).sort() : [];
  const hostAndPort = o.hostAndPort ?? templates.length === 0;
  const prefix = o.envPrefix ?? defaultEnvPrefix(connection.target?.name ?? '');
  const defaults = hostAndPort ? [`${prefix}_HOST`, `${prefix}_PORT`].filter((n) => !templates.includes(n)) : [];
  return [...defaults, ...templates];
}

/**
 * Checks the variable options of a connection: the prefix, each template variable's name and template (placeholders,
 * braces, one line, no credential written into it), and that the connection sets at least one variable.
 * @param problems where problems go
 * @param path the consumer's construct path
 * @param property the connection's property, e.g. `connectsTo[0]`
 * @param options the connection's options
 * @internal
 */
export function checkConnectionVariables(problems: ProblemCollector, path: string, property: string, options: ConnectOptions): void {
  if (options.envPrefix !== undefined && (typeof options.envPrefix !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(options.envPrefix))) {
    problems.error({ path, property: `${property}.envPrefix`, value: options.envPrefix, message: 'the prefix must be upper-case letters, digits and "_"', fix: 'use a prefix like "ORDERS_DB"' });
  }
  if (options.hostAndPort !== undefined && typeof options.hostAndPort !== 'boolean') {
    problems.error({ path, property: `${property}.hostAndPort`, value: options.hostAndPort, message: 'hostAndPort is true or false', fix: 'set hostAndPort: true to keep <PREFIX>_HOST and <PREFIX>_PORT beside the templates, or leave it out' });
  }
  const env = options.env;
  if (env === undefined) return;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    problems.error({ path, property: `${property}.env`, value: env, message: 'the variables are an object of names and templates', fix: 'use e.g. env: { ORDERS_ADDR: "{host}:{port}" }' });
    return;
  }
  const entries = Object.entries(env);
  if (entries.length === 0 && options.hostAndPort === false) {
    problems.error({ path, property: `${property}.env`, value: env, message: 'the connection sets no variable: no template and hostAndPort is false', fix: 'give a template such as env: { ORDERS_ADDR: "{host}:{port}" }, or leave hostAndPort out' });
  }
  for (const [name, template] of entries) {
    const p = `${property}.env[${JSON.stringify(name)}]`;
    const n = checkEnvVarName(name);
    if (n) problems.error({ path, property: p, value: name, message: n, fix: 'name the variable like "ORDERS_ADDR"' });
    const line = checkTextLine(template, CONNECTION_TEMPLATE_MAX);
    if (line) {
      problems.error({ path, property: p, value: template, message: `a template is one line of text: ${line}`, fix: 'write the address on one line, e.g. "http://{host}:{port}/api"' });
      continue;
    }
    if (checkNoLiteralSecret(problems, path, p, template, 'keep credentials out of the address: read them from a secret (secrets: { … }) in variables of their own')) continue;
    const parsed = parseConnectionTemplate(template);
    if ('error' in parsed) problems.error({ path, property: p, value: template, message: parsed.error, fix: 'use the placeholders {host}, {shortHost}, {port} and {namespace}, e.g. "{host}:{port}" or "http://{shortHost}"' });
  }
}
