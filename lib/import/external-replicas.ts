/**
 * Replica counts set outside the model (`Replicas.external`): a Deployment the library writes without `replicas`,
 * annotated `scaling.platform-cdk.io/replicas: external` with the fewest and most replicas its owner keeps and who
 * the owner is. The service's `replicas` in that environment becomes `Replicas.external({ min, max, owner })`.
 */
import { code } from './code';
import type { NamespacePass } from './passes';
import { literal } from './writer';

/** The annotations the library writes on a Deployment whose replicas are set elsewhere. */
const ANNOTATION = { REPLICAS: 'scaling.platform-cdk.io/replicas', MIN: 'scaling.platform-cdk.io/min-replicas', MAX: 'scaling.platform-cdk.io/max-replicas', OWNER: 'scaling.platform-cdk.io/owner' } as const;

/** A whole, non-negative count from an annotation's text, if it is one. */
function count(text: string | undefined): number | undefined {
  return text !== undefined && /^[0-9]{1,6}$/.test(text) ? Number(text) : undefined;
}

/**
 * For each service of the namespace whose Deployment says its replicas are external (with a whole minimum, and a
 * maximum not below it), `replicas: Replicas.external({ min, max, owner })` (max and owner where given).
 */
export const externalReplicasPass: NamespacePass = (ctx) => {
  for (const [name, fields] of ctx.services) {
    const d = ctx.sources.get(name)?.deployment;
    const a = d?.metadata.annotations ?? {};
    if (!d || a[ANNOTATION.REPLICAS] !== 'external' || (d as unknown as { spec?: { replicas?: unknown } }).spec?.replicas !== undefined) continue;
    const min = count(a[ANNOTATION.MIN]);
    const max = count(a[ANNOTATION.MAX]);
    if (min === undefined || (a[ANNOTATION.MAX] !== undefined && (max === undefined || max < min))) continue;
    const options: Record<string, unknown> = { min };
    if (max !== undefined && max !== min) options.max = max;
    if (a[ANNOTATION.OWNER] !== undefined) options.owner = a[ANNOTATION.OWNER];
    delete fields.replicas;
    fields.extra = { ...fields.extra, replicas: code(['Replicas'])`Replicas.external(${literal(options)})` };
  }
};
