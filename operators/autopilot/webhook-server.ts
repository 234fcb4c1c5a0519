/**
 * @module The autopilot's HTTP endpoints: `POST /api/v1/alerts` (Alertmanager's webhook,
 * `Authorization: Bearer <token>` as its `http_config.authorization` sends it), `/metrics`,
 * `/health/ready` and `/health/live`. The leader decides; a follower forwards the webhook to
 * the leader and answers with the leader's answer, or 503 (Alertmanager retries a 5xx) while
 * no leader can be reached. Every refusal is problem+json.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { bearerToken, tokensMatch } from "../../services/kit/admin-auth";
import { kitProblems, problemResponse } from "../../services/kit/problem";
import type { Decision } from "./decider";
import { type WebhookPayload, webhookPayloadSchema } from "./webhook-payload";

export const webhookPath = "/api/v1/alerts";
/** Set on a forwarded webhook, so a follower never forwards it again. */
export const forwardedHeader = "x-breakwater-forwarded-by";
const maxBodyBytes = 4 * 1024 * 1024;

export interface WebhookServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly identity: string;
  readonly registry: Registry;
  readonly log: Logger;
  readonly isLeader: () => boolean;
  readonly decide: (payload: WebhookPayload) => Promise<Decision[]>;
  /** The leader's URL, undefined while none is known. */
  readonly leaderUrl: () => Promise<string | undefined>;
  /** Undefined when ready, else why not. */
  readonly notReadyReason: () => string | undefined;
}

export interface RunningWebhookServer {
  readonly port: number;
  close(): Promise<void>;
}

function unavailable(detail: string): Response {
  return problemResponse({
    type: "autopilot/no-leader",
    title: "No autopilot replica can decide now",
    status: 503,
    detail,
    headers: { "retry-after": "1" },
  });
}

function webhookApp(options: WebhookServerOptions): Hono {
  const app = new Hono();
  app.post(
    webhookPath,
    async function authenticate(c, next) {
      const token = bearerToken(c.req.header("authorization"));
      if (token === undefined || !tokensMatch(token, options.token)) {
        return problemResponse({
          type: kitProblems.unauthorized,
          title: "Webhook authentication required",
          status: 401,
          detail: "send Authorization: Bearer <the autopilot's webhook token>",
          headers: { "www-authenticate": 'Bearer realm="autopilot"' },
        });
      }
      await next();
    },
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () =>
        problemResponse({ type: "request/too-large", title: "Payload too large", status: 413 }),
    }),
    async function receive(c) {
      const text = await c.req.text();
      if (!options.isLeader()) return forward(options, c.req.raw, text);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return problemResponse({
          type: kitProblems.badRequest,
          title: "The body is not JSON",
          status: 400,
        });
      }
      const parsed = webhookPayloadSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return problemResponse({
          type: kitProblems.validation,
          title: "Not an Alertmanager webhook payload (version 4)",
          status: 400,
          detail: `${issue.path.join(".") || "(body)"}: ${issue.message}`,
        });
      }
      try {
        const decisions = await options.decide(parsed.data);
        return c.json({ decisions });
      } catch (error) {
        options.log.error({ err: error, groupKey: parsed.data.groupKey }, "could not decide");
        return problemResponse({
          type: kitProblems.dependencyUnavailable,
          title: "The decision could not be made",
          status: 503,
          detail: "the Kubernetes API did not answer as expected; Alertmanager will retry",
          headers: { "retry-after": "1" },
        });
      }
    },
  );
  app.get("/metrics", async (c) =>
    c.body(await options.registry.metrics(), 200, { "content-type": options.registry.contentType }),
  );
  app.get("/health/live", (c) => c.json({ status: "ok" }));
  app.get("/health/ready", (c) => {
    const reason = options.notReadyReason();
    return reason ? c.json({ status: "not ready", reason }, 503) : c.json({ status: "ready" });
  });
  app.notFound(() =>
    problemResponse({ type: kitProblems.notFound, title: "Not Found", status: 404 }),
  );
  return app;
}

async function forward(
  options: WebhookServerOptions,
  request: Request,
  body: string,
): Promise<Response> {
  if (request.headers.get(forwardedHeader)) {
    return unavailable("forwarded to a replica that no longer leads; retry");
  }
  let url: string | undefined;
  try {
    url = await options.leaderUrl();
  } catch (error) {
    options.log.warn({ err: error }, "could not read the leader's address");
  }
  if (!url) return unavailable("no leader is known yet; retry");
  try {
    const answer = await fetch(new URL(webhookPath, url), {
      method: "POST",
      body,
      headers: {
        authorization: request.headers.get("authorization") ?? "",
        "content-type": "application/json",
        [forwardedHeader]: options.identity,
      },
      signal: AbortSignal.timeout(10_000),
    });
    return new Response(await answer.arrayBuffer(), {
      status: answer.status,
      headers: { "content-type": answer.headers.get("content-type") ?? "application/json" },
    });
  } catch (error) {
    options.log.warn({ err: error, leader: url }, "could not forward the webhook to the leader");
    return unavailable("the leader could not be reached; retry");
  }
}

export async function startWebhookServer(
  options: WebhookServerOptions,
): Promise<RunningWebhookServer> {
  const app = webhookApp(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () =>
      resolve(started),
    );
    started.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
