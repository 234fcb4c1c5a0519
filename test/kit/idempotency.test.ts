/**
 * @module Idempotency-Key against real PostgreSQL: one effect for concurrent repeats,
 * byte-for-byte replay, 409 for a different body, and the outcomes counted.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningService } from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { type RedisServer, startRedis } from "../harness/redis";
import { startTestService } from "./test-service";

let postgres: PostgresServer;
let redis: RedisServer;
let service: RunningService;

test.before(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  service = await startTestService(postgres, redis);
});

test.after(async () => {
  await service?.stop();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

function createThing(
  key: string,
  body: unknown,
  authorization = "Bearer alice",
): Promise<Response> {
  return fetch(`${service.url}/v1/things`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key, authorization },
    body: JSON.stringify(body),
  });
}

async function effects(name: string): Promise<number> {
  const result = await service.context.pool.query(
    "SELECT count(*)::int AS n FROM things WHERE name = $1",
    [name],
  );
  return result.rows[0].n;
}

async function outcome(name: string): Promise<number> {
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  const match = new RegExp(`idempotency_events_total\\{outcome="${name}"[^}]*\\} (\\d+)`).exec(
    metrics,
  );
  return Number(match?.[1] ?? 0);
}

test("20 concurrent requests with one key make one effect; the rest replay or are told it is in progress", async () => {
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => createThing("race-1", { name: "race", amount: "100" })),
  );
  const statuses = responses.map((response) => response.status);
  assert.is(await effects("race"), 1);
  assert.is(statuses.filter((status) => status === 201).length >= 1, true);
  assert.ok(
    statuses.every((status) => status === 201 || status === 409),
    `statuses: ${statuses}`,
  );
  for (const response of responses.filter((r) => r.status === 409)) {
    const body = (await response.json()) as { type: string };
    assert.match(body.type, /idempotency\/in-progress$/);
    assert.is(response.headers.get("retry-after"), "1");
  }
  // Once finished, every repeat gets the stored result.
  const again = await createThing("race-1", { name: "race", amount: "100" });
  assert.is(again.status, 201);
  assert.is(again.headers.get("idempotent-replayed"), "true");
  assert.is(await effects("race"), 1);
  assert.ok((await outcome("in_progress")) + (await outcome("replayed")) >= 19);
});

test("a repeat gets the first response byte for byte", async () => {
  const first = await createThing("replay-1", { name: "replay", amount: "5" });
  const firstBytes = new Uint8Array(await first.arrayBuffer());
  // The body carries a timestamp, so a re-run would differ.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = await createThing("replay-1", { name: "replay", amount: "5" });
  const secondBytes = new Uint8Array(await second.arrayBuffer());
  assert.is(second.status, first.status);
  assert.equal(Buffer.from(secondBytes).toString("hex"), Buffer.from(firstBytes).toString("hex"));
  assert.is(second.headers.get("content-type"), first.headers.get("content-type"));
  assert.is.not(second.headers.get("x-request-id"), first.headers.get("x-request-id"));
  assert.is(await effects("replay"), 1);
});

test("the same key with a different body is a 409 problem and no effect", async () => {
  await createThing("conflict-1", { name: "conflict", amount: "1" });
  const before = await outcome("conflict");
  const response = await createThing("conflict-1", { name: "conflict", amount: "2" });
  assert.is(response.status, 409);
  assert.is(response.headers.get("content-type"), "application/problem+json");
  const body = (await response.json()) as { type: string };
  assert.match(body.type, /idempotency\/conflict$/);
  assert.is(await effects("conflict"), 1);
  assert.is(await outcome("conflict"), before + 1);
});

test("keys are scoped per actor: another caller's same key is a new request", async () => {
  await createThing("shared-key", { name: "scoped", amount: "1" }, "Bearer alice");
  const bob = await createThing("shared-key", { name: "scoped", amount: "1" }, "Bearer bob");
  assert.is(bob.status, 201);
  assert.is(bob.headers.get("idempotent-replayed"), null);
  assert.is(await effects("scoped"), 2);
});

test("a validation failure is stored and replayed too, without an effect", async () => {
  const first = await createThing("invalid-1", { name: "bad", amount: "x" });
  const second = await createThing("invalid-1", { name: "bad", amount: "x" });
  assert.is(first.status, 422);
  assert.is(second.status, 422);
  assert.is(second.headers.get("idempotent-replayed"), "true");
  assert.is(await effects("bad"), 0);
});

test("a route that requires a key refuses a request without one", async () => {
  const missing = await fetch(`${service.url}/v1/strict`, { method: "POST" });
  assert.is(missing.status, 400);
  assert.match(((await missing.json()) as { type: string }).type, /idempotency\/invalid-key$/);
  const first = await fetch(`${service.url}/v1/strict`, {
    method: "POST",
    headers: { "idempotency-key": "s-1" },
  });
  const second = await fetch(`${service.url}/v1/strict`, {
    method: "POST",
    headers: { "idempotency-key": "s-1" },
  });
  assert.is(first.status, 201);
  assert.is(await second.text(), await first.text());
  assert.is(await effects("strict"), 1);
});

test("a server error releases the key, so the same key can be retried", async () => {
  const post = () =>
    fetch(`${service.url}/v1/flaky`, { method: "POST", headers: { "idempotency-key": "flaky-1" } });
  assert.is((await post()).status, 503);
  const retried = await post();
  assert.is(retried.status, 201);
  assert.is(retried.headers.get("idempotent-replayed"), null);
  const replayed = await post();
  assert.is(replayed.headers.get("idempotent-replayed"), "true");
  assert.is(await effects("flaky"), 1);
});

test("when the store is down the request is refused with 503 and counted as reserve_error", async () => {
  const before = await outcome("reserve_error");
  await postgres.stop();
  try {
    const response = await createThing("down-1", { name: "down", amount: "1" });
    assert.is(response.status, 503);
    assert.is(response.headers.get("content-type"), "application/problem+json");
  } finally {
    await postgres.start();
  }
  assert.is(await outcome("reserve_error"), before + 1);
});

function createAtomic(key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${service.url}/v1/atomic-things`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });
}

async function keyState(key: string): Promise<string | undefined> {
  const result = await service.context.pool.query<{ state: string }>(
    "SELECT state FROM idempotency_keys WHERE key = $1",
    [key],
  );
  return result.rows[0]?.state;
}

test("answered in the effect's transaction: 20 racing repeats make one effect and all get its bytes", async () => {
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => createAtomic("atomic-1", { name: "atomic" })),
  );
  const statuses = responses.map((response) => response.status);
  assert.ok(
    statuses.every((status) => status === 201),
    `statuses: ${statuses}`,
  );
  assert.is(await effects("atomic"), 1);
  const fresh = responses.filter(
    (response) => response.headers.get("idempotent-replayed") === null,
  );
  assert.is(fresh.length, 1, "exactly one request made the effect; the others replayed it");
  const bodies = await Promise.all(
    responses.map(async (response) => Buffer.from(await response.arrayBuffer()).toString("hex")),
  );
  assert.is(new Set(bodies).size, 1, "every answer is the first answer, byte for byte");
  assert.is(responses[0]!.headers.get("content-type"), fresh[0]!.headers.get("content-type"));
  // Nothing was reserved: the answer row was written, completed, by the effect's commit.
  assert.is(await keyState("atomic-1"), "completed");
  const again = await createAtomic("atomic-1", { name: "atomic" });
  assert.is(again.status, 201);
  assert.is(again.headers.get("idempotent-replayed"), "true");
  assert.is(again.headers.get("content-type"), fresh[0]!.headers.get("content-type"));
  assert.is(again.headers.get("retry-after"), null, "no header of the refused repeat leaks");
  assert.ok(again.headers.get("x-request-id"));
  assert.is(Buffer.from(await again.arrayBuffer()).toString("hex"), bodies[0]);
  const other = await createAtomic("atomic-1", { name: "atomic-other" });
  assert.is(other.status, 409);
  assert.match(((await other.json()) as { type: string }).type, /idempotency\/conflict$/);
  assert.is(await effects("atomic"), 1);
  assert.is(await effects("atomic-other"), 0, "the conflicting request's effect rolled back");
});

test("answered in the effect's transaction: a repeat the handler would now refuse gets the first answer", async () => {
  const first = await createAtomic("atomic-4", { name: "atomic-once" });
  assert.is(first.status, 201);
  const firstBytes = Buffer.from(await first.arrayBuffer()).toString("hex");
  // The name is taken now, so the handler refuses with 422; the key's first answer wins.
  const repeat = await createAtomic("atomic-4", { name: "atomic-once" });
  assert.is(repeat.status, 201);
  assert.is(repeat.headers.get("idempotent-replayed"), "true");
  assert.is(Buffer.from(await repeat.arrayBuffer()).toString("hex"), firstBytes);
  // A new key for the same name gets the refusal, kept and replayed like any 4xx answer.
  const refused = await createAtomic("atomic-5", { name: "atomic-once" });
  assert.is(refused.status, 422);
  assert.is(refused.headers.get("idempotent-replayed"), null);
  const refusedAgain = await createAtomic("atomic-5", { name: "atomic-once" });
  assert.is(refusedAgain.status, 422);
  assert.is(refusedAgain.headers.get("idempotent-replayed"), "true");
  assert.is(await effects("atomic-once"), 1);
});

test("answered in the effect's transaction: with the store down it is 503, counted as reserve_error", async () => {
  const before = await outcome("reserve_error");
  await postgres.stop();
  try {
    const response = await createAtomic("atomic-down", { name: "atomic-down" });
    assert.is(response.status, 503);
    assert.match(((await response.json()) as { type: string }).type, /dependency\/unavailable$/);
  } finally {
    await postgres.start();
  }
  assert.is(await outcome("reserve_error"), before + 1);
  assert.is(await keyState("atomic-down"), undefined);
  const retried = await createAtomic("atomic-down", { name: "atomic-down" });
  assert.is(retried.status, 201, "the same key runs once the store is back");
});

test("answered in the effect's transaction: a rollback after the answer leaves no answer", async () => {
  const failed = await createAtomic("atomic-2", { name: "atomic-rollback", failAfterStore: true });
  assert.is(failed.status, 500);
  assert.is(await effects("atomic-rollback"), 0);
  assert.is(await keyState("atomic-2"), undefined);
  const retried = await createAtomic("atomic-2", { name: "atomic-rollback", failAfterStore: true });
  assert.is(retried.status, 500, "the same key runs again: nothing was stored");
  assert.is(await effects("atomic-rollback"), 0);
});

test.run();
