/**
 * @module Signed order entry on two edge replicas (real PostgreSQL and Redis) in front of a
 * real HTTP server standing in for the trading core: a signed order reaches the core with
 * its trader named; replayed, expired, forged and unsigned requests are refused and counted
 * and never reach it; keys rotate with both valid during the grace period, and are stored
 * without their secret; each key's rate holds across replicas; a core that is down is a 503.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { exchangeEdgeAlerts } from "../../charts/alerts/exchange-edge-alerts";
import { exportedMetrics, metricNamesIn, selectorLabelsIn } from "../../charts/alerts/metric-names";
import { dashboardQueries } from "../../charts/dashboards/dashboard-definition";
import { exchangeEdgeDashboard } from "../../charts/dashboards/exchange-edge-dashboard";
import { loadEnvironment } from "../../environments";
import { signRequest } from "../../services/exchange-edge/request-signature";
import { createPool } from "../../services/kit/db";
import { type OutsideParty, readBody, sendJson, startOutsideParty } from "../harness/outside-party";
import { eventually, type Json, metricValue } from "../payments/payments-fixture";
import {
  adminToken,
  type EdgeFixture,
  type EdgeReplica,
  RecordingClient,
  startEdgeFixture,
} from "./edge-fixture";

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let fixture: EdgeFixture;
let replicas: EdgeReplica[];
let core: OutsideParty;
const received: Received[] = [];
const asAdmin = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };

test.before(async () => {
  core = await startOutsideParty(async (request, response) => {
    received.push({ headers: request.headers, body: await readBody(request) });
    sendJson(response, 201, { orderId: `o-${received.length}`, status: "accepted" });
  });
  fixture = await startEdgeFixture({ kafka: false });
  const env = { EXCHANGE_ORDERS_URL: `${core.url}/v1/orders`, EDGE_KEY_REQUESTS_PER_SECOND: "2" };
  replicas = [await fixture.startReplica(env), await fixture.startReplica(env)];
});

test.after(async () => {
  await fixture?.stop();
  await core?.stop();
});

interface Key {
  keyId: string;
  secret: string;
  trader: string;
}

async function issueKey(trader: string): Promise<Key> {
  const answer = await fetch(`${replicas[0]!.url}/admin/v1/api-keys`, {
    method: "POST",
    headers: asAdmin,
    body: JSON.stringify({ trader }),
  });
  assert.is(answer.status, 201);
  return (await answer.json()) as Key;
}

interface SignOptions {
  readonly replica?: EdgeReplica;
  readonly timestamp?: number;
  readonly nonce?: string;
  readonly secret?: string;
  readonly sentBody?: string;
  readonly headers?: Record<string, string>;
}

/** A signed POST /v1/orders; returns the answer and what was sent, to resend it. */
async function placeOrder(key: Key, order: Record<string, unknown>, options: SignOptions = {}) {
  const body = JSON.stringify(order);
  const timestamp = String(options.timestamp ?? Date.now());
  const nonce = options.nonce ?? randomUUID();
  const signature = signRequest(options.secret ?? key.secret, {
    method: "POST",
    path: "/v1/orders",
    timestamp,
    nonce,
    body,
  });
  const headers = {
    "content-type": "application/json",
    "x-api-key": key.keyId,
    "x-timestamp": timestamp,
    "x-nonce": nonce,
    "x-signature": signature,
    ...options.headers,
  };
  return send(options.replica ?? replicas[0]!, headers, options.sentBody ?? body);
}

async function send(replica: EdgeReplica, headers: Record<string, string>, body: string) {
  const response = await fetch(`${replica.url}/v1/orders`, { method: "POST", headers, body });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Json,
    sent: { headers, body },
  };
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  let total = 0;
  for (const replica of replicas) {
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    total += metricValue(text, name, labels) ?? 0;
  }
  return total;
}

const order = { symbol: "BTC-USD", side: "buy", type: "limit", price: "5000000", quantity: "1000" };

test("a signed order reaches the core unchanged, naming the key's trader", async () => {
  const key = await issueKey("alice");
  const before = received.length;
  const answer = await placeOrder(key, order, { headers: { "idempotency-key": "client-order-1" } });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.equal(answer.body, { orderId: `o-${before + 1}`, status: "accepted" });
  const forwarded = received.at(-1)!;
  assert.is(forwarded.body, JSON.stringify(order));
  assert.is(forwarded.headers["x-exchange-trader"], "alice");
  assert.is(forwarded.headers["idempotency-key"], "client-order-1");
});

test("a resent request and one signed too long ago are replays: refused, counted, never forwarded", async () => {
  const key = await issueKey("bob");
  const first = await placeOrder(key, order, { replica: replicas[0] });
  assert.is(first.status, 201);
  const before = received.length;
  // The same bytes again, on the other replica: the nonce is remembered in Redis.
  const again = await send(replicas[1]!, first.sent.headers, first.sent.body);
  assert.is(again.status, 401);
  assert.match(again.body.type, /auth\/replay$/);
  assert.is(again.body.reason, "reused_nonce");
  const stale = await placeOrder(key, order, { timestamp: Date.now() - 120_000 });
  assert.is(stale.status, 401);
  assert.is(stale.body.reason, "stale_timestamp");
  const future = await placeOrder(key, order, { timestamp: Date.now() + 120_000 });
  assert.is(future.body.reason, "stale_timestamp");
  assert.is(received.length, before);
  assert.is(await metric("replay_detect_total", { reason: "reused_nonce" }), 1);
  assert.is(await metric("replay_detect_total", { reason: "stale_timestamp" }), 2);
});

test("forged, tampered, unsigned and unknown-key requests are refused by reason", async () => {
  const key = await issueKey("carol");
  const before = received.length;
  const forged = await placeOrder(key, order, { secret: "0".repeat(64) });
  const tampered = await placeOrder(key, order, {
    sentBody: JSON.stringify({ ...order, quantity: "99999" }),
  });
  const unknown = await placeOrder({ ...key, keyId: "bwk_000000000000000000000000" }, order);
  const unsigned = await send(
    replicas[0]!,
    { "content-type": "application/json" },
    JSON.stringify(order),
  );
  const malformed = await placeOrder(key, order, { nonce: "short" });
  for (const [answer, reason] of [
    [forged, "bad_signature"],
    [tampered, "bad_signature"],
    [unknown, "unknown_key"],
    [unsigned, "missing_headers"],
    [malformed, "malformed_headers"],
  ] as const) {
    assert.is(answer.status, 401, reason);
    assert.match(answer.headers.get("content-type") ?? "", /problem\+json/);
    assert.match(answer.body.type, /auth\/unauthorized$/);
    assert.is(answer.body.reason, reason);
  }
  assert.is(received.length, before);
  assert.is(await metric("auth_fail_total", { reason: "bad_signature" }), 2);
  assert.is(await metric("auth_fail_total", { reason: "unknown_key" }), 1);
  assert.is(await metric("auth_fail_total", { reason: "missing_headers" }), 1);
});

test("rotation: old and new keys both work during the grace, the old one ends after it", async () => {
  const old = await issueKey("dave");
  const rotated = await fetch(`${replicas[1]!.url}/admin/v1/api-keys/${old.keyId}/rotate`, {
    method: "POST",
    headers: asAdmin,
    body: JSON.stringify({ graceSeconds: 3600 }),
  });
  assert.is(rotated.status, 201);
  const fresh = (await rotated.json()) as Key;
  assert.is(fresh.trader, "dave");
  assert.is.not(fresh.keyId, old.keyId);
  assert.is((await placeOrder(old, order, { replica: replicas[1] })).status, 201);
  assert.is((await placeOrder(fresh, order, { replica: replicas[0] })).status, 201);
  assert.is(received.at(-1)!.headers["x-exchange-trader"], "dave");

  const ended = await fetch(`${replicas[0]!.url}/admin/v1/api-keys/${fresh.keyId}/rotate`, {
    method: "POST",
    headers: asAdmin,
    body: JSON.stringify({ graceSeconds: 0 }),
  });
  const newest = (await ended.json()) as Key;
  assert.is((await placeOrder(fresh, order)).body.reason, "unknown_key");
  assert.is((await placeOrder(newest, order)).status, 201);
  const revoked = await fetch(`${replicas[0]!.url}/admin/v1/api-keys/${old.keyId}`, {
    method: "DELETE",
    headers: asAdmin,
  });
  assert.is(revoked.status, 200);
  assert.is((await placeOrder(old, order)).body.reason, "unknown_key");
  const none = await fetch(`${replicas[0]!.url}/admin/v1/api-keys/${old.keyId}/rotate`, {
    method: "POST",
    headers: asAdmin,
    body: "{}",
  });
  assert.is(none.status, 404);
});

test("keys are stored without their secret", async () => {
  const key = await issueKey("erin");
  const pool = createPool(fixture.databaseUrl, undefined, { max: 1 });
  try {
    const { rows } = await pool.query("SELECT * FROM edge_api_keys WHERE key_id = $1", [key.keyId]);
    assert.is(rows.length, 1);
    const stored = JSON.stringify(rows[0], (_, value) =>
      Buffer.isBuffer(value) ? value.toString("hex") : value,
    );
    assert.not.ok(stored.includes(key.secret), "the secret is not in the row");
    assert.is(
      rows[0].secret_sha256.toString("hex"),
      createHash("sha256").update(key.secret).digest("hex"),
    );
  } finally {
    await pool.end();
  }
  const keys = await fetch(`${replicas[0]!.url}/admin/v1/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"trader":"x"}',
  });
  assert.is(keys.status, 401);
});

test("a key's rate holds across replicas; the drops are counted per key", async () => {
  const key = await issueKey("frank");
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, index) =>
      placeOrder(key, order, { replica: replicas[index % 2] }),
    ),
  );
  const windows = 1 + Math.ceil((Date.now() - started) / 1000);
  const accepted = answers.filter((answer) => answer.status === 201).length;
  const limited = answers.filter((answer) => answer.status === 429);
  assert.is(accepted + limited.length, 10);
  assert.ok(accepted <= 2 * windows, `accepted ${accepted} in ${windows} windows`);
  assert.ok(limited.length >= 10 - 2 * windows);
  for (const answer of limited) {
    assert.match(answer.body.type, /orders\/rate-limited$/);
    assert.ok(Number(answer.headers.get("retry-after")) >= 1);
  }
  assert.is(await metric("rate_limit_drops_total", { key_id: key.keyId }), limited.length);
});

test("a core that cannot be reached is a 503, never a forwarded guess", async () => {
  const key = await issueKey("grace");
  await core.stop();
  try {
    const answer = await placeOrder(key, order);
    assert.is(answer.status, 503);
    assert.match(answer.body.type, /orders\/core-unavailable$/);
  } finally {
    await core.start();
  }
  assert.is((await placeOrder(key, order, { replica: replicas[1] })).status, 201);
});

test("every metric the edge's alerts and dashboard read is exported, with the labels they match", async () => {
  // Market data on the same replica: a connection that subscribes past its limit and leaves.
  const client = await RecordingClient.connect(replicas[0]!.url);
  for (let index = 0; index < 30; index += 1) {
    client.send({ op: "subscribe", channel: "trades", symbol: "BTC-USD", id: index });
  }
  await client.until(
    "30 answers",
    () => client.messages.filter((m) => typeof m.id === "number").length >= 30,
  );
  await eventually("a backlog sample", async () =>
    (await (await fetch(`${replicas[0]!.url}/metrics`)).text()).includes(
      "ws_connection_backlog_bytes_bucket",
    ),
  );
  client.close();
  await eventually("the close counted", async () =>
    (await (await fetch(`${replicas[0]!.url}/metrics`)).text()).includes(
      'ws_close_total{reason="CLIENT"',
    ),
  );
  const exported = exportedMetrics(await (await fetch(`${replicas[0]!.url}/metrics`)).text());
  const queries = [
    ...exchangeEdgeAlerts(loadEnvironment("prod")).rules.map((rule) => rule.expr),
    ...dashboardQueries(exchangeEdgeDashboard()),
  ];
  for (const expr of queries) {
    for (const name of metricNamesIn(expr))
      assert.ok(exported.names.has(name), `${name} in ${expr}`);
    for (const { metric, labels } of selectorLabelsIn(expr)) {
      // namespace comes from the scrape; every other label from the edge itself.
      for (const label of labels.filter((each) => each !== "namespace")) {
        assert.ok(exported.labels.get(metric)?.has(label), `${metric}{${label}} in ${expr}`);
      }
    }
  }
});

test.run();
