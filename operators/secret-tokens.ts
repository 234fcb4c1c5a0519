/**
 * @module Admin tokens read from Kubernetes Secrets through the API (the operator's RBAC
 * allows `get` on exactly the Secrets named in the targets file), cached briefly so a
 * rotated token is picked up without a restart. A token older than the cache's lifetime is
 * still used while it is read again in the background, so no control waits on a Secret read
 * on its way to a service; a 401 from the service asks for a fresh one and waits for it.
 */
import type { KubeApi } from "./runtime/kube-api";
import type { SecretReference } from "./targets";

export type TokenSource = (secret: SecretReference, refresh: boolean) => Promise<string>;

export function createTokenSource(api: KubeApi, ttlMs = 60_000): TokenSource {
  const cache = new Map<string, { token: string; readAtMs: number }>();
  const reading = new Map<string, Promise<string>>();

  function read(key: string, secret: SecretReference): Promise<string> {
    const pending = reading.get(key);
    if (pending) return pending;
    const fresh = readToken(api, secret)
      .then((token) => {
        cache.set(key, { token, readAtMs: Date.now() });
        return token;
      })
      .finally(() => reading.delete(key));
    reading.set(key, fresh);
    return fresh;
  }

  return async function token(secret, refresh) {
    const key = `${secret.namespace}/${secret.name}/${secret.key}`;
    const cached = cache.get(key);
    if (refresh || !cached) return read(key, secret);
    if (Date.now() - cached.readAtMs >= ttlMs) read(key, secret).catch(() => undefined);
    return cached.token;
  };
}

async function readToken(api: KubeApi, secret: SecretReference): Promise<string> {
  const object = await api.get<{ data?: Record<string, string> }>(
    `/api/v1/namespaces/${secret.namespace}/secrets/${secret.name}`,
  );
  const encoded = object.data?.[secret.key];
  if (encoded === undefined) {
    throw new Error(`Secret ${secret.namespace}/${secret.name} has no key ${secret.key}`);
  }
  return Buffer.from(encoded, "base64").toString("utf8").trim();
}
