/**
 * @module The local platform's sandbox API, on loopback behind a bearer token: what a drill
 * needs from the outside world that only the `npm start` process holds. Break or heal a
 * purchasing provider (`PUT /providers/{name}/mode`) and count the orders each received
 * (`GET /providers`), get a customer's token from the
 * identity provider (`POST /tokens`), read what Alertmanager paged (`GET /pages`), have escrow's
 * provider announce a buyer's payment (`POST /paystack/charges`, a signed `charge.success`
 * webhook) and list the seller transfers it took (`GET /paystack/transfers`), stop and start the
 * Kafka broker (`PUT /kafka`, seed 002 §3.5). Refusals are problem+json.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { z } from "zod";
import { bearerToken, tokensMatch } from "../services/kit/admin-auth";
import { problemResponse } from "../services/kit/problem";
import type { ProviderMode } from "../test/purchasing/provider-server";
import type { OutsideParties } from "./outside-parties";

const providerModes = [
  "complete",
  "decline",
  "rate-limit",
  "error",
  "hang",
] as const satisfies readonly ProviderMode[];
const modeBody = z.strictObject({ mode: z.enum(providerModes) });
const chargeBody = z.strictObject({
  reference: z.string().min(1).max(200),
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
const kafkaBody = z.strictObject({ running: z.boolean() });
const tokenBody = z.strictObject({
  service: z.string(),
  subject: z.string().regex(/^[a-z0-9_-]{1,63}$/),
  scopes: z.array(z.string().max(100)).max(20),
});

function invalid(detail: string) {
  return problemResponse({
    type: "sandbox/invalid-request",
    title: "Invalid request",
    status: 400,
    detail,
  });
}

async function parse<T>(request: Request, schema: z.ZodType<T>): Promise<T | Response> {
  const parsed = schema.safeParse(await request.json().catch(() => undefined));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return invalid(`${issue.path.join(".") || "body"}: ${issue.message}`);
}

/** The platform's Kafka broker: a controlled stop, and a start on the same port and logs. */
export interface SandboxBroker {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Where the sandbox's outside parties call the platform's services, and what it may stop. */
export interface SandboxTargets {
  /** An escrow replica: the provider's webhooks go to `<escrowUrl>/api/v1/webhooks/paystack`. */
  readonly escrowUrl?: string;
  /** The platform's Kafka broker, for `PUT /kafka`. */
  readonly broker?: SandboxBroker;
}

/** The provider tells escrow a payment arrived, signed as it signs; escrow's answer. */
async function announceCharge(
  parties: OutsideParties,
  escrowUrl: string,
  charge: z.infer<typeof chargeBody>,
): Promise<{ status: number; body: unknown }> {
  const signed = parties.paystack.signed({
    event: "charge.success",
    data: { ...charge, status: "success" },
  });
  const response = await fetch(`${escrowUrl}/api/v1/webhooks/paystack`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-paystack-signature": signed.signature },
    body: signed.body,
  });
  return { status: response.status, body: await response.json() };
}

/** The sandbox API over `parties`. */
export function sandboxApp(
  parties: OutsideParties,
  token: string,
  targets: SandboxTargets = {},
): Hono {
  const app = new Hono();
  let brokerRunning = true;
  app.use(async function sandboxAuth(c, next) {
    const presented = bearerToken(c.req.header("authorization"));
    if (presented === undefined || !tokensMatch(presented, token))
      return problemResponse({
        type: "sandbox/unauthorized",
        title: "Unauthorized",
        status: 401,
        detail: "send the sandboxToken of .breakwater/platform.json as a bearer token",
      });
    await next();
  });
  app.get("/providers", (c) =>
    c.json({
      providers: Object.values(parties.providers).map((provider) => ({
        name: provider.name,
        url: provider.url,
        orderRequests: provider.orderRequests,
      })),
    }),
  );
  app.put("/providers/:name/mode", async (c) => {
    const provider = parties.providers[c.req.param("name")];
    if (!provider)
      return problemResponse({
        type: "sandbox/unknown-provider",
        title: "Unknown provider",
        status: 404,
        detail: `providers: ${Object.keys(parties.providers).join(", ")}`,
      });
    const body = await parse(c.req.raw, modeBody);
    if (body instanceof Response) return body;
    provider.setMode(body.mode);
    return c.json({ provider: provider.name, mode: body.mode });
  });
  app.post("/tokens", async (c) => {
    const body = await parse(c.req.raw, tokenBody);
    if (body instanceof Response) return body;
    const issuer = parties.issuers[body.service];
    if (!issuer)
      return invalid(
        `service: no issuer for "${body.service}" (${Object.keys(parties.issuers).join(", ")})`,
      );
    return c.json({ token: await issuer.token(body.subject, body.scopes) });
  });
  app.get("/pages", (c) => c.json({ pages: parties.pages }));
  app.get("/paystack/transfers", (c) => c.json({ transfers: parties.paystack.transfers }));
  app.post("/paystack/charges", async (c) => {
    const body = await parse(c.req.raw, chargeBody);
    if (body instanceof Response) return body;
    if (targets.escrowUrl === undefined) return invalid("escrow does not run on this platform");
    const delivered = await announceCharge(parties, targets.escrowUrl, body);
    return c.json({ escrow: delivered });
  });
  app.put("/kafka", async (c) => {
    const body = await parse(c.req.raw, kafkaBody);
    if (body instanceof Response) return body;
    const { broker } = targets;
    if (broker === undefined) return invalid("this platform's sandbox holds no Kafka broker");
    // A second stop or start is answered as done: the broker is already so.
    if (body.running !== brokerRunning) await (body.running ? broker.start() : broker.stop());
    brokerRunning = body.running;
    return c.json({ kafka: body.running ? "running" : "stopped" });
  });
  return app;
}

/** Serve the sandbox API on a free loopback port. */
export async function startSandboxServer(
  parties: OutsideParties,
  token: string,
  targets: SandboxTargets = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const app = sandboxApp(parties, token, targets);
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve(started as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
