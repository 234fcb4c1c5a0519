/**
 * @module Controls across three replicas sharing real PostgreSQL and Redis: a control set
 * through one replica is enforced and acknowledged by all three; a lost message is covered
 * by the reload timer; a lift resumes; every change is audited and queued for Kafka; and a
 * replica that loses its database fails closed while the others keep serving.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Control, loadControlSet, type RunningService, verifyAudit } from "../../services/kit";
import { putControl } from "../../services/kit/controls-store";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { type RedisServer, startRedis } from "../harness/redis";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";
import { adminFetch, adminToken, startTestService } from "./test-service";

let postgres: PostgresServer;
let redis: RedisServer;
let proxy: TcpProxy;
let replicas: RunningService[] = [];

const haltId = "withdrawalhalt.kittest.halt-btc";
const haltBody = {
  kind: "WithdrawalHalt",
  spec: { scope: { services: ["kittest"], currencies: ["BTC"] } },
  source: { uid: "u-1", generation: 1, namespace: "kittest", name: "halt-btc" },
  reason: "ledger imbalance on BTC",
  ticket: "INC-1234",
  actor: "alice",
};

interface ControlList {
  service: string;
  version: number;
  controls: Control[];
  replicas: { id: string; version: number; live: boolean; ready: boolean }[];
}

test.before(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const url = await postgres.createDatabase("controls");
  proxy = await startTcpProxy(postgres.port);
  const viaProxy = url.replace(`:${postgres.port}/`, `:${proxy.port}/`);
  replicas = await Promise.all(
    ["replica-a", "replica-b", "replica-c"].map((id) =>
      startTestService(postgres, redis, { REPLICA_ID: id }, id === "replica-c" ? viaProxy : url),
    ),
  );
});

test.after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await proxy?.close();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

async function list(replica: RunningService): Promise<ControlList> {
  const response = await adminFetch(`${replica.url}/admin/v1/controls`);
  assert.is(response.status, 200);
  return (await response.json()) as ControlList;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function allAcknowledged(version: number, ids = ["replica-a", "replica-b", "replica-c"]) {
  return waitFor(`replicas to acknowledge version ${version}`, async () => {
    const { replicas: seen } = await list(replicas[0]!);
    const live = seen.filter((replica) => replica.live && ids.includes(replica.id));
    return live.length === ids.length && live.every((replica) => replica.version >= version)
      ? seen
      : undefined;
  });
}

function payout(replica: RunningService, currency: string): Promise<Response> {
  return fetch(`${replica.url}/v1/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ currency }),
  });
}

test("the admin API refuses a missing or wrong token with a 401 problem", async () => {
  const none = await fetch(`${replicas[0]!.url}/admin/v1/controls`);
  assert.is(none.status, 401);
  assert.is(none.headers.get("content-type"), "application/problem+json");
  const wrong = await fetch(`${replicas[0]!.url}/admin/v1/controls`, {
    headers: { authorization: `Bearer ${adminToken}x` },
  });
  assert.is(wrong.status, 401);
});

test("a control PUT through one replica is acknowledged and enforced by all three", async () => {
  const response = await adminFetch(`${replicas[1]!.url}/admin/v1/controls/${haltId}`, {
    method: "PUT",
    body: JSON.stringify(haltBody),
  });
  assert.is(response.status, 200);
  const stored = (await response.json()) as Control;
  assert.is(stored.id, haltId);
  assert.is(stored.ticket, "INC-1234");
  assert.is(stored.expiresAt, null);
  const seen = await allAcknowledged(stored.version);
  assert.is(seen.length, 3);
  for (const replica of replicas) {
    const refused = await payout(replica, "BTC");
    assert.is(refused.status, 423);
    const body = (await refused.json()) as Record<string, string>;
    assert.match(body.type!, /withdrawals\/halted$/);
    assert.is(body.control, haltId);
    assert.is(body.ticket, "INC-1234");
    assert.is(body.reason, "ledger imbalance on BTC");
    assert.is((await payout(replica, "ETH")).status, 201);
  }
  const listed = await list(replicas[2]!);
  assert.is(listed.service, "kittest");
  assert.is(listed.version, stored.version);
  assert.equal(
    listed.controls.map((control) => control.id),
    [haltId],
  );
});

test("an identical re-PUT keeps the version; a changed one bumps it", async () => {
  const before = await list(replicas[0]!);
  const again = (await (
    await adminFetch(`${replicas[0]!.url}/admin/v1/controls/${haltId}`, {
      method: "PUT",
      body: JSON.stringify(haltBody),
    })
  ).json()) as Control;
  assert.is(again.version, before.controls[0]!.version);
  assert.is((await list(replicas[0]!)).version, before.version);
  const changed = (await (
    await adminFetch(`${replicas[0]!.url}/admin/v1/controls/${haltId}`, {
      method: "PUT",
      body: JSON.stringify({ ...haltBody, source: { ...haltBody.source, generation: 2 } }),
    })
  ).json()) as Control;
  assert.is(changed.version, before.version + 1);
});

test("bad PUTs are 422 problems: unknown kind, bad spec, bad id", async () => {
  const url = `${replicas[0]!.url}/admin/v1/controls`;
  const unknown = await adminFetch(`${url}/providerdisable.kittest.x`, {
    method: "PUT",
    body: JSON.stringify({ ...haltBody, kind: "ProviderDisable", spec: { provider: "x" } }),
  });
  assert.is(unknown.status, 422);
  assert.match(((await unknown.json()) as { type: string }).type, /controls\/unknown-kind$/);
  const badSpec = await adminFetch(`${url}/symbolmode.kittest.btc`, {
    method: "PUT",
    body: JSON.stringify({
      ...haltBody,
      kind: "SymbolMode",
      spec: { symbol: "BTC-USD", mode: "PAUSED" },
    }),
  });
  assert.is(badSpec.status, 422);
  const badId = await adminFetch(`${url}/Bad_Id`, {
    method: "PUT",
    body: JSON.stringify(haltBody),
  });
  assert.is(badId.status, 422);
});

test("a change that misses the pub/sub message still arrives through the reload timer", async () => {
  const { control } = await putControl(
    replicas[0]!.context.pool,
    "kittest",
    "withdrawalhalt.kittest.all",
    {
      kind: "WithdrawalHalt",
      spec: { scope: {} },
      source: { generation: 1 },
      reason: "silent write",
      ticket: "INC-2",
      actor: "bob",
      expiresAt: null,
    },
  );
  await allAcknowledged(control.version);
  assert.is((await payout(replicas[2]!, "ETH")).status, 423);
  const lifted = await adminFetch(
    `${replicas[0]!.url}/admin/v1/controls/withdrawalhalt.kittest.all`,
    {
      method: "DELETE",
    },
  );
  assert.is(lifted.status, 200);
});

test("a lift resumes payouts everywhere; lifting again is 404", async () => {
  const response = await adminFetch(`${replicas[2]!.url}/admin/v1/controls/${haltId}`, {
    method: "DELETE",
    body: JSON.stringify({ actor: "alice", reason: "books balanced", ticket: "INC-1234" }),
  });
  assert.is(response.status, 200);
  const { id, version } = (await response.json()) as { id: string; version: number };
  assert.is(id, haltId);
  await allAcknowledged(version);
  for (const replica of replicas) assert.is((await payout(replica, "BTC")).status, 201);
  const again = await adminFetch(`${replicas[0]!.url}/admin/v1/controls/${haltId}`, {
    method: "DELETE",
  });
  assert.is(again.status, 404);
  assert.is(again.headers.get("content-type"), "application/problem+json");
});

test("every change is in the audit chain and queued for the control-events topic", async () => {
  const pool = replicas[0]!.context.pool;
  const audit = await pool.query(
    "SELECT actor, action, subject, ticket FROM audit_log ORDER BY id",
  );
  const controlRows = audit.rows.filter((row) => row.action.startsWith("control."));
  assert.equal(
    controlRows.map((row) => `${row.action} ${row.subject} ${row.actor}`),
    [
      `control.put ${haltId} alice`,
      `control.put ${haltId} alice`,
      "control.put withdrawalhalt.kittest.all bob",
      "control.lift withdrawalhalt.kittest.all service-token",
      `control.lift ${haltId} alice`,
    ],
  );
  assert.ok((await verifyAudit(pool)).ok);
  const events = await pool.query(
    "SELECT key, payload FROM outbox WHERE topic = 'breakwater.control-events' ORDER BY id",
  );
  assert.is(events.rows.length, 5);
  assert.equal(
    events.rows.map((row) => row.payload.type),
    ["control.applied", "control.applied", "control.applied", "control.lifted", "control.lifted"],
  );
  const set = await loadControlSet(pool, "kittest");
  assert.is(events.rows.at(-1)!.payload.version, set.version);
});

test("a replica that loses its database is not ready, refuses payouts, and recovers", async () => {
  const [a, , c] = replicas;
  await proxy.cut();
  try {
    await waitFor("replica-c to fail closed", async () =>
      (await payout(c!, "ETH")).status === 503 ? true : undefined,
    );
    const refused = await payout(c!, "ETH");
    assert.is(refused.status, 503);
    assert.match(((await refused.json()) as { type: string }).type, /controls\/unavailable$/);
    const ready = await fetch(`${c!.url}/health/ready`);
    assert.is(ready.status, 503);
    const failed = ((await ready.json()) as { failed: string[] }).failed;
    assert.ok(failed.includes("postgresql") && failed.includes("controls"), `failed: ${failed}`);
    // A read that needs the database is a 503 problem too, never a bare 500.
    const readWithoutDatabase = await adminFetch(`${c!.url}/admin/v1/controls`);
    assert.is(readWithoutDatabase.status, 503);
    assert.match(
      ((await readWithoutDatabase.json()) as { type: string }).type,
      /dependency\/unavailable$/,
    );
    // The others keep serving, and the list shows c as not live rather than blocking enforcement.
    assert.is((await payout(a!, "ETH")).status, 201);
    const seen = await waitFor("replica-c to show as not live", async () => {
      const entry = (await list(a!)).replicas.find((replica) => replica.id === "replica-c");
      return entry && !entry.live ? entry : undefined;
    });
    assert.is(seen.ready, false);
  } finally {
    await proxy.restore();
  }
  await waitFor("replica-c to recover", async () =>
    (await payout(c!, "ETH")).status === 201 ? true : undefined,
  );
  assert.is((await fetch(`${c!.url}/health/ready`)).status, 200);
});

test("concurrent PUTs through different replicas get distinct, growing versions", async () => {
  const before = (await list(replicas[0]!)).version;
  const stored = await Promise.all(
    Array.from({ length: 12 }, async (_, index) => {
      const response = await adminFetch(
        `${replicas[index % replicas.length]!.url}/admin/v1/controls/symbolmode.kittest.s${index}`,
        {
          method: "PUT",
          body: JSON.stringify({
            ...haltBody,
            kind: "SymbolMode",
            spec: { symbol: `S${index}-USD`, mode: "CANCEL_ONLY" },
          }),
        },
      );
      assert.is(response.status, 200);
      return ((await response.json()) as Control).version;
    }),
  );
  assert.equal(
    [...stored].sort((a, b) => a - b),
    Array.from({ length: 12 }, (_, index) => before + index + 1),
  );
  await allAcknowledged(
    before + 12,
    replicas.map((replica) => replica.replicaId),
  );
});

test("a stopped replica leaves the list", async () => {
  const c = replicas.pop()!;
  await c.stop();
  const { replicas: seen } = await list(replicas[0]!);
  assert.equal(
    seen.map((replica) => replica.id),
    ["replica-a", "replica-b"],
  );
});

test.run();
