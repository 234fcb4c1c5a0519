/**
 * @module Where the public hostnames point: a CNAME from each name in the environment's `cdn`
 * section to the edge hostname of one provider. It is the `primary` provider unless the stack's
 * Pulumi config `cdnActiveProvider` names another, which is how on-call moves traffic off a
 * failing CDN (`pulumi config set cdnActiveProvider fastly --stack prod && pulumi up`).
 */
import type { Environment } from "../environments";

/** What the `CdnRouting` component creates. */
export interface CdnRoutingPlan {
  readonly zoneId: string;
  readonly provider: string;
  readonly target: string;
  readonly ttlSeconds: number;
  readonly hostnames: readonly string[];
}

/** The Pulumi config key (within the project) that switches providers. */
export const cdnActiveProviderKey = "cdnActiveProvider";

/**
 * The routing of `environment`'s public hostnames to `activeProvider` (or the primary), or
 * undefined when the environment has no CDN.
 * @throws Error naming `fullKey` when the requested provider is not one of the environment's,
 *   or when a provider is requested for an environment without a CDN.
 */
export function planCdnRouting(
  environment: Environment,
  activeProvider: string | undefined,
  fullKey = cdnActiveProviderKey,
): CdnRoutingPlan | undefined {
  const cdn = environment.cdn;
  if (!cdn) {
    if (activeProvider === undefined) return undefined;
    throw new Error(
      `${fullKey}: environment ${environment.name} has no cdn section in environments/${environment.name}.ts; remove the setting`,
    );
  }
  const provider = activeProvider ?? cdn.primary;
  const choice = cdn.providers[provider];
  if (!choice) {
    const names = Object.keys(cdn.providers).join(", ");
    throw new Error(`${fullKey}: expected one of ${names}, got "${provider}"`);
  }
  return {
    zoneId: cdn.zoneId,
    provider,
    target: choice.target,
    ttlSeconds: cdn.ttlSeconds,
    hostnames: cdn.hostnames,
  };
}
