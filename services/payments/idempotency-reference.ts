/**
 * @module The Idempotency-Key of a money-moving request, required there: it becomes the
 * ledger reference of the transfer or payout, so the effect happens once even if the kit's
 * idempotency record is lost between the commit and the stored response.
 */
import type { Context } from "hono";
import { kitProblems, problem } from "../kit/problem";

/** The request's `Idempotency-Key`, or a 400 problem when it is missing. */
export function idempotencyReference(c: Context): string {
  const key = c.req.header("idempotency-key");
  if (key === undefined || key === "") {
    throw problem({
      type: kitProblems.idempotencyInvalidKey,
      title: "Idempotency-Key required",
      status: 400,
      detail: "money-moving requests need an Idempotency-Key header (a UUID per intended effect)",
    });
  }
  return key;
}
