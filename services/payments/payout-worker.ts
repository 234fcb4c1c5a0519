/**
 * @module The payout worker: claims due payouts with FOR UPDATE SKIP LOCKED (so replicas
 * never send the same one at once), sends each through the PSP gateway with the payout id as
 * idempotency reference, and records the outcome: settled, refunded, manual review, or back
 * in the queue when the PSP was unreachable. Payouts under a WithdrawalHalt are neither
 * claimed nor sent; they wait until the halt is lifted.
 */

import { backoffMs } from "../kit/backoff";
import type { Controls } from "../kit/controls";
import { type Pool, withTransaction } from "../kit/db";
import type { Logger } from "../kit/logger";
import type { PspGateway, PspOutcome } from "../kit/psp-gateway";
import type { PaymentsMetrics } from "./payments-metrics";
import { finishPayout, holdForReview, lockPayout, requeue } from "./payout-finish";
import { countManualReview } from "./payouts";
import { findWithdrawalHalt, haltedPayouts } from "./withdrawal-halt";

export interface PayoutWorkerOptions {
  readonly service: string;
  readonly pool: Pool;
  readonly gateway: PspGateway;
  readonly controls: Controls;
  readonly metrics: PaymentsMetrics;
  readonly logger: Logger;
  /** Payouts claimed per run. */
  readonly batchSize: number;
  /** How long a claim lasts; longer than the PSP timeout, so a live send is never re-claimed. */
  readonly leaseMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

/** A payout this run owns, fenced by its attempt number. */
interface Claim {
  readonly id: string;
  readonly account: string;
  readonly amount: string;
  readonly currency: string;
  readonly destination: string;
  readonly attempts: number;
}

const claimSql = `
  WITH due AS (
    SELECT id FROM payouts
     WHERE ((status = 'queued' AND next_attempt_at <= now())
            OR (status = 'sending' AND lease_until < now()))
       AND currency <> ALL($2::text[])
     ORDER BY next_attempt_at, id
     LIMIT $1
       FOR UPDATE SKIP LOCKED)
  UPDATE payouts p
     SET status = 'sending', attempts = p.attempts + 1, updated_at = now(),
         lease_until = now() + $3 * interval '1 millisecond'
    FROM due
   WHERE p.id = due.id
  RETURNING p.id, p.account, p.amount::text AS amount, p.currency, p.destination, p.attempts`;

/**
 * One run: returns `failed` when the PSP was unreachable for some payout (they wait for a
 * retry), throws when a payout could not be recorded; `success` otherwise.
 */
export function createPayoutWorker(
  options: PayoutWorkerOptions,
): (signal: AbortSignal) => Promise<string> {
  return async function payoutWorkerRun(signal) {
    const halted = haltedPayouts(options.controls, options.service);
    let results: PromiseSettledResult<"done" | "unreachable">[] = [];
    if (halted.all === undefined && !signal.aborted) {
      const claims = await options.pool.query<Claim>(claimSql, [
        options.batchSize,
        halted.currencies,
        options.leaseMs,
      ]);
      results = await Promise.allSettled(claims.rows.map((claim) => sendOne(options, claim)));
    }
    options.metrics.manualReviewQueueSize.set(await countManualReview(options.pool));
    const errors = results.filter((result) => result.status === "rejected");
    if (errors.length > 0) {
      throw new AggregateError(
        errors.map((result) => (result as PromiseRejectedResult).reason),
        "payouts not recorded",
      );
    }
    return results.some((result) => result.status === "fulfilled" && result.value === "unreachable")
      ? "failed"
      : "success";
  };
}

async function sendOne(
  options: PayoutWorkerOptions,
  claim: Claim,
): Promise<"done" | "unreachable"> {
  // A halt may have landed between the claim and now: check again right before the send.
  let halt: ReturnType<typeof findWithdrawalHalt>;
  try {
    halt = findWithdrawalHalt(options.controls, options.service, claim.currency);
  } catch (error) {
    await release(options, claim, "controls unavailable");
    throw error;
  }
  if (halt) {
    await release(options, claim, null);
    return "done";
  }
  const outcome = await options.gateway.send({
    reference: claim.id,
    amount: BigInt(claim.amount),
    currency: claim.currency,
    destination: claim.destination,
  });
  await record(options, claim, outcome);
  return outcome.kind === "unreachable" ? "unreachable" : "done";
}

async function release(
  options: PayoutWorkerOptions,
  claim: Claim,
  why: string | null,
): Promise<void> {
  await withTransaction(options.pool, async (tx) => {
    const payout = await lockPayout(tx, claim.id);
    if (payout?.status === "sending" && payout.attempts === claim.attempts)
      await requeue(tx, payout, 0, why);
  });
}

async function record(
  options: PayoutWorkerOptions,
  claim: Claim,
  outcome: PspOutcome,
): Promise<void> {
  const entered = await withTransaction(options.pool, async (tx) => {
    const payout = await lockPayout(tx, claim.id);
    if (payout?.status !== "sending" || payout.attempts !== claim.attempts) {
      // Our lease ran out and another worker owns the payout now; it sends with the same
      // reference, so the PSP answers it the same way.
      options.logger.warn(
        { payout: claim.id, outcome: outcome.kind },
        "payout claim lost before its outcome was recorded",
      );
      return false;
    }
    switch (outcome.kind) {
      case "sent":
        await finishPayout(tx, payout, "settled", { pspPayoutId: outcome.pspPayoutId });
        return false;
      case "failed":
        await finishPayout(tx, payout, "refunded", { lastError: outcome.reason });
        return false;
      case "ambiguous":
        await holdForReview(tx, payout, outcome.reason);
        return true;
      case "unreachable":
        await requeue(
          tx,
          payout,
          backoffMs(payout.attempts - 1, options.retryBaseMs, options.retryMaxMs),
          outcome.reason,
        );
        return false;
    }
  });
  options.metrics.payoutResults.inc({ result: outcome.kind });
  if (entered) options.metrics.manualReviewTransitions.inc({ action: "entered" });
  options.logger.info(
    { payout: claim.id, attempt: claim.attempts, outcome },
    "payout send recorded",
  );
}
