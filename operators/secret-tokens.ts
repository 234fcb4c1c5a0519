/**
 * @module Admin tokens read from Kubernetes Secrets through the API (the operator's RBAC
 * allows `get` on exactly the Secrets named in the targets file), cached briefly so a
 * rotated token is picked up without a restart.
 */
import type { KubeApi } from "./runtime/kube-api";
import type { SecretReference } from "./targets";

export type TokenSource = (secret: SecretReference, refresh: boolean) => Promise<string>;

export function createTokenSource(api: KubeApi, ttlMs = 60_000): TokenSource {
  const cache = new Map<string, { token: string; readAtMs: number }>();
  return async function token(secret, refresh) {
    const key = `${secret.namespace}/${secret.name}/${secret.key}`;
    const cached = cache.get(key);
    if (!refresh && cached && Date.now() - cached.readAtMs < ttlMs) return cached.token;
    const object = await api.get<{ data?: Record<string, string> }>(
      `/api/v1/namespaces/${secret.namespace}/secrets/${secret.name}`,
    );
    const encoded = object.data?.[secret.key];
    if (encoded === undefined) {
      throw new Error(`Secret ${secret.namespace}/${secret.name} has no key ${secret.key}`);
    }
    const value = Buffer.from(encoded, "base64").toString("utf8").trim();
    cache.set(key, { token: value, readAtMs: Date.now() });
    return value;
  };
}
