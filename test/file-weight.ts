/**
 * @module Which test files start real servers: a file does when it imports, directly or through
 * its fixtures, a harness module that starts PostgreSQL, Redis, Kafka, the Kubernetes API
 * server, Prometheus and Alertmanager, the object store, the Python tools or Jaeger, or when it starts
 * programs of its own (`node:child_process`: a drill or a service may start servers). The
 * others (unit tests, rendering, Pulumi mocks) compete for nothing but a core, so `npm test`
 * runs them on a lane of their own beside the files with servers, which run one at a time.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const serverModules = [
  "postgres",
  "redis",
  "kafka",
  "kube",
  "prometheus",
  "object-store",
  "python-tools",
  "jaeger",
].map((name) => `/test/harness/${name}.ts`);

const importPattern = /(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g;

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Whether `file` (a `*.test.ts`) reaches a harness module that starts a server, or starts programs. */
export function startsServers(file: string): boolean {
  const pending = [resolve(file)];
  const visited = new Set<string>();
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (visited.has(path)) continue;
    visited.add(path);
    if (serverModules.some((module) => path.endsWith(module))) return true;
    const text = readFileSync(path, "utf8");
    if (/["']node:child_process["']/.test(text)) return true;
    for (const match of text.matchAll(importPattern)) {
      const target = resolveImport(path, match[1]!);
      if (target !== undefined) pending.push(target);
    }
  }
  return false;
}
