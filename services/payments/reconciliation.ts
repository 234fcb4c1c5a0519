/**
 * @module Reconciliation: recompute the ledger from its entries and compare. Every currency's
 * entries must sum to zero, and every cached balance must equal the sum of its account's
 * entries. The database already refuses both faults on the normal path, so a finding means
 * something bypassed it (a restore, a manual edit, a bug): each one increments
 * `ledger_imbalance_total{currency}` and is logged with the transactions involved.
 */
import { type Pool, withTransaction } from "../kit/db";
import type { Logger } from "../kit/logger";
import type { PaymentsMetrics } from "./payments-metrics";

export type Finding =
  | {
      readonly kind: "currency_unbalanced";
      readonly currency: string;
      /** Sum of all entries in the currency, which should be 0. */
      readonly total: string;
      /** Transactions whose own entries do not sum to zero. */
      readonly transactions: string[];
    }
  | {
      readonly kind: "balance_mismatch";
      readonly currency: string;
      readonly account: string;
      readonly cached: string;
      readonly computed: string;
      /** The account's latest transactions in the currency. */
      readonly transactions: string[];
    };

/** Recompute in one snapshot, so postings committing meanwhile cannot look like faults. */
export async function findImbalances(pool: Pool): Promise<Finding[]> {
  return withTransaction(
    pool,
    async (tx) => {
      const findings: Finding[] = [];
      const currencies = await tx.query<{ currency: string; total: string }>(
        `SELECT currency, sum(amount)::text AS total FROM ledger_entries
          GROUP BY currency HAVING sum(amount) <> 0 ORDER BY currency`,
      );
      for (const row of currencies.rows) {
        const transactions = await tx.query<{ id: string }>(
          `SELECT transaction_id AS id FROM ledger_entries WHERE currency = $1
            GROUP BY transaction_id HAVING sum(amount) <> 0 LIMIT 100`,
          [row.currency],
        );
        const ids = transactions.rows.map((item) => item.id);
        findings.push({ kind: "currency_unbalanced", ...row, transactions: ids });
      }
      const balances = await tx.query<{
        account: string;
        currency: string;
        cached: string;
        computed: string;
      }>(
        `SELECT b.account, b.currency, b.amount::text AS cached, coalesce(e.total, 0)::text AS computed
           FROM balances b
           LEFT JOIN (SELECT account, currency, sum(amount) AS total FROM ledger_entries
                       GROUP BY account, currency) e USING (account, currency)
          WHERE b.amount <> coalesce(e.total, 0)
          ORDER BY b.currency, b.account`,
      );
      for (const row of balances.rows) {
        const transactions = await tx.query<{ id: string }>(
          `SELECT transaction_id AS id FROM ledger_entries WHERE account = $1 AND currency = $2
            ORDER BY id DESC LIMIT 20`,
          [row.account, row.currency],
        );
        findings.push({
          kind: "balance_mismatch",
          ...row,
          transactions: transactions.rows.map((item) => item.id),
        });
      }
      return findings;
    },
    { isolation: "repeatable read" },
  );
}

/** One reconciliation run: count and log what it found. */
export function createReconciliationWorker(
  pool: Pool,
  metrics: PaymentsMetrics,
  logger: Logger,
): () => Promise<string> {
  return async function reconciliationRun() {
    const findings = await findImbalances(pool);
    const currencies = new Set(findings.map((finding) => finding.currency));
    for (const currency of currencies) metrics.ledgerImbalance.inc({ currency });
    for (const finding of findings)
      logger.error({ finding }, "ledger imbalance found by reconciliation");
    if (findings.length === 0) logger.debug("ledger reconciled: every currency balances");
    return "success";
  };
}
