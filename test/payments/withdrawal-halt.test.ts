/**
 * @module WithdrawalHalt across three running payments replicas (shared PostgreSQL and Redis):
 * set through one replica's admin API, acknowledged by all three, enforced on payout creation
 * (423 naming the control and ticket) and in the payout worker (nothing sent), scoped per
 * currency, and lifted to resume both. Then the database goes away: payouts fail closed.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  acknowledgedBy,
  asAdmin,
  call,
  eventually,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  requestPayout,
  startPaymentsFixture,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replicas: PaymentsReplica[];
const wallet = "users:h1:wallet";
const haltId = "withdrawalhalt.payments.halt-usd";

test.before(async () => {
  fixture = await startPaymentsFixture();
  replicas = [
    await fixture.startReplica(),
    await fixture.startReplica(),
    await fixture.startReplica(),
  ];
  await fundedWallet(replicas[0]!.url, wallet, 100_000n, "USD");
  await fundedWallet(replicas[0]!.url, wallet, 100_000n, "EUR");
});

test.after(async () => {
  await fixture?.stop();
});

function payout(replica: PaymentsReplica, currency: string, destination = "acct-ok") {
  return requestPayout(replica.url, wallet, currency, "100", destination);
}

async function payoutStatus(id: string): Promise<string> {
  return (await call(replicas[0]!.url, "GET", `/v1/payouts/${id}`)).body.status;
}

/** Wait until every live replica has acknowledged at least `version`, as the operator does. */
async function acknowledgedByAll(version: number) {
  return acknowledgedBy(replicas[2]!.url, 3, version);
}

test("a halt set on one replica is acknowledged by all three and refuses payouts in its currency", async () => {
  // A payout queued while the PSP is down: it waits for a retry when the halt lands.
  await fixture.psp.stop();
  const queued = await payout(replicas[0]!, "USD", "acct-waiting");
  assert.is(queued.status, 201);
  await eventually(
    "a failed send",
    async () =>
      (await call(replicas[0]!.url, "GET", `/v1/payouts/${queued.body.id}`)).body.attempts >= 1,
  );
  // A payout made before the halt; its client will repeat it, with its key, after the halt.
  const earlierKey = randomUUID();
  const earlierBody = { account: wallet, amount: "100", currency: "USD", destination: "acct-b" };
  const earlier = await call(replicas[0]!.url, "POST", "/v1/payouts", earlierBody, {
    "idempotency-key": earlierKey,
  });
  assert.is(earlier.status, 201);

  const put = await call(
    replicas[1]!.url,
    "PUT",
    `/admin/v1/controls/${haltId}`,
    {
      kind: "WithdrawalHalt",
      spec: { scope: { services: ["payments"], currencies: ["USD"] } },
      source: { uid: randomUUID(), generation: 1, namespace: "payments", name: "halt-usd" },
      reason: "ledger imbalance on USD",
      ticket: "INC-1234",
      actor: "alice",
    },
    asAdmin,
  );
  assert.is(put.status, 200, JSON.stringify(put.body));
  const listed = await acknowledgedByAll(put.body.version);
  assert.equal(
    listed.controls.map((control: { id: string }) => control.id),
    [haltId],
  );

  for (const replica of replicas) {
    const refused = await payout(replica, "USD");
    assert.is(refused.status, 423);
    assert.match(refused.headers.get("content-type") ?? "", /problem\+json/);
    assert.match(refused.body.type, /withdrawals\/halted$/);
    assert.is(refused.body.control, haltId);
    assert.is(refused.body.ticket, "INC-1234");
  }
  // The repeat of a payout made before the halt gets that payout back, not a refusal: its
  // money was reserved before the halt, and a second payout is not what the client asked.
  const repeated = await call(replicas[2]!.url, "POST", "/v1/payouts", earlierBody, {
    "idempotency-key": earlierKey,
  });
  assert.is(repeated.status, 201);
  assert.is(repeated.headers.get("idempotent-replayed"), "true");
  assert.equal(repeated.body, earlier.body);
  // Another currency is outside the halt's scope.
  const euro = await payout(replicas[2]!, "EUR", "acct-euro");
  assert.is(euro.status, 201);

  // The PSP is back: the EUR payout goes out, the halted USD payout is not sent at all.
  await fixture.psp.start();
  await eventually(
    "the EUR payout settled",
    async () => (await payoutStatus(euro.body.id)) === "settled",
  );
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.is(
    fixture.psp.requests.filter((request) => request.reference === queued.body.id).length,
    0,
  );
  assert.is(await payoutStatus(queued.body.id), "queued");
});

test("lifting the halt resumes payout creation and sends the payout that waited", async () => {
  const waiting = (
    await fixture.pool.query("SELECT id FROM payouts WHERE destination = 'acct-waiting'")
  ).rows[0].id;
  const lifted = await call(
    replicas[0]!.url,
    "DELETE",
    `/admin/v1/controls/${haltId}`,
    { actor: "alice", reason: "reconciled", ticket: "INC-1234" },
    asAdmin,
  );
  assert.is(lifted.status, 200);
  await acknowledgedByAll(lifted.body.version);
  for (const replica of replicas) assert.is((await payout(replica, "USD")).status, 201);
  await eventually(
    "the waiting payout settled",
    async () => (await payoutStatus(waiting)) === "settled",
  );
  assert.is(fixture.psp.executions(waiting), 1);
});

test("a halt with an empty scope covers every currency", async () => {
  const put = await call(
    replicas[0]!.url,
    "PUT",
    "/admin/v1/controls/withdrawalhalt.payments.all",
    {
      kind: "WithdrawalHalt",
      spec: { scope: {} },
      source: { uid: randomUUID(), generation: 1, namespace: "payments", name: "all" },
      reason: "incident",
      ticket: "INC-99",
      actor: "bob",
    },
    asAdmin,
  );
  await acknowledgedByAll(put.body.version);
  for (const currency of ["USD", "EUR"]) {
    const refused = await payout(replicas[1]!, currency);
    assert.is(refused.status, 423);
    assert.is(refused.body.ticket, "INC-99");
  }
  const lifted = await call(
    replicas[0]!.url,
    "DELETE",
    "/admin/v1/controls/withdrawalhalt.payments.all",
    undefined,
    asAdmin,
  );
  await acknowledgedByAll(lifted.body.version);
  assert.is((await payout(replicas[1]!, "EUR")).status, 201);
});

test("a replica that loses its database refuses payouts and transfers with 503, then recovers", async () => {
  await fixture.postgres.stop();
  try {
    const replica = replicas[0]!;
    const immediate = await payout(replica, "USD");
    assert.is(immediate.status, 503);
    assert.match(immediate.headers.get("content-type") ?? "", /problem\+json/);
    await eventually(
      "not ready",
      async () => (await call(replica.url, "GET", "/health/ready")).status === 503,
    );
    const refused = await payout(replica, "USD");
    assert.is(refused.status, 503);
    // Stale controls refuse it up front, or PostgreSQL refuses the payout's transaction;
    // either way nothing runs.
    assert.match(
      refused.body.type,
      /(controls|dependency)\/unavailable$/,
      JSON.stringify(refused.body),
    );
    const transfer = await call(
      replica.url,
      "POST",
      "/v1/transfers",
      { source: wallet, target: "users:h2:wallet", amount: "1", currency: "USD" },
      { "idempotency-key": randomUUID() },
    );
    assert.is(transfer.status, 503);
  } finally {
    await fixture.postgres.start();
  }
  await eventually(
    "ready again",
    async () => (await call(replicas[0]!.url, "GET", "/health/ready")).status === 200,
    30_000,
  );
  assert.is((await payout(replicas[0]!, "USD")).status, 201);
});

test.run();
