/**
 * @module Disputes (seed 004's dispute resolution): either party opens one while funds are
 * held (the transaction becomes `disputed`), both attach evidence, and a super admin decides
 * with the seed's matrix:
 *
 * | decision          | money                                   | also                      |
 * | ----------------- | --------------------------------------- | ------------------------- |
 * | `buyer_at_fault`  | released to the seller (no refund)      |                           |
 * | `seller_at_fault` | full refund to the buyer                | the listing is removed    |
 * | `platform_issue`  | full refund plus compensation           | compensation from the platform |
 * | `unclear`         | stays held                              | escalated to a super admin |
 *
 * Every decision is kept in the transaction's notes, audited, and announced on Kafka
 * (`dispute.decided` / `dispute.escalated` naming buyer and seller, so both are notified).
 */
import { appendAudit } from "../kit/audit";
import { type Pool, type Tx, withTransaction } from "../kit/db";
import { createAccount } from "../kit/ledger/accounts";
import { postTransaction } from "../kit/ledger/ledger";
import { walletOf } from "./escrow-money";
import { publishEscrowEvent } from "./events";
import { resolveTransaction } from "./resolution";
import { addNote, lockTransaction, moveTransaction } from "./transactions";

export const disputeDecisions = [
  "buyer_at_fault",
  "seller_at_fault",
  "platform_issue",
  "unclear",
] as const;
export type DisputeDecision = (typeof disputeDecisions)[number];

export const compensationAccount = "platform:escrow:compensation";

export interface Dispute {
  readonly id: string;
  readonly transactionId: string;
  readonly openedBy: string;
  readonly reason: string;
  readonly evidence: unknown[];
  readonly status: "open" | "escalated" | "decided";
  readonly decision: DisputeDecision | null;
  readonly decidedBy: string | null;
}

const disputeColumns = `id, transaction_id AS "transactionId", opened_by AS "openedBy", reason,
  evidence, status, decision, decided_by AS "decidedBy"`;

/** The dispute, or undefined. */
export async function getDispute(pool: Pool, id: string): Promise<Dispute | undefined> {
  const result = await pool.query<Dispute>(`SELECT ${disputeColumns} FROM disputes WHERE id = $1`, [
    id,
  ]);
  return result.rows[0];
}

/** Open a dispute on a transaction whose funds are held; `party` is buyer or seller. */
export async function openDispute(
  pool: Pool,
  input: { transactionId: string; openedBy: string; reason: string },
): Promise<Dispute | undefined> {
  return withTransaction(pool, async (tx) => {
    const current = await lockTransaction(tx, input.transactionId);
    if (current === undefined) return undefined;
    await moveTransaction(tx, current, "disputed", {
      actor: input.openedBy,
      via: "dispute",
      reason: input.reason,
    });
    const result = await tx.query<Dispute>(
      `INSERT INTO disputes (transaction_id, opened_by, reason) VALUES ($1, $2, $3)
       RETURNING ${disputeColumns}`,
      [input.transactionId, input.openedBy, input.reason],
    );
    const dispute = result.rows[0]!;
    publishEscrowEvent(tx, "dispute.opened", input.transactionId, {
      dispute: dispute.id,
      openedBy: input.openedBy,
      buyerId: current.buyerId,
      sellerId: current.sellerId,
    });
    return dispute;
  });
}

/** Attach evidence (a statement, a screenshot's reference) to an undecided dispute. */
export async function addEvidence(
  pool: Pool,
  id: string,
  evidence: { by: string; kind: string; text: string },
): Promise<Dispute | undefined> {
  const result = await pool.query<Dispute>(
    `UPDATE disputes SET evidence = evidence || $2::jsonb
      WHERE id = $1 AND status <> 'decided' RETURNING ${disputeColumns}`,
    [id, JSON.stringify([{ ...evidence, at: new Date().toISOString() }])],
  );
  return result.rows[0];
}

export interface DecisionInput {
  readonly disputeId: string;
  readonly decision: DisputeDecision;
  readonly decidedBy: string;
  readonly notes: string;
  /** What a platform issue adds to the refund, in minor units. */
  readonly compensation?: bigint;
}

/** A dispute that is already decided. */
export class DisputeDecidedError extends Error {
  constructor(readonly id: string) {
    super(`dispute ${id} is already decided`);
    this.name = "DisputeDecidedError";
  }
}

/** Decide a dispute with the matrix; returns the dispute after it, undefined if unknown. */
export async function decideDispute(
  pool: Pool,
  input: DecisionInput,
): Promise<Dispute | undefined> {
  const dispute = await getDispute(pool, input.disputeId);
  if (dispute === undefined) return undefined;
  if (dispute.status === "decided") throw new DisputeDecidedError(dispute.id);
  if (input.decision === "unclear") return escalate(pool, dispute, input);
  const refund = input.decision !== "buyer_at_fault";
  const cause = {
    actor: input.decidedBy,
    via: "dispute" as const,
    reason: input.notes,
    details: { dispute: dispute.id, decision: input.decision },
  };
  await resolveTransaction(pool, dispute.transactionId, refund ? "refund" : "release", cause);
  return withTransaction(pool, async (tx) => {
    const locked = await tx.query<{ status: string }>(
      "SELECT status FROM disputes WHERE id = $1 FOR UPDATE",
      [dispute.id],
    );
    // A concurrent decision got here first: its resolution was the same one, or refused ours.
    if (locked.rows[0]?.status === "decided") throw new DisputeDecidedError(dispute.id);
    const transaction = (await lockTransaction(tx, dispute.transactionId))!;
    if (input.decision === "seller_at_fault")
      await tx.query("UPDATE listings SET status = 'removed' WHERE id = $1", [
        transaction.listingId,
      ]);
    if (input.decision === "platform_issue" && input.compensation)
      await compensate(
        tx,
        dispute.transactionId,
        walletOf(transaction.buyerId),
        input.compensation,
        transaction.currency,
      );
    const decided = await recordDecision(tx, dispute, input, "decided");
    publishEscrowEvent(tx, "dispute.decided", dispute.transactionId, {
      dispute: dispute.id,
      decision: input.decision,
      notify: [transaction.buyerId, transaction.sellerId],
      state: transaction.state,
    });
    return decided;
  });
}

async function escalate(pool: Pool, dispute: Dispute, input: DecisionInput): Promise<Dispute> {
  return withTransaction(pool, async (tx) => {
    const transaction = (await lockTransaction(tx, dispute.transactionId))!;
    const escalated = await recordDecision(tx, dispute, input, "escalated");
    publishEscrowEvent(tx, "dispute.escalated", dispute.transactionId, {
      dispute: dispute.id,
      notify: [transaction.buyerId, transaction.sellerId],
    });
    return escalated;
  });
}

async function recordDecision(
  tx: Tx,
  dispute: Dispute,
  input: DecisionInput,
  status: "decided" | "escalated",
): Promise<Dispute> {
  const decided = status === "decided";
  const result = await tx.query<Dispute>(
    `UPDATE disputes SET status = $2, decision = $3, decided_by = $4,
            decided_at = CASE WHEN $2 = 'decided' THEN now() END
      WHERE id = $1 RETURNING ${disputeColumns}`,
    [dispute.id, status, input.decision, input.decidedBy],
  );
  await addNote(tx, dispute.transactionId, {
    by: input.decidedBy,
    text: input.notes,
    dispute: dispute.id,
    decision: input.decision,
  });
  await appendAudit(tx, {
    actor: input.decidedBy,
    action: decided ? "dispute.decide" : "dispute.escalate",
    subject: `transactions:${dispute.transactionId}`,
    reason: input.notes,
    before: { dispute: dispute.status },
    after: {
      dispute: status,
      decision: input.decision,
      compensation: input.compensation?.toString() ?? null,
    },
  });
  return result.rows[0]!;
}

async function compensate(
  tx: Tx,
  transactionId: string,
  wallet: string,
  amount: bigint,
  currency: string,
) {
  await createAccount(tx, { name: wallet, type: "user" });
  await postTransaction(tx, {
    kind: "escrow_compensation",
    reference: `escrow:${transactionId}:compensation`,
    postings: [{ source: compensationAccount, target: wallet, amount, currency }],
    metadata: { transaction: transactionId },
    externalAllowed: [compensationAccount],
  });
}
