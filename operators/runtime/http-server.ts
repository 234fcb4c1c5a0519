/**
 * @module The operator's HTTP endpoints: `/metrics` (Prometheus text), `/readyz` (200 once
 * this replica can do its job: it reaches the API server, and a leader's caches are synced; a
 * standby that reaches the API server is ready to take over) and `/healthz` (the process
 * answers; the kubelet restarts it when it does not). `/health/ready` and `/health/live` are
 * the same answers under the services' paths.
 */
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Undefined when ready, else why not. */
  readonly notReadyReason: () => string | undefined;
}

export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server: Server = createServer(async function handle(request, response) {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") {
      response.writeHead(405, { "content-type": "application/problem+json" });
      response.end(
        JSON.stringify({ type: "about:blank", title: "Method Not Allowed", status: 405 }),
      );
      return;
    }
    if (path === "/metrics") {
      response.writeHead(200, { "content-type": options.registry.contentType });
      response.end(await options.registry.metrics());
      return;
    }
    if (path === "/healthz" || path === "/health/live") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"status":"ok"}');
      return;
    }
    if (path === "/readyz" || path === "/health/ready") {
      const reason = options.notReadyReason();
      response.writeHead(reason ? 503 : 200, { "content-type": "application/json" });
      response.end(JSON.stringify(reason ? { status: "not ready", reason } : { status: "ready" }));
      return;
    }
    response.writeHead(404, { "content-type": "application/problem+json" });
    response.end(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404 }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
