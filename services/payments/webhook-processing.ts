/**
 * @module Processing a stored PSP webhook event, whether the PSP just delivered it or a person
 * replays it: the same steps on the same bytes, each run recorded as an attempt. A refusal
 * (a problem below 500: an unknown account, drift on the reference) is a definite failure; an
 * outage (controls or database unavailable) or any other error (the database refusing the
 * write) is recorded when it can be and rethrown, so the caller answers 5xx and the PSP or the
 * operator tries again.
 */
import type { Counter } from "prom-client";
import type { Controls } from "../kit/controls";
import type { Pool } from "../kit/db";
import { isDependencyOutage } from "../kit/dependency-error";
import { parseJsonBody, validInput } from "../kit/input-problems";
import { parseAmount } from "../kit/ledger/amount";
import { problem } from "../kit/problem";
import { isPlatformAccount, platformAccountProblem } from "./account-access";
import { depositWebhookSchema } from "./api-schemas";
import { type Deposit, recordDeposit } from "./deposits";
import { problemFor } from "./problems";
import { type AttemptRecord, type ReplayRequest, recordWebhookAttempt } from "./webhook-events";

/** What processing needs: the primary, and the controls that must be held (fail closed). */
export interface WebhookProcessing {
  readonly pool: Pool;
  readonly controls: Pick<Controls, "requireAvailable">;
  /** `webhook_attempts_total{source,outcome}`. */
  readonly attempts: Counter<"source" | "outcome">;
}

/** A deposit webhook's body, read and checked (400/422 problems otherwise). */
export function readDepositWebhook(raw: Uint8Array) {
  const payload = parseJsonBody(raw);
  return { deposit: validInput(depositWebhookSchema, payload), payload };
}

/** Credit the deposit the bytes announce, or answer the replay of an earlier credit. */
async function creditDeposit(
  processing: WebhookProcessing,
  raw: Uint8Array,
): Promise<{ deposit: Deposit; replayed: boolean }> {
  const { deposit, payload } = readDepositWebhook(raw);
  if (isPlatformAccount(deposit.account)) {
    // The PSP credits users; a deposit into in-flight or clearing would corrupt them.
    throw problem({
      type: platformAccountProblem,
      title: "Platform accounts are not reachable through the API",
      status: 422,
      detail: `account: ${deposit.account} is one of the platform's own accounts; deposits credit users`,
      extensions: { field: "account", account: deposit.account },
    });
  }
  processing.controls.requireAvailable();
  return recordDeposit(processing.pool, {
    ...deposit,
    amount: parseAmount(deposit.amount),
    payload,
  });
}

/**
 * Process event `eventId` (whose stored bytes are `raw`) once and record the attempt. Returns
 * the credit, or throws the refusal as a problem (recorded as a failed attempt first).
 */
export async function processWebhookEvent(
  processing: WebhookProcessing,
  eventId: string,
  raw: Uint8Array,
  replay?: ReplayRequest,
): Promise<{ deposit: Deposit; replayed: boolean; attempt: number }> {
  const source = replay === undefined ? "delivery" : "replay";
  let credited: { deposit: Deposit; replayed: boolean };
  try {
    credited = await creditDeposit(processing, raw);
  } catch (error) {
    const refusal = problemFor(error);
    const definite = refusal !== undefined && refusal.status < 500;
    const detail = refusal?.details.detail ?? refusal?.details.title ?? (error as Error).message;
    // An outage is recorded without the run's name, so the run may be asked again.
    const outage = isDependencyOutage(error) || (refusal?.status ?? 0) >= 500;
    const record: AttemptRecord = {
      source,
      outcome: "failed",
      error: definite ? detail : `${outage ? "unavailable" : "error"}: ${detail}`,
      ...(definite && replay ? { replay } : {}),
    };
    processing.attempts.inc({ source, outcome: "failed" });
    await recordWebhookAttempt(processing.pool, eventId, record).catch(() => undefined);
    throw refusal ?? error;
  }
  processing.attempts.inc({ source, outcome: "succeeded" });
  const recorded = await recordWebhookAttempt(processing.pool, eventId, {
    source,
    outcome: "succeeded",
    ...(replay ? { replay } : {}),
  });
  return { ...credited, attempt: recorded.attempt };
}
