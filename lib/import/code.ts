/**
 * Code that the import's recognisers hand to the writer: TypeScript text with the platform-cdk names it needs
 * imported, and references to the estate's parts (a service, a project, a department …) that the writer turns into
 * the variables it declares for them. A recogniser never guesses a variable's name.
 */

/** What a reference points at. */
export type RefKind = 'cluster' | 'environment' | 'tenant' | 'department' | 'project' | 'service';

/** A part of the estate, written as the variable (or expression) that holds it. */
export class Ref {
  /** A service of a project (`tenant/project/service`). */
  public static service(tenant: string, project: string, service: string): Ref {
    return new Ref('service', [tenant, project, service]);
  }
  /** A project of a tenant. */
  public static project(tenant: string, project: string): Ref {
    return new Ref('project', [tenant, project]);
  }
  /** A tenant. */
  public static tenant(tenant: string): Ref {
    return new Ref('tenant', [tenant]);
  }
  /** A department of a tenant. */
  public static department(tenant: string, department: string): Ref {
    return new Ref('department', [tenant, department]);
  }
  /** An environment. */
  public static environment(environment: string): Ref {
    return new Ref('environment', [environment]);
  }
  /** A cluster. */
  public static cluster(cluster: string): Ref {
    return new Ref('cluster', [cluster]);
  }
  private constructor(
    /** What it points at. */
    public readonly kind: RefKind,
    /** Its path of names. */
    public readonly path: readonly string[],
  ) {}
  /** The key the writer finds its variable by. */
  public get key(): string {
    return `${this.kind}:${this.path.join('/')}`;
  }
}

/** TypeScript to be written as it is (inside a literal or as a statement), with what it needs imported. */
export class Code {
  /** Its parts: text, and references the writer resolves. */
  public readonly parts: readonly (string | Ref)[];
  /**
   * @param text the text, or its parts
   * @param names the names it uses from `platform-cdk` (imported by the writer)
   */
  constructor(
    text: string | readonly (string | Ref)[],
    public readonly names: readonly string[] = [],
  ) {
    this.parts = typeof text === 'string' ? [text] : text;
  }
  /** Its text, with references written by `resolve`. */
  public render(resolve: (r: Ref) => string): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : resolve(p))).join('');
  }
}

/**
 * Code from a template: interpolated `Ref`s and `Code`s are kept as parts; other values are written as they are
 * (use `str()` of lib/import/writer.ts for a string literal).
 * @example code(['Workload']))`${Ref.service('t', 'p', 's')}.connectsTo(${Ref.service('t', 'q', 'db')})`
 */
export function code(names: readonly string[] = []): (strings: TemplateStringsArray, ...values: unknown[]) => Code {
  return (strings, ...values) => {
    const parts: (string | Ref)[] = [];
    const more: string[] = [...names];
    strings.forEach((s, i) => {
      parts.push(s);
      if (i >= values.length) return;
      const v = values[i];
      if (v instanceof Ref) parts.push(v);
      else if (v instanceof Code) {
        parts.push(...v.parts);
        more.push(...v.names);
      } else parts.push(String(v));
    });
    return new Code(parts, [...new Set(more)]);
  };
}
