/**
 * @module A small JSON client for the Kubernetes API on top of the kubeconfig that
 * @kubernetes/client-node loads (`$KUBECONFIG`, in-cluster, or ~/.kube/config, with every
 * credential kubectl supports). The operator needs only a handful of verbs, a streaming watch
 * and precise control over patch content types and status codes, so it speaks HTTP itself
 * over one keep-alive agent.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { createInterface } from "node:readline";
import { KubeConfig } from "@kubernetes/client-node";

/** What the API client needs of a kubeconfig: the current cluster, and TLS and credentials per request. */
export interface ClusterConnection {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

/** A Kubernetes API error: the HTTP status and the Status object's reason and message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

export type PatchType = "merge" | "json";

const patchContentTypes: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
};

/** One watch event as the API server streams it. */
export interface WatchEvent<T> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: T;
}

export interface KubeApi {
  get<T>(path: string): Promise<T>;
  list<T>(path: string): Promise<T>;
  create<T>(path: string, body: unknown): Promise<T>;
  replace<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown, type?: PatchType): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** Stream watch events until the server ends the watch or `signal` aborts. */
  watch<T>(
    path: string,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** Load the kubeconfig the way kubectl does (`$KUBECONFIG` first). */
export function loadKubeConfig(): ClusterConnection {
  const config = new KubeConfig();
  config.loadFromDefault();
  if (!config.getCurrentCluster())
    throw new Error("KUBECONFIG: no current cluster in the kubeconfig");
  return config;
}

/** A client for the current cluster of `config`. */
export function createKubeApi(config: ClusterConnection): KubeApi {
  const server = new URL(config.getCurrentCluster()!.server);
  const secure = server.protocol === "https:";
  let agent: HttpAgent | HttpsAgent | undefined;

  async function options(method: string, path: string, contentType?: string) {
    const options: RequestOptions = { method, headers: { accept: "application/json" } };
    await config.applyToHTTPSOptions(options);
    agent ??= secure
      ? new HttpsAgent({ keepAlive: true, ca: options.ca, cert: options.cert, key: options.key })
      : new HttpAgent({ keepAlive: true });
    const url = new URL(path, server);
    return {
      ...options,
      agent,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { ...options.headers, ...(contentType ? { "content-type": contentType } : {}) },
    };
  }

  /** `idleMs`: how long the socket may be silent; a watch is silent between events. */
  function send(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    idleMs = 30_000,
  ) {
    return new Promise<IncomingMessage>((resolve, reject) => {
      options(method, path, contentType).then((requestOptions) => {
        const request = (secure ? httpsRequest : httpRequest)(requestOptions, resolve);
        request.on("error", reject);
        request.setTimeout(idleMs, () => request.destroy(new Error(`${method} ${path} timed out`)));
        request.end(body === undefined ? undefined : JSON.stringify(body));
      }, reject);
    });
  }

  async function call<T>(method: string, path: string, body?: unknown, contentType?: string) {
    const response = await send(method, path, body, contentType ?? "application/json");
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return JSON.parse(text) as T;
    throw toError(status, text, `${method} ${path}`);
  }

  return {
    get: (path) => call("GET", path),
    list: (path) => call("GET", path),
    create: (path, body) => call("POST", path, body),
    replace: (path, body) => call("PUT", path, body),
    patch: (path, body, type = "merge") => call("PATCH", path, body, patchContentTypes[type]),
    delete: (path) => call("DELETE", path),
    async watch(path, onEvent, signal) {
      // The server ends a watch after its timeoutSeconds (bookmarks come about once a minute).
      const timeoutSeconds = Number(
        new URL(path, server).searchParams.get("timeoutSeconds") ?? 300,
      );
      const response = await send("GET", path, undefined, undefined, (timeoutSeconds + 30) * 1000);
      if (response.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const chunk of response) chunks.push(chunk as Buffer);
        throw toError(
          response.statusCode ?? 0,
          Buffer.concat(chunks).toString("utf8"),
          `watch ${path}`,
        );
      }
      if (signal.aborted) {
        // Stopped while connecting: iterating an already closed interface would never end.
        response.destroy();
        return;
      }
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      // Closing the interface ends the iteration; destroying the stream alone may not.
      const abort = () => {
        lines.close();
        response.destroy();
      };
      signal.addEventListener("abort", abort, { once: true });
      try {
        for await (const line of lines) {
          if (line.trim() !== "") onEvent(JSON.parse(line));
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      } finally {
        signal.removeEventListener("abort", abort);
      }
    },
  };
}

function toError(status: number, text: string, what: string): KubeApiError {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(
      status,
      parsed.reason ?? "Unknown",
      `${what}: ${parsed.message ?? text}`,
    );
  } catch {
    return new KubeApiError(status, "Unknown", `${what}: HTTP ${status} ${text.slice(0, 200)}`);
  }
}

/** Whether `error` is a Kubernetes API error with this HTTP status. */
export function isStatus(error: unknown, status: number): boolean {
  return error instanceof KubeApiError && error.status === status;
}
