/**
 * @module LockFlush end to end: a real API server, a real Redis, the operator running with
 * exactly its generated RBAC; the user applies LockFlush objects with kubectl.
 */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import {
  type ControlObject,
  getJson,
  installControls,
  kubectlOk,
  lockFlushYaml,
  setup,
} from "./cluster";
import { startOperatorInProcess, writeTargets } from "./operator-runner";

let cluster: KubeCluster;
let redisServer: RedisServer;
let redis: Redis;
let operator: RunningOperator | undefined;

async function seed(prefix: string, count: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (let index = 0; index < count; index += 1)
    pipeline.set(`${prefix}${index}`, "held", "EX", 600);
  await pipeline.exec();
}

async function count(pattern: string): Promise<number> {
  let cursor = "0";
  let found = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    found += keys.length;
  } while (cursor !== "0");
  return found;
}

async function startTheOperator(): Promise<RunningOperator> {
  return startOperatorInProcess(cluster, {
    REDIS_URL: redisServer.url,
    OPERATOR_TARGETS_FILE: writeTargets({}),
  });
}

async function finished(name: string): Promise<ControlObject> {
  let object: ControlObject | undefined;
  await waitUntil(
    `LockFlush ${name} finished`,
    async () => {
      const current = await getJson(cluster, `lockflush/${name}`);
      object = current;
      return current.status?.completedAt !== undefined;
    },
    { timeoutMs: 30_000 },
  );
  if (!object) throw new Error(`LockFlush ${name} not found`);
  return object;
}

test.before(
  setup(async () => {
    [cluster, redisServer] = await Promise.all([startKube(), startRedis()]);
    redis = new Redis(redisServer.url);
    await installControls(cluster);
  }),
);

test.after(async () => {
  await operator?.stop();
  redis?.disconnect();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
});

test("an interrupted flush is not resumed: it fails and leaves the keys alone", async () => {
  // As if an operator had claimed it and died mid-flush: startedAt without completedAt.
  await seed("lock:purchase:interrupted:", 5);
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("interrupted", { pattern: "lock:purchase:interrupted:*" }),
  });
  await kubectlOk(cluster, [
    "patch",
    "lockflush",
    "interrupted",
    "-n",
    "payments",
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({
      status: { phase: "Pending", startedAt: new Date().toISOString(), keysFlushed: 3 },
    }),
  ]);
  operator = await startTheOperator();
  const object = await finished("interrupted");
  assert.is(object.status?.phase, "Failed");
  assert.match(object.status?.message ?? "", "interrupted after 3 keys");
  assert.is(await count("lock:purchase:interrupted:*"), 5, "nothing flushed again");
});

test("a LockFlush removes exactly the matching keys, in batches, and records them", async () => {
  await seed("lock:purchase:", 250);
  await seed("lock:payout:", 5);
  await seed("session:", 5);
  await redis.set("lock:purchases-other", "x");
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("purchase-locks", { pattern: "lock:purchase:[0-9]*", batchSize: 40 }),
  });
  const object = await finished("purchase-locks");
  assert.is(object.status?.phase, "Completed");
  assert.is(object.status?.keysFlushed, 250);
  assert.is(object.status?.sample?.length, 20);
  assert.ok(object.status?.sample?.every((key) => /^lock:purchase:\d+$/.test(key)));
  assert.is(await count("lock:purchase:[0-9]*"), 0);
  assert.is(await count("lock:payout:*"), 5);
  assert.is(await count("session:*"), 5);
  assert.is(await redis.exists("lock:purchases-other"), 1);
  assert.match(object.status?.message ?? "", "flushed 250 keys matching lock:purchase:[0-9]*");
  const ready = await cluster.kubectl([
    "wait",
    "--for=condition=Ready",
    "lockflush/purchase-locks",
    "-n",
    "payments",
    "--timeout=10s",
  ]);
  assert.is(ready.code, 0, ready.stderr);
  const events = await kubectlOk(cluster, [
    "get",
    "events",
    "-n",
    "payments",
    "--field-selector",
    "involvedObject.name=purchase-locks",
  ]);
  assert.match(events, "Completed");
});

test("a completed LockFlush never runs again", async () => {
  await seed("lock:purchase:", 3);
  // Any change to the object makes the operator reconcile it; the record says it ran.
  await kubectlOk(cluster, ["annotate", "lockflush", "purchase-locks", "-n", "payments", "poke=1"]);
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("after-poke", { pattern: "lock:payout:none-*" }),
  });
  // Work queues are FIFO per kind: once a later object finished, the poke was reconciled.
  await finished("after-poke");
  assert.is(await count("lock:purchase:[0-9]*"), 3);
  const object = await getJson(cluster, "lockflush/purchase-locks");
  assert.is(object.status?.keysFlushed, 250);
});

test("maxKeys stops the flush and dryRun counts without deleting", async () => {
  await seed("lock:payout:many:", 30);
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("count-payouts", { pattern: "lock:payout:many:*", dryRun: true }),
  });
  const dry = await finished("count-payouts");
  assert.is(dry.status?.keysFlushed, 30);
  assert.match(dry.status?.message ?? "", "dry run: would flush 30 keys");
  assert.is(await count("lock:payout:many:*"), 30);
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("some-payouts", {
      pattern: "lock:payout:many:*",
      maxKeys: 10,
      batchSize: 4,
    }),
  });
  const limited = await finished("some-payouts");
  assert.is(limited.status?.keysFlushed, 10);
  assert.is(limited.status?.limitReached, true);
  assert.is(await count("lock:payout:many:*"), 20);
});

test("a pattern outside the allow-list fails with a clear message and touches nothing", async () => {
  await seed("lock:session:", 4);
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("everything", { pattern: "lock:*" }),
  });
  const object = await finished("everything");
  assert.is(object.status?.phase, "Failed");
  assert.match(
    object.status?.message ?? "",
    "pattern lock:* is outside the allow-list (lock:purchase:, lock:payout:): refusing to flush",
  );
  assert.is(await count("lock:session:*"), 4);
  const ready = object.status?.conditions?.find((condition) => condition.type === "Ready");
  assert.is(ready?.status, "False");
  assert.is(ready?.reason, "PatternNotAllowed");
});

test("a Redis that is down before the flush starts delays it instead of failing it", async () => {
  await redisServer.stop();
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("while-down", { pattern: "lock:purchase:*" }),
  });
  await waitUntil(
    "the operator tried and backed off",
    async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${operator!.port}/metrics`)).text();
      return /breakwater_operator_reconciles_total\{kind="LockFlush",result="error"\} [1-9]/.test(
        metrics,
      );
    },
    { timeoutMs: 30_000 },
  );
  const waiting = await getJson(cluster, "lockflush/while-down");
  assert.is(waiting.status?.startedAt, undefined, "not claimed while Redis is down");
  const restartedAt = new Date();
  await redisServer.start();
  const object = await finished("while-down");
  assert.is(object.status?.phase, "Completed");
  assert.ok(Date.parse(String(object.status?.startedAt)) >= restartedAt.getTime() - 1000);
});

test.run();
