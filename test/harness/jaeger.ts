/**
 * @module A real OTLP trace receiver for tests: Jaeger v2 (an OpenTelemetry Collector build with
 * Jaeger's storage and query extensions, Apache-2.0) built from the Go module proxy like
 * kube-apiserver (`go/jaeger/`, cached, built by `npm run setup`), with in-memory storage, the
 * OTLP/HTTP receiver and the query API on free loopback ports. Programs export to `otlpUrl`
 * (what `OTEL_EXPORTER_OTLP_ENDPOINT` takes) and tests read traces back from `queryUrl`
 * (`GET /api/traces?service=<name>`, `GET /api/traces/<trace id>`: Jaeger's JSON API).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { kubeBinaryPath } from "./kube";
import {
  freePort,
  keepTempDir,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "./process";

export interface JaegerServer {
  /** The OTLP/HTTP receiver's base URL, e.g. `http://127.0.0.1:41234` (`/v1/traces` below it). */
  readonly otlpUrl: string;
  /** The query API's base URL, e.g. `http://127.0.0.1:41235` (`/api/traces`, `/api/services`). */
  readonly queryUrl: string;
  /** The temp dir holding its config and log. */
  readonly dir: string;
  readonly logPath: string;
  /** Jaeger's pid (its process group), while running. */
  readonly pid: number | undefined;
  /** Stop it; the traces it held are gone. */
  stop(): Promise<void>;
}

export interface JaegerOptions {
  /** Keep running after this process exits, and keep its temp dir. */
  readonly detached?: boolean;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/** Jaeger's collector configuration: OTLP/HTTP in, memory storage, the query API; no metrics. */
function jaegerConfig(otlpPort: number, queryPort: number, queryGrpcPort: number): string {
  const loopback = (port: number) => ({ endpoint: `127.0.0.1:${port}` });
  return stringify({
    service: {
      extensions: ["jaeger_storage", "jaeger_query"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: [], exporters: ["jaeger_storage_exporter"] },
      },
      telemetry: { metrics: { level: "none" }, logs: { level: "info" } },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 100_000 } } } },
      jaeger_query: {
        storage: { traces: "memstore" },
        http: loopback(queryPort),
        grpc: loopback(queryGrpcPort),
      },
    },
    receivers: { otlp: { protocols: { http: loopback(otlpPort) } } },
    exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
  });
}

async function answers(queryUrl: string, otlpUrl: string): Promise<boolean> {
  const services = await fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(2000) });
  if (!services.ok) return false;
  // An empty OTLP/JSON export: the receiver answers 200 once it listens.
  const receiver = await fetch(`${otlpUrl}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ resourceSpans: [] }),
    signal: AbortSignal.timeout(2000),
  });
  return receiver.ok;
}

/** Start Jaeger and wait until its query API and OTLP receiver answer. */
export async function startJaeger(options: JaegerOptions = {}): Promise<JaegerServer> {
  const dir = makeTempDir("jaeger");
  if (options.detached) keepTempDir(dir);
  const [otlpPort, queryPort, queryGrpcPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const configPath = join(dir, "jaeger.yaml");
  writeFileSync(configPath, jaegerConfig(otlpPort, queryPort, queryGrpcPort));
  const logPath = join(dir, "jaeger.log");
  const otlpUrl = `http://127.0.0.1:${otlpPort}`;
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  let current: ManagedProcess | undefined = startProcess({
    name: "jaeger",
    command: kubeBinaryPath("jaeger"),
    args: ["--config", configPath],
    cwd: dir,
    logPath,
    detached: options.detached,
  });
  await waitUntil(
    `jaeger on ports ${otlpPort} and ${queryPort}`,
    () => answers(queryUrl, otlpUrl),
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      process: current,
    },
  );
  return {
    otlpUrl,
    queryUrl,
    dir,
    logPath,
    get pid() {
      return current?.child.pid;
    },
    async stop() {
      const managed = current;
      current = undefined;
      await managed?.stop(5000);
    },
  };
}
