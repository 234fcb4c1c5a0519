/**
 * @module Resolving stuck escrow transactions, the two ways seed 004 and its issue name, on a
 * real kube-apiserver with the admission policies, the operator with its generated RBAC, and
 * escrow on real PostgreSQL and Redis: the super admin's `POST /api/v1/admin/transactions/
 * {id}/release` (and its refusals, with nothing moved), and an EscrowResolution applied with
 * kubectl that, above the approval amount, waits for a second person (the requester's own
 * approval is refused by the API server) and then ends in the same audited transition.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { approvedByAnnotation } from "../../operators/reconcilers/approval";
import type { KubeCluster, KubeUser } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { getJson, kubectlOk, setup } from "../operator/cluster";
import {
  createTokenSecret,
  startOperatorInProcess,
  writeTargets,
} from "../operator/operator-runner";
import { startPolicyCluster } from "../policies/policy-cluster";
import {
  adminToken,
  balance,
  call,
  type EscrowFixture,
  type EscrowReplica,
  heldSale,
  metricValue,
  startEscrowFixture,
} from "./escrow-fixture";

let cluster: KubeCluster;
let fixture: EscrowFixture;
let replica: EscrowReplica;
let operator: RunningOperator;

test.before(
  setup(async () => {
    [cluster, fixture] = await Promise.all([startPolicyCluster(), startEscrowFixture()]);
    replica = await fixture.startReplica({ RESOLUTION_APPROVAL_AMOUNT: "100000" });
    await kubectlOk(cluster, ["create", "namespace", "breakwater-services"]);
    await kubectlOk(cluster, [
      "apply",
      "-f",
      new URL("../../operators/crds/generated/rbac.yaml", import.meta.url).pathname,
    ]);
    await createTokenSecret(cluster, adminToken, "escrow");
    operator = await startOperatorInProcess(cluster, {
      REDIS_URL: fixture.redis.url,
      OPERATOR_TARGETS_FILE: writeTargets({ escrowUrl: replica.url }),
    });
  }),
);

test.after(async () => {
  await operator?.stop();
  await fixture?.stop();
  await cluster?.stop();
});

/** A paid sale whose funds have been held for `days` days. */
async function stuckSale(seller: string, buyer: string, amount: string, days = 8) {
  const sale = await heldSale(fixture, replica.url, { seller, buyer }, amount);
  await fixture.pool.query(
    `UPDATE transactions SET funds_held_at = now() - make_interval(days => $2),
            created_at = now() - make_interval(days => $2) WHERE id = $1`,
    [sale.id, days],
  );
  return sale;
}

const held = () => balance(fixture.pool, "platform:escrow:held");
const scrape = async () => (await call(replica.url, "GET", "/metrics")).body as string;

test("the super admin releases a stuck transaction once; refusals move nothing", async () => {
  const sale = await stuckSale("rs-seller1", "rs-buyer1", "20000");
  await waitUntil("the stuck gauge counts it", async () => {
    const value = metricValue(await scrape(), "escrow_stuck_transactions", { band: "100_to_1000" });
    return (value ?? 0) >= 1;
  });
  const before = await held();
  const path = `/api/v1/admin/transactions/${sale.id}/release`;
  const reason = { reason: "Stuck transaction resolved - buyer confirmed access" };

  const asTrader = await call(replica.url, "POST", path, reason, await fixture.trader("rs-buyer1"));
  assert.is(asTrader.status, 403);
  const noReason = await call(replica.url, "POST", path, {}, await fixture.superAdmin("root"));
  assert.is(noReason.status, 422);
  assert.is(noReason.headers.get("content-type"), "application/problem+json");
  const unknown = await call(
    replica.url,
    "POST",
    "/api/v1/admin/transactions/00000000-0000-4000-8000-000000000000/release",
    reason,
    await fixture.superAdmin("root"),
  );
  assert.is(unknown.status, 404);
  assert.is(await held(), before);

  const released = await call(replica.url, "POST", path, reason, await fixture.superAdmin("root"));
  assert.is(released.status, 200, JSON.stringify(released.body));
  assert.is(released.body.state, "released");
  assert.is(released.headers.get("escrow-resolution"), "applied");
  const again = await call(replica.url, "POST", path, reason, await fixture.superAdmin("root"));
  assert.is(again.status, 200);
  assert.is(again.headers.get("escrow-resolution"), "already-applied");
  assert.is(await held(), before - 20_000n);
  const refund = await call(
    replica.url,
    "POST",
    `/api/v1/admin/transactions/${sale.id}/refund`,
    reason,
    await fixture.superAdmin("root"),
  );
  assert.is(refund.status, 409);
  assert.match(refund.body.type, /transactions\/transition-refused$/);

  const audit = await fixture.pool.query(
    `SELECT actor, reason, after->>'via' AS via FROM audit_log
      WHERE subject = $1 AND after->>'state' = 'released'`,
    [`transactions:${sale.id}`],
  );
  assert.equal(audit.rows, [{ actor: "root", reason: reason.reason, via: "admin" }]);
  assert.is(
    metricValue(await scrape(), "escrow_admin_actions_total", { action: "release", via: "admin" }),
    1,
  );
});

function resolutionYaml(
  name: string,
  transactionId: string,
  decision: string,
  requestedBy = "alice",
) {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: EscrowResolution
metadata: { name: ${name}, namespace: payments }
spec:
  transactionId: ${transactionId}
  decision: ${decision}
  reason: "seller provided invalid credentials, verified by admin"
  ticket: INC-5150
  requestedBy: ${requestedBy}
`;
}

interface Resolution {
  metadata: { annotations?: Record<string, string> };
  status?: { phase?: string; transactionState?: string; changed?: boolean; message?: string };
}

function phaseOf(name: string, phase: string): Promise<Resolution> {
  let object: Resolution | undefined;
  return waitUntil(
    `EscrowResolution ${name} ${phase}`,
    async () => {
      object = await getJson<Resolution>(cluster, `escrowresolution/${name}`);
      return object.status?.phase === phase;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  ).then(() => object!);
}

const annotate = (user: KubeUser, name: string, value: string) =>
  cluster.kubectl(
    ["annotate", `escrowresolution/${name}`, "-n", "payments", `${approvedByAnnotation}=${value}`],
    { user },
  );

test("above the approval amount an EscrowResolution waits for a second person, not the requester", async () => {
  const sale = await stuckSale("rs-seller2", "rs-buyer2", "150000");
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    user: "alice",
    input: resolutionYaml("refund-big", sale.id, "refund"),
  });
  const waiting = await phaseOf("refund-big", "Pending");
  assert.is(waiting.metadata.annotations?.["ops.breakwater.dev/requires-approval"], "true");
  assert.match(String(waiting.status?.message), /waiting for approval/);
  assert.is(
    (await fixture.pool.query("SELECT state FROM transactions WHERE id = $1", [sale.id])).rows[0]
      .state,
    "funds_held",
  );

  const self = await annotate("alice", "refund-big", "alice");
  assert.is.not(self.code, 0);
  assert.match(self.stderr, /alice/);
  assert.is(
    (await fixture.pool.query("SELECT state FROM transactions WHERE id = $1", [sale.id])).rows[0]
      .state,
    "funds_held",
  );

  const approved = await annotate("bob", "refund-big", "bob");
  assert.is(approved.code, 0, approved.stderr);
  const done = await phaseOf("refund-big", "Completed");
  assert.is(done.status?.transactionState, "refunded");
  assert.is(done.status?.changed, true);
  assert.is(await balance(fixture.pool, "users:rs-buyer2:wallet"), 150_000n);
  const audit = await fixture.pool.query(
    `SELECT actor, ticket, after->>'via' AS via, after->>'approvedBy' AS "approvedBy",
            after->>'control' AS control FROM audit_log
      WHERE subject = $1 AND after->>'state' = 'refunded'`,
    [`transactions:${sale.id}`],
  );
  assert.equal(audit.rows, [
    {
      actor: "alice",
      ticket: "INC-5150",
      via: "control",
      approvedBy: "bob",
      control: "escrowresolution.payments.refund-big",
    },
  ]);
});

test("below the approval amount it runs at once, and a second resolution of the same transaction changes nothing", async () => {
  const sale = await stuckSale("rs-seller3", "rs-buyer3", "9000");
  const before = await held();
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    user: "alice",
    input: resolutionYaml("release-small", sale.id, "release"),
  });
  const done = await phaseOf("release-small", "Completed");
  assert.is(done.status?.transactionState, "released");
  assert.not.ok(done.metadata.annotations?.["ops.breakwater.dev/requires-approval"]);
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    user: "alice",
    input: resolutionYaml("release-small-again", sale.id, "release"),
  });
  const repeat = await phaseOf("release-small-again", "Completed");
  assert.is(repeat.status?.changed, false);
  assert.is(await held(), before - 9000n);
  const moves = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM audit_log WHERE subject = $1 AND after->>'state' = 'released'",
    [`transactions:${sale.id}`],
  );
  assert.is(moves.rows[0].n, 1);
});

test.run();
