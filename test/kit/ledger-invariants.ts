/**
 * @module The kit ledger's invariants a service's tests check after hostile or concurrent
 * traffic: every currency's entries sum to zero, and no account that may not go negative is
 * below zero.
 */
import * as assert from "uvu/assert";
import type { Pool } from "../../services/kit/db";

/** Assert the ledger at `pool` balances and keeps non-negative accounts at or above zero. */
export async function assertLedgerBalanced(pool: Pool): Promise<void> {
  const sums = await pool.query(
    "SELECT currency, sum(amount)::text AS total FROM ledger_entries GROUP BY currency HAVING sum(amount) <> 0",
  );
  assert.equal(sums.rows, [], "every currency sums to zero");
  const negative = await pool.query(
    "SELECT account, currency FROM balances WHERE NOT allow_negative AND amount < 0",
  );
  assert.equal(negative.rows, [], "no non-negative account below zero");
}
