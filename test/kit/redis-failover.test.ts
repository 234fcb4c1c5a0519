/**
 * @module The RedisFailover control in the kit, with two real Redis servers: two replicas
 * with `REDIS_SECONDARY` move every Redis command to the secondary when one is PUT, without a
 * restart — heartbeats, locks and throttle counters land there, control changes still reach
 * every replica over pub/sub (the reload timer is too slow to help) — keep serving when the
 * primary stops, refuse a lock that may still be held on the primary, and return to the
 * primary when it is lifted. A replica without `REDIS_SECONDARY` refuses the control.
 */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type RunningService, startService } from "../../services/kit";
import { createThrottleCounter } from "../../services/kit/throttle-counter";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { waitUntil } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { adminFetch, testEnv, testService } from "./test-service";

const failoverService = {
  ...testService,
  controlKinds: [...(testService.controlKinds ?? []), "RedisFailover"],
};

let postgres: PostgresServer;
let primary: RedisServer;
let secondary: RedisServer;
let onPrimary: Redis;
let onSecondary: Redis;
let replicas: RunningService[] = [];

const failoverId = "redisfailover.kittest.redis-a-down";
const failoverBody = {
  kind: "RedisFailover",
  spec: { services: ["kittest"] },
  source: { uid: "u-rf", generation: 1, namespace: "kittest", name: "redis-a-down" },
  reason: "the primary Redis is failing over",
  ticket: "INC-7070",
  actor: "alice",
};

const haltId = "withdrawalhalt.kittest.halt-btc";
const haltBody = {
  kind: "WithdrawalHalt",
  spec: { scope: { services: ["kittest"], currencies: ["BTC"] } },
  source: { uid: "u-halt", generation: 1, namespace: "kittest", name: "halt-btc" },
  reason: "ledger imbalance on BTC while Redis fails over",
  ticket: "INC-7071",
  actor: "alice",
};

/** A money-moving lock taken on the primary before the switch and never released. */
const heldAcrossSwitch = { domain: "purchase", id: "held-across-switch", ttlMs: 120_000 };

const deadline = { timeoutMs: 30_000 };

interface Listed {
  controls: unknown[];
  replicas: { id: string; version: number; live: boolean; redis?: string }[];
}

function startReplica(extra: Record<string, string>, databaseUrl: string) {
  return startService(failoverService, testEnv(databaseUrl, primary, extra));
}

test.before(async () => {
  [postgres, primary, secondary] = await Promise.all([startPostgres(), startRedis(), startRedis()]);
  onPrimary = new Redis(primary.url, { maxRetriesPerRequest: 1 });
  onSecondary = new Redis(secondary.url, { maxRetriesPerRequest: 1 });
  onPrimary.on("error", () => {});
  const databaseUrl = await postgres.createDatabase("redis_failover");
  // The reload timer is far too slow to matter: only pub/sub can move a replica in time.
  replicas = await Promise.all(
    ["replica-a", "replica-b"].map((id) =>
      startReplica(
        { REPLICA_ID: id, REDIS_SECONDARY: secondary.url, CONTROLS_RELOAD_MS: "600000" },
        databaseUrl,
      ),
    ),
  );
});

test.after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  onPrimary?.disconnect();
  onSecondary?.disconnect();
  await Promise.all([primary?.stop(), secondary?.stop(), postgres?.stop()]);
});

async function list(replica: RunningService): Promise<Listed> {
  const response = await adminFetch(`${replica.url}/admin/v1/controls`);
  assert.is(response.status, 200, await response.clone().text());
  return (await response.json()) as Listed;
}

async function send(replica: RunningService, method: string, id: string, body?: unknown) {
  return adminFetch(`${replica.url}/admin/v1/controls/${id}`, {
    method,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

/** Whether both replicas report (through one replica's listing) using `endpoint`. */
async function allOn(endpoint: "primary" | "secondary"): Promise<boolean> {
  const listed = await list(replicas[1]!);
  const ours = listed.replicas.filter((replica) => replica.id.startsWith("replica-"));
  return ours.length === 2 && ours.every((replica) => replica.live && replica.redis === endpoint);
}

async function activeGauge(replica: RunningService): Promise<string | undefined> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return /redis_active_endpoint\{[^}]*endpoint="(primary|secondary)"[^}]*\} 1/.exec(text)?.[1];
}

async function payoutStatus(replica: RunningService): Promise<number> {
  const response = await fetch(`${replica.url}/v1/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ currency: "BTC" }),
  });
  return response.status;
}

test("a replica without REDIS_SECONDARY refuses RedisFailover with 409 and stores nothing", async () => {
  const bare = await startReplica({ REPLICA_ID: "bare" }, await postgres.createDatabase());
  try {
    const response = await send(bare, "PUT", failoverId, failoverBody);
    const body = (await response.json()) as { type: string; detail: string };
    assert.is(response.status, 409, JSON.stringify(body));
    assert.match(body.type, /controls\/precondition-failed$/);
    assert.match(body.detail, /REDIS_SECONDARY is not set/);
    assert.is((await list(bare)).controls.length, 0);
    assert.is(bare.context.redisRouter.active(), "primary");
  } finally {
    await bare.stop();
  }
});

test("before the failover everything is on the primary", async () => {
  await waitUntil("both replicas on the primary", () => allOn("primary"), deadline);
  assert.is(await activeGauge(replicas[0]!), "primary");
  const { domain, id, ttlMs } = heldAcrossSwitch;
  const lock = await replicas[0]!.context.locks.acquire(domain, id, ttlMs);
  assert.ok(lock, "the lock is free before the switch");
  assert.is(await onPrimary.exists(lock.key), 1);
  assert.is(await onSecondary.exists(lock.key), 0);
});

test("a PUT through one replica moves both to the secondary, announced over pub/sub", async () => {
  const response = await send(replicas[0]!, "PUT", failoverId, failoverBody);
  assert.is(response.status, 200, await response.text());
  await waitUntil("both acknowledge on the secondary", () => allOn("secondary"), deadline);
  for (const replica of replicas) {
    assert.is(replica.context.redisRouter.active(), "secondary");
    assert.is(await activeGauge(replica), "secondary");
  }
  assert.is((await onSecondary.keys("controls:kittest:replica:replica-*")).length, 2);
});

test("new locks and counters land on the secondary; a lock held on the primary still holds", async () => {
  const lock = await replicas[1]!.context.locks.acquire("purchase", "after-switch", 5_000);
  assert.ok(lock);
  assert.is(await onSecondary.get(lock.key), lock.token);
  assert.is(await onPrimary.exists(lock.key), 0);
  assert.ok(await lock.release());
  assert.is(await onSecondary.exists(lock.key), 0);

  const counter = createThrottleCounter(replicas[0]!.context.redis, "kittest:throttle:");
  assert.is(await counter.consume("BTC", { rate: 5, windowSeconds: 60 }), undefined);
  assert.is((await onSecondary.keys("kittest:throttle:*")).length, 1);
  assert.is((await onPrimary.keys("kittest:throttle:*")).length, 0);

  // Taken on the primary before the switch and not released: no second owner on the secondary.
  const { domain, id, ttlMs } = heldAcrossSwitch;
  assert.is(await replicas[1]!.context.locks.acquire(domain, id, ttlMs), null);
});

test("control changes still reach every replica over pub/sub on the secondary", async () => {
  assert.is((await send(replicas[0]!, "PUT", haltId, haltBody)).status, 200);
  await waitUntil(
    "the other replica refuses payouts",
    async () => (await payoutStatus(replicas[1]!)) === 423,
    deadline,
  );
  assert.is((await send(replicas[1]!, "DELETE", haltId)).status, 200);
  await waitUntil(
    "the first replica accepts payouts again",
    async () => (await payoutStatus(replicas[0]!)) === 201,
    deadline,
  );
});

test("with the primary stopped the replicas keep serving from the secondary", async () => {
  await primary.stop();
  for (const replica of replicas) {
    const ready = await fetch(`${replica.url}/health/ready`);
    assert.is(ready.status, 200, await ready.text());
    const created = await fetch(`${replica.url}/v1/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: `during-outage-${replica.replicaId}`, amount: "100" }),
    });
    assert.is(created.status, 201);
  }
  await waitUntil("acknowledgements still listed", () => allOn("secondary"), deadline);
  // A lock that may still be held on the stopped primary is refused, never taken twice...
  const { domain, id, ttlMs } = heldAcrossSwitch;
  assert.is(await replicas[0]!.context.locks.acquire(domain, id, ttlMs), null);
  // ...while a lock whose TTL is shorter than the time since the switch is taken at once.
  const fresh = await replicas[0]!.context.locks.acquire("purchase", "during-outage", 100);
  assert.ok(fresh);
  assert.is(await onSecondary.get(fresh.key), fresh.token);
});

test("lifting the control returns every replica to the primary", async () => {
  await primary.start();
  // Both replicas hear announcements on the primary again before the lift is made.
  await waitUntil(
    "the replicas re-subscribed on the restarted primary",
    async () => {
      const answer = (await onPrimary.pubsub("NUMSUB", "controls:kittest:changed")) as unknown[];
      return Number(answer[1]) >= 2;
    },
    deadline,
  );
  assert.is((await send(replicas[0]!, "DELETE", failoverId)).status, 200);
  await waitUntil("both back on the primary", () => allOn("primary"), deadline);
  for (const replica of replicas) assert.is(await activeGauge(replica), "primary");
  const lock = await replicas[1]!.context.locks.acquire("purchase", "after-lift", 5_000);
  assert.ok(lock);
  assert.is(await onPrimary.get(lock.key), lock.token);
  assert.is(await onSecondary.exists(lock.key), 0);
});

test.run();
