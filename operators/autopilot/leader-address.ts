/**
 * @module Where the deciding replica can be reached. The leader writes its identity and URL
 * into an annotation of its Lease; a follower that receives a webhook forwards it there,
 * but only while the annotation names the Lease's current holder (a stale address from the
 * previous leader is never used, so a request cannot bounce between followers).
 */
import type { KubeApi } from "../runtime/kube-api";

export const leaderAddressAnnotation = "autopilot.ops.breakwater.dev/leader";

interface LeaseWithAddress {
  metadata: { annotations?: Record<string, string> };
  spec: { holderIdentity?: string | null };
}

function leasePath(namespace: string, name: string): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;
}

/** Called by a new leader: publish where followers forward to. */
export async function publishLeaderAddress(
  api: KubeApi,
  lease: { namespace: string; name: string },
  identity: string,
  url: string,
): Promise<void> {
  await api.patch(leasePath(lease.namespace, lease.name), {
    metadata: { annotations: { [leaderAddressAnnotation]: JSON.stringify({ identity, url }) } },
  });
}

/** The current leader's URL, or undefined while there is none or it has not published yet. */
export async function leaderAddress(
  api: KubeApi,
  lease: { namespace: string; name: string },
): Promise<{ identity: string; url: string } | undefined> {
  const object = await api.get<LeaseWithAddress>(leasePath(lease.namespace, lease.name));
  const holder = object.spec.holderIdentity;
  const published = object.metadata.annotations?.[leaderAddressAnnotation];
  if (!holder || !published) return undefined;
  try {
    const address = JSON.parse(published) as { identity?: string; url?: string };
    return address.identity === holder && address.url
      ? { identity: holder, url: address.url }
      : undefined;
  } catch {
    return undefined;
  }
}
