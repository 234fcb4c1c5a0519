/**
 * @module The seller payout worker: claims due payouts with FOR UPDATE SKIP LOCKED (replicas
 * never send the same one at once), sends each through the provider with the payout id as
 * the transfer reference (a repeat can never pay twice), and records the outcome with the
 * kit gateway's care: only a certain answer settles or fails a payout, an ambiguous one goes
 * to manual review, an unreachable provider is retried with backoff.
 */
import { backoffMs } from "../kit/backoff";
import { type Pool, withTransaction } from "../kit/db";
import type { Logger } from "../kit/logger";
import type { PspGateway, PspOutcome } from "../kit/psp-gateway";
import type { EscrowMetrics } from "./escrow-metrics";
import { publishEscrowEvent } from "./events";
import { finishPayout, lockPayout } from "./payouts";

export interface PayoutWorkerOptions {
  readonly pool: Pool;
  readonly gateway: PspGateway;
  readonly metrics: EscrowMetrics;
  readonly logger: Logger;
  readonly batchSize: number;
  /** How long a claim lasts; longer than the provider's timeout. */
  readonly leaseMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

interface Claim {
  readonly id: string;
  readonly account: string;
  readonly amount: string;
  readonly currency: string;
  readonly recipient: string;
  readonly attempts: number;
}

// The recipient is the seller's id: the provider knows each seller as a transfer recipient.
const claimSql = `
  WITH due AS (
    SELECT id FROM escrow_payouts
     WHERE (status = 'queued' AND next_attempt_at <= now())
        OR (status = 'sending' AND lease_until < now())
     ORDER BY next_attempt_at, id
     LIMIT $1
       FOR UPDATE SKIP LOCKED)
  UPDATE escrow_payouts p
     SET status = 'sending', attempts = p.attempts + 1, updated_at = now(),
         lease_until = now() + $2 * interval '1 millisecond'
    FROM due, transactions t
   WHERE p.id = due.id AND t.id = p.transaction_id
  RETURNING p.id, p.account, p.amount::text AS amount, p.currency, t.seller_id AS recipient, p.attempts`;

/** One run: `failed` when the provider was unreachable for some payout, else `success`. */
export function createPayoutWorker(
  options: PayoutWorkerOptions,
): (signal: AbortSignal) => Promise<string> {
  return async function escrowPayoutRun(signal) {
    if (signal.aborted) return "skipped";
    const claims = await options.pool.query<Claim>(claimSql, [options.batchSize, options.leaseMs]);
    const results = await Promise.all(claims.rows.map((claim) => sendOne(options, claim)));
    return results.includes("unreachable") ? "failed" : "success";
  };
}

async function sendOne(options: PayoutWorkerOptions, claim: Claim): Promise<PspOutcome["kind"]> {
  const outcome = await options.gateway.send({
    reference: claim.id,
    amount: BigInt(claim.amount),
    currency: claim.currency,
    destination: claim.recipient,
  });
  await withTransaction(options.pool, async (tx) => {
    const payout = await lockPayout(tx, claim.id);
    if (payout?.status !== "sending" || payout.attempts !== claim.attempts) return;
    switch (outcome.kind) {
      case "sent":
        await finishPayout(tx, payout, "settled", { transferId: outcome.pspPayoutId });
        return;
      case "failed":
        await finishPayout(tx, payout, "failed", { error: outcome.reason });
        return;
      case "ambiguous":
        await tx.query(
          `UPDATE escrow_payouts SET status = 'manual_review', last_error = $2, lease_until = NULL,
                  updated_at = now() WHERE id = $1`,
          [payout.id, outcome.reason],
        );
        publishEscrowEvent(tx, "payout.manual_review", payout.transactionId, {
          payout: payout.id,
          reason: outcome.reason,
        });
        return;
      case "unreachable":
        await tx.query(
          `UPDATE escrow_payouts SET status = 'queued', lease_until = NULL, updated_at = now(),
                  next_attempt_at = now() + $2 * interval '1 millisecond', last_error = $3
            WHERE id = $1`,
          [
            payout.id,
            backoffMs(payout.attempts, options.retryBaseMs, options.retryMaxMs),
            outcome.reason,
          ],
        );
    }
  });
  options.metrics.payoutResults.inc({ result: outcome.kind });
  options.logger.info({ payout: claim.id, outcome }, "seller payout send recorded");
  return outcome.kind;
}
