/**
 * @module ReadOnlyMode on two payments replicas sharing a real PostgreSQL primary and its
 * streaming standby (DB_READONLY_ENDPOINT): the control refuses every write on both with 503
 * naming it and its ticket while reads keep answering; with the primary stopped, reads,
 * readiness and the controls keep working from the standby; with the primary back, lifting the
 * control returns both replicas to writing, and nothing was lost or moved meanwhile.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PostgresServer } from "../harness/postgres";
import { startPostgresStandby } from "../harness/postgres";
import {
  acknowledgedBy,
  asAdmin,
  balanceOf,
  call,
  eventually,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  postDeposit,
  startPaymentsFixture,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let standby: PostgresServer;
let replicas: PaymentsReplica[];
const source = "users:ro1:wallet";
const target = "users:ro2:wallet";
const controlId = "readonlymode.payments.primary-maintenance";

test.before(async () => {
  fixture = await startPaymentsFixture();
  standby = await startPostgresStandby(fixture.postgres);
  const onStandby = new URL(fixture.databaseUrl);
  onStandby.port = String(standby.port);
  const env = { DB_READONLY_ENDPOINT: onStandby.toString() };
  replicas = [await fixture.startReplica(env), await fixture.startReplica(env)];
  await fundedWallet(replicas[0]!.url, source, 10_000n);
  await fundedWallet(replicas[0]!.url, target, 1n);
  // Streaming is asynchronous: the reads below go to the standby, so wait until it has replayed
  // both wallets' balances.
  const reader = new pg.Client({ connectionString: onStandby.toString() });
  await reader.connect();
  try {
    await eventually("the standby has both wallets", async () => {
      const found = await reader.query(
        "SELECT count(*)::int AS n FROM balances WHERE account = ANY($1)",
        [[source, target]],
      );
      return found.rows[0].n === 2;
    });
  } finally {
    await reader.end();
  }
});

test.after(async () => {
  await fixture?.stop();
  await standby?.stop();
  await fixture?.postgres.stop();
});

function transfer(replica: PaymentsReplica) {
  return call(
    replica.url,
    "POST",
    "/v1/transfers",
    { source, target, amount: "25", currency: "USD" },
    { "idempotency-key": randomUUID() },
  );
}

test("ReadOnlyMode refuses writes on every replica with 503 naming it; reads keep working", async () => {
  const put = await call(
    replicas[0]!.url,
    "PUT",
    `/admin/v1/controls/${controlId}`,
    {
      kind: "ReadOnlyMode",
      spec: { services: ["payments"] },
      source: { uid: randomUUID(), generation: 1, namespace: "payments", name: "primary-maint" },
      reason: "primary database failing over",
      ticket: "INC-5150",
      actor: "alice",
    },
    asAdmin,
  );
  assert.is(put.status, 200, JSON.stringify(put.body));
  await acknowledgedBy(replicas[1]!.url, 2, put.body.version);
  for (const replica of replicas) {
    const refused = await transfer(replica);
    assert.is(refused.status, 503);
    assert.match(refused.headers.get("content-type") ?? "", /problem\+json/);
    assert.match(refused.body.type, /service\/read-only$/);
    assert.is(refused.body.control, controlId);
    assert.is(refused.body.ticket, "INC-5150");
    assert.ok(refused.headers.get("retry-after"));
    const deposit = await postDeposit(replica.url, {
      reference: `ro-${randomUUID()}`,
      account: target,
      amount: "1",
      currency: "USD",
    });
    assert.is(deposit.status, 503, "the PSP retries the webhook later");
    assert.is(await balanceOf(replica.url, source), 10_000n);
  }
});

test("with the primary down, reads, readiness and controls come from the standby", async () => {
  await fixture.postgres.stop();
  for (const replica of replicas) {
    assert.is(await balanceOf(replica.url, source), 10_000n);
    assert.is(await balanceOf(replica.url, target), 1n);
    // Past a few controls reloads, still holding the control and ready.
    await eventually("a reload from the standby", async () => {
      const ready = await call(replica.url, "GET", "/health/ready");
      return ready.status === 200 && ready.body.checks.controls.status === "up";
    });
    const listed = await call(replica.url, "GET", "/admin/v1/controls", undefined, asAdmin);
    assert.is(listed.status, 200);
    assert.equal(
      listed.body.controls.map((control: { id: string }) => control.id),
      [controlId],
    );
    assert.is((await transfer(replica)).status, 503);
  }
});

test("with the primary back, lifting returns every replica to writing", async () => {
  await fixture.postgres.start();
  const lift = await call(
    replicas[1]!.url,
    "DELETE",
    `/admin/v1/controls/${controlId}`,
    { actor: "alice", reason: "primary healthy again" },
    asAdmin,
  );
  assert.is(lift.status, 200, JSON.stringify(lift.body));
  for (const replica of replicas) {
    const moved = await eventually("writes accepted again", async () => {
      const answer = await transfer(replica);
      return answer.status === 201 ? answer : undefined;
    });
    assert.is(moved.body.amount, "25");
  }
  assert.is(await balanceOf(replicas[0]!.url, target), 51n, "the refused deposit moved nothing");
  assert.is(await balanceOf(replicas[0]!.url, source), 9_950n);
});

test.run();
