/**
 * @module How the operator finds and authenticates to its API server, without
 * @kubernetes/client-node: importing that package loads its generated API models, about
 * 120 MB of resident memory for a program that needs a server URL, a CA and a credential
 * (the operator-scale benchmark's RSS target is 256 MB). Read like kubectl reads them:
 * `$KUBECONFIG` (colon-separated files, the first to name a thing wins), else in-cluster
 * (the ServiceAccount's token, re-read as the kubelet rotates it), else `~/.kube/config`.
 * Supported credentials: a bearer token or token file and client certificates; an exec or
 * auth-provider user stops it with one line saying so.
 */
import { existsSync, readFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

/** What the API client needs: the current cluster, and TLS and credentials per request. */
export interface ClusterConnection {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

interface Named<T> {
  name: string;
  [field: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

interface KubeconfigFile {
  "current-context"?: string;
  clusters?: Named<Record<string, unknown>>[];
  users?: Named<Record<string, unknown>>[];
  contexts?: Named<{ cluster?: string; user?: string }>[];
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
const tokenFileTtlMs = 60_000;

/** A file's text, or base64 data, as a Buffer. */
function material(data: unknown, path: unknown): Buffer | undefined {
  if (typeof data === "string") return Buffer.from(data, "base64");
  if (typeof path === "string") return readFileSync(path);
  return undefined;
}

function connection(
  server: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  userName: string,
): ClusterConnection {
  if (user.exec !== undefined || user["auth-provider"] !== undefined)
    throw new Error(
      `KUBECONFIG: user ${userName} authenticates with an exec or auth-provider plugin; the operator needs a token, a token file or a client certificate`,
    );
  const ca = material(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = material(user["client-certificate-data"], user["client-certificate"]);
  const key = material(user["client-key-data"], user["client-key"]);
  const insecure = cluster["insecure-skip-tls-verify"] === true;
  let token = typeof user.token === "string" ? user.token : undefined;
  const tokenFile = typeof user.tokenFile === "string" ? user.tokenFile : undefined;
  let tokenReadAtMs = 0;
  return {
    getCurrentCluster: () => ({ server }),
    async applyToHTTPSOptions(options) {
      if (tokenFile && Date.now() - tokenReadAtMs > tokenFileTtlMs) {
        token = readFileSync(tokenFile, "utf8").trim();
        tokenReadAtMs = Date.now();
      }
      if (ca) options.ca = ca;
      if (cert) options.cert = cert;
      if (key) options.key = key;
      if (insecure) options.rejectUnauthorized = false;
      if (token) options.headers = { ...options.headers, authorization: `Bearer ${token}` };
    },
  };
}

function fromFiles(paths: readonly string[]): ClusterConnection {
  const files = paths
    .filter((path) => existsSync(path))
    .map((path) => parse(readFileSync(path, "utf8")) as KubeconfigFile);
  const first = <T>(pick: (file: KubeconfigFile) => T | undefined) =>
    files.map(pick).find((value) => value !== undefined);
  const contextName = first((file) => file["current-context"] || undefined);
  const context = first((file) =>
    file.contexts?.find((entry) => entry.name === contextName),
  )?.context;
  const clusterName = context?.cluster;
  const cluster = first((file) =>
    file.clusters?.find((entry) => entry.name === clusterName),
  )?.cluster;
  if (!context || !cluster || typeof cluster.server !== "string")
    throw new Error("KUBECONFIG: no current cluster in the kubeconfig");
  const userName = context.user ?? "";
  const user = first((file) => file.users?.find((entry) => entry.name === userName))?.user ?? {};
  return connection(cluster.server, cluster, user, userName);
}

function inCluster(env: NodeJS.ProcessEnv): ClusterConnection {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return connection(
    server,
    { "certificate-authority": join(serviceAccountDir, "ca.crt") },
    { tokenFile: join(serviceAccountDir, "token") },
    "in-cluster ServiceAccount",
  );
}

/** The connection kubectl would use; throws one line starting `KUBECONFIG:` when there is none. */
export function loadClusterConnection(env: NodeJS.ProcessEnv = process.env): ClusterConnection {
  if (env.KUBECONFIG) return fromFiles(env.KUBECONFIG.split(":").filter(Boolean));
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(serviceAccountDir, "token")))
    return inCluster(env);
  return fromFiles([join(homedir(), ".kube", "config")]);
}
