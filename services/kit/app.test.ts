/** @module Unit tests for the app: templates, 405 detection, problem answers (in-process, no servers). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createApp, maxBodyBytes, templateRegex } from "./app";
import { createLogger } from "./logger";
import { createMetrics } from "./metrics";
import { problem } from "./problem";

test("template regexes match params and wildcards but not extra segments", () => {
  assert.ok(templateRegex("/v1/payouts/:id").test("/v1/payouts/42"));
  assert.ok(templateRegex("/v1/payouts/:id/resolve").test("/v1/payouts/42/resolve"));
  assert.not.ok(templateRegex("/v1/payouts/:id").test("/v1/payouts/42/resolve"));
  assert.ok(templateRegex("/static/*").test("/static/a/b"));
  assert.not.ok(templateRegex("/v1/a.b").test("/v1/aXb"));
  assert.not.ok(templateRegex("/v1/payouts").test("/v1/payouts/"), "one URL per route");
});

function app() {
  const metrics = createMetrics();
  const created = createApp(
    createLogger({ service: "t", replicaId: "r", level: "silent" }),
    metrics,
  );
  created.get("/v1/items/:id", (c) => c.json({ id: c.req.param("id") }));
  created.post("/v1/items/:id/refuse", () => {
    throw problem({
      type: "items/locked",
      title: "Item locked",
      status: 423,
      extensions: { ticket: "INC-9" },
    });
  });
  return { app: created, metrics };
}

test("a thrown problem becomes its problem+json response", async () => {
  const response = await app().app.request("/v1/items/1/refuse", { method: "POST" });
  assert.is(response.status, 423);
  assert.is(response.headers.get("content-type"), "application/problem+json");
  assert.is(((await response.json()) as { ticket: string }).ticket, "INC-9");
});

test("the metrics path is the template, and unmatched requests share one label", async () => {
  const { app: created, metrics } = app();
  await created.request("/v1/items/raw-abc");
  await created.request("/v1/items/raw-abc", { method: "DELETE" });
  await created.request("/raw-zzz/999");
  const text = await metrics.registry.metrics();
  assert.match(text, /path="\/v1\/items\/:id",status="200"/);
  assert.match(text, /method="DELETE",path="unmatched",status="405"/);
  assert.match(text, /path="unmatched",status="404"/);
  assert.not.match(text, /raw-abc|raw-zzz/);
});

test("the internal marker header never reaches the client", async () => {
  const response = await app().app.request("/nothing");
  assert.is(response.status, 404);
  assert.is(response.headers.get("x-breakwater-unmatched"), null);
});

test("a body over the limit is a 413 problem", async () => {
  const response = await app().app.request("/v1/items/1/refuse", {
    method: "POST",
    body: "x".repeat(maxBodyBytes + 1),
    headers: { "content-length": String(maxBodyBytes + 1) },
  });
  assert.is(response.status, 413);
  assert.is(response.headers.get("content-type"), "application/problem+json");
});

test.run();
