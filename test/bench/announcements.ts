/**
 * @module When the API server announces each new control object, seen through a watch of its
 * own: the time-to-enforce benchmarks start probing replicas then (probes during kubectl's
 * start-up would only slow kubectl down), and split a figure into kubectl's part and the
 * platform's part.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeApi } from "../../operators/runtime/kube-api";
import type { KubeCluster } from "../harness/kube";

export interface Announcements {
  /** Resolves once the API server has announced `name`. */
  announced(name: string): Promise<void>;
  /** When `name` was announced (performance.now()), if it was. */
  at(name: string): number | undefined;
  stop(): void;
}

/** Watches `path`, e.g. `/apis/ops.breakwater.dev/v1alpha1/namespaces/payments/withdrawalhalts`. */
export function watchAnnouncements(cluster: KubeCluster, path: string): Announcements {
  const announcedAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigPath);
  const api = createKubeApi(kubeconfig);
  const stop = new AbortController();
  const record = (name: string) => {
    if (announcedAt.has(name)) return;
    announcedAt.set(name, performance.now());
    waiters.get(name)?.();
    waiters.delete(name);
  };
  void (async () => {
    while (!stop.signal.aborted) {
      const list = await api.list<{ metadata: { resourceVersion: string } }>(path);
      const query = `watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=3600`;
      await api
        .watch<{ metadata: { name: string } }>(
          `${path}?${query}`,
          (event) => {
            const name = event.object.metadata?.name;
            if (event.type === "ADDED" && name) record(name);
          },
          stop.signal,
        )
        .catch(() => undefined);
    }
  })();
  return {
    announced: (name) =>
      announcedAt.has(name)
        ? Promise.resolve()
        : new Promise((resolvePromise) => waiters.set(name, resolvePromise)),
    at: (name) => announcedAt.get(name),
    stop: () => stop.abort(),
  };
}
