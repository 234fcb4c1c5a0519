/**
 * @module Drill: a stuck escrow (seed 004, "Resolving Stuck Escrow": stuck > 7 days, the
 * super admin forces a release or a refund). demo-seller lists an account for 2,500.00 USD,
 * demo-buyer buys it, the provider announces the payment, the buyer reveals the credentials,
 * and then nothing moves for eight days (the transaction's clock is set back in escrow's
 * database). The scan counts it in `escrow_stuck_transactions`, EscrowStuckTransactions fires
 * and opens a ticket; no automation rule answers it, so alice applies an EscrowResolution
 * releasing it; the amount is above the approval amount, so it waits for bob's approval
 * (alice's own is refused); then escrow releases the funds, pays the seller through the
 * provider, EscrowAdminFundsMoved records the forced release, the stuck alert resolves and
 * alice deletes the spent control.
 */

import { loadRules } from "../policies/automation/load-rules";
import { type EscrowClient, escrowClient } from "./escrow-client";
import type { PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const alertname = "EscrowStuckTransactions";
const namespace = "breakwater-services";
const seller = "demo-seller";
const buyer = "demo-buyer";
/** 2,500.00 USD: above escrow's approval amount (1,000.00), so four eyes are needed. */
const amount = "250000";
const heldAccount = "platform:escrow:held";

interface Sale {
  readonly id: string;
  readonly buyerToken: string;
}

/** The drill's amount band; each replica's scan counts the whole database, so this sums them. */
const stuckCount = (platform: PlatformClient) =>
  platform.metricSum("escrow", "escrow_stuck_transactions", { band: "1000_to_10000" });

async function heldBalance(platform: PlatformClient): Promise<bigint> {
  const result = await platform.sql(
    "escrow",
    "SELECT amount::text AS amount FROM balances WHERE account = $1",
    [heldAccount],
  );
  return BigInt(result.rows[0]?.amount ?? "0");
}

/** Move the transaction's clock by `interval` (only while in `state`, when given). */
async function shiftClock(
  platform: PlatformClient,
  id: string,
  interval: string,
  state?: string,
): Promise<void> {
  await platform.sql(
    "escrow",
    `UPDATE transactions SET created_at = created_at + $2::interval,
            funds_held_at = funds_held_at + $2::interval
      WHERE id = $1 AND ($3::text IS NULL OR state = $3)`,
    [id, interval, state ?? null],
  );
}

/** A sale paid and revealed, then left alone for eight days. */
async function strandSale(run: DrillRun, escrow: EscrowClient): Promise<Sale> {
  const { platform } = run;
  const sellerToken = await escrow.login(seller);
  const buyerToken = await escrow.login(buyer);
  const listing = await escrow.call(sellerToken, "POST", "/api/v1/listings", {
    title: "drill: a game account",
    amount,
    credentials: { username: "drill@example.com", password: "drill-password" },
  });
  if (listing.status !== 201) throw new Error(`listing: ${JSON.stringify(listing.body)}`);
  const opened = await escrow.call(buyerToken, "POST", "/api/v1/transactions", {
    listingId: listing.body.id,
  });
  if (opened.status !== 201) throw new Error(`transaction: ${JSON.stringify(opened.body)}`);
  await escrow.pay(opened.body);
  const revealed = await escrow.call(
    buyerToken,
    "POST",
    `/api/v1/transactions/${opened.body.id}/reveal`,
  );
  if (revealed.status !== 200) throw new Error(`reveal: ${revealed.status}`);
  await shiftClock(platform, opened.body.id, "-8 days");
  // A drill that stops before the release gives the transaction its own clock back.
  run.undo(() => shiftClock(platform, opened.body.id, "8 days", "funds_held"));
  return { id: opened.body.id, buyerToken };
}

async function firingAndRouted(run: DrillRun, before: number): Promise<void> {
  const { platform } = run;
  await run.step("metric: escrow_stuck_transactions counts it", async () => {
    const now = await stuckCount(platform);
    const replicas = platform.replicas("escrow").length;
    return now > before && `band 1000_to_10000: ${before} → ${now} over ${replicas} replicas`;
  });
  await run.step(
    `${alertname} firing in Prometheus`,
    async () => {
      const alerts = await platform.prometheusAlerts(alertname);
      return alerts.some((alert) => alert.state === "firing") && "service=escrow";
    },
    { timeoutMs: 120_000 },
  );
  await run.step("Alertmanager routes it (a warning: a ticket)", async () => {
    const alerts = await platform.alertmanagerAlerts(alertname);
    const receivers = alerts.flatMap((alert) => alert.receivers.map((receiver) => receiver.name));
    return receivers.length > 0 && `receivers: ${[...new Set(receivers)].join(", ")}`;
  });
  await run.step("decision: no automation rule answers it, on-call resolves it", async () => {
    const answering = loadRules().filter((rule) => rule.alert === alertname);
    return answering.length === 0 && "runbook: force release or refund (seed 004, step 5)";
  });
}

const resolutionName = "release-stuck-escrow-drill";

// biome-ignore lint/suspicious/noExplicitAny: a Kubernetes object.
const resolution = (platform: PlatformClient): Promise<any> =>
  platform.resource(`escrowresolution/${resolutionName}`, namespace);

/** alice deletes the spent control (absent already is fine). */
const deleteResolution = (platform: PlatformClient) =>
  platform.kubectl("alice", [
    "delete",
    `escrowresolution/${resolutionName}`,
    "-n",
    namespace,
    "--ignore-not-found",
    "--timeout=60s",
  ]);

const approve = (platform: PlatformClient, user: string) =>
  platform.kubectl(user, [
    "annotate",
    `escrowresolution/${resolutionName}`,
    "-n",
    namespace,
    `ops.breakwater.dev/approved-by=${user}`,
  ]);

/** alice applies the release; it waits for a second person; bob approves; escrow runs it. */
async function releaseWithFourEyes(run: DrillRun, sale: Sale): Promise<void> {
  const { platform } = run;
  await platform.apply("alice", {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "EscrowResolution",
    metadata: { name: resolutionName, namespace },
    spec: {
      transactionId: sale.id,
      decision: "release",
      reason: "Stuck transaction resolved - buyer confirmed access",
      ticket: "INC-5150",
      requestedBy: "alice",
    },
  });
  run.undo(async () => void (await deleteResolution(platform)));
  await run.step("control: alice applied an EscrowResolution (release)", async () => {
    const control = await resolution(platform);
    return control !== undefined && `escrowresolution/${resolutionName}, ticket INC-5150`;
  });
  await run.step("four eyes: above the approval amount it waits for a second person", async () => {
    const control = await resolution(platform);
    const marked =
      control?.metadata?.annotations?.["ops.breakwater.dev/requires-approval"] === "true";
    return marked && control.status?.phase === "Pending" && `Pending, ${amount} minor units`;
  });
  await run.step("alice's own approval is refused", async () => {
    const refused = await approve(platform, "alice").then(
      () => undefined,
      (error: Error) => error.message,
    );
    return refused?.includes("requested this control and cannot approve it too")
      ? "the four-eyes admission policy refuses it"
      : false;
  });
  await approve(platform, "bob");
  await run.step("bob approved: escrow released it (Completed)", async () => {
    const control = await resolution(platform);
    return (
      control?.status?.phase === "Completed" &&
      control.status.transactionState === "released" &&
      `transaction ${control.status.transactionState}, changed ${control.status.changed}`
    );
  });
}

/** What the buyer and the seller see, and the books. */
async function customersSeeIt(
  run: DrillRun,
  escrow: EscrowClient,
  sale: Sale,
  heldBefore: bigint,
): Promise<void> {
  const { platform } = run;
  await run.step("customers: the buyer sees the transaction released", async () => {
    const answer = await escrow.call(sale.buyerToken, "GET", `/api/v1/transactions/${sale.id}`);
    return answer.body?.state === "released" && "state released";
  });
  await run.step("customers: the provider paid the seller, the hold is empty", async () => {
    const transfers = (await platform.sandbox("GET", "/paystack/transfers")).body.transfers as {
      recipient: string;
      amount: string;
    }[];
    const paid = transfers.some(
      (transfer) => transfer.recipient === seller && transfer.amount === amount,
    );
    const held = await heldBalance(platform);
    return paid && held === heldBefore && `transfer of ${amount} to ${seller}; held ${held}`;
  });
  await run.step("audit: the forced release names alice, bob and the ticket", async () => {
    const result = await platform.sql(
      "escrow",
      `SELECT actor, ticket, after FROM audit_log
        WHERE action = 'transaction.transition' AND ticket = 'INC-5150' AND after->>'state' = 'released'`,
    );
    const row = result.rows.find((item) => JSON.stringify(item.after).includes("bob"));
    return row?.actor === "alice" && `actor alice, approved by bob, ${row.ticket}`;
  });
  await run.step(
    "EscrowAdminFundsMoved firing: the release is on the audit trail",
    async () => {
      const alerts = await platform.prometheusAlerts("EscrowAdminFundsMoved");
      return (
        alerts.some(
          (alert) => alert.labels.via === "control" && alert.labels.action === "release",
        ) && "action=release, via=control"
      );
    },
    { timeoutMs: 120_000 },
  );
}

export const stuckEscrow: PlatformScenario = {
  name: "stuck-escrow",
  playbook: "seed 004 (escrow): Resolving Stuck Escrow",
  summary:
    "a paid escrow stuck past 7 days: metric, alert, EscrowResolution by on-call with four eyes, seller paid, alert resolved",
  async run(run) {
    const { platform } = run;
    const escrow = escrowClient(platform);
    await run.step("platform ready: nothing stuck, escrow operational", async () => {
      if (await resolution(platform)) throw new Error(`${resolutionName} exists: delete it first`);
      const stuck = await stuckCount(platform);
      return stuck === 0 && (await escrow.status()) === "operational" && "0 stuck";
    });
    const heldBefore = await heldBalance(platform);
    const sale = await strandSale(run, escrow);
    await run.step(
      "fault injected: a paid, revealed transaction untouched for 8 days",
      async () => `transaction ${sale.id} funds_held since 8 days`,
    );
    await firingAndRouted(run, 0);
    await releaseWithFourEyes(run, sale);
    await customersSeeIt(run, escrow, sale, heldBefore);
    await run.step(
      "status page: escrow releases operational (one transaction's resolution is not published)",
      async () => (await escrow.status()) === "operational" && "operational",
    );
    await run.step(
      `resolution: ${alertname} no longer firing`,
      async () =>
        (await platform.prometheusAlerts(alertname)).length === 0 &&
        "the scan counts nothing stuck",
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await deleteResolution(platform);
    await run.step("cleanup: alice deleted the spent EscrowResolution", async () => {
      const control = await resolution(platform);
      return control === undefined && "its record stays in escrow's audit_log";
    });
  },
};
