/**
 * @module The money the restore drill moves: payments' real schema and the kit's ledger and
 * audit log. Each movement is one database transaction: a deposit from payments' PSP clearing
 * account into a wallet, a transfer between wallets, and the audit row that records it, so
 * a restore that split a transaction would unbalance the ledger or break the audit chain.
 */
import { appendAudit } from "../../services/kit/audit";
import { type Pool, withTransaction } from "../../services/kit/db";
import { createAccount, postTransaction } from "../../services/kit/ledger";
import { migrate } from "../../services/kit/migrations";
import { loadServiceDefinition } from "../../services/kit/service-registry";
import { clearingAccount } from "../../services/payments/payouts";

const wallets = ["users:drill-a:wallet", "users:drill-b:wallet"] as const;
const currency = "EUR";

/** What a database holds at one moment: the drill compares these before and after. */
export interface DataSnapshot {
  readonly transactions: number;
  readonly entries: number;
  readonly auditRows: number;
  /** The newest audit row's hash: the chain's head. */
  readonly auditHead: string | null;
}

/**
 * Apply payments' migrations (the kit's, the ledger's and its own, which opens the PSP's
 * clearing account) and open two wallets.
 */
export async function preparePayments(pool: Pool): Promise<void> {
  const definition = await loadServiceDefinition("payments");
  await migrate(pool, definition.name, definition.migrationsDir, { ledger: definition.ledger });
  for (const wallet of wallets) await createAccount(pool, { name: wallet, type: "user" });
}

/** Commit `count` movements whose references start with `phase`. */
export async function moveMoney(pool: Pool, phase: string, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const reference = `drill:${phase}:${index}`;
    await withTransaction(pool, async (tx) => {
      await postTransaction(tx, {
        kind: "deposit",
        reference,
        postings: [
          { source: clearingAccount, target: wallets[0], amount: 1000n, currency },
          { source: wallets[0], target: wallets[1], amount: 250n, currency },
        ],
      });
      await appendAudit(tx, {
        actor: "restore-drill",
        action: "drill.move",
        subject: reference,
        reason: `restore drill, phase ${phase}`,
        after: { amount: "1000", currency },
      });
    });
  }
}

/** How many transactions carry a reference of `phase`. */
export async function countPhase(pool: Pool, phase: string): Promise<number> {
  const result = await pool.query<{ count: string }>(
    "SELECT count(*) FROM ledger_transactions WHERE reference LIKE $1",
    [`drill:${phase}:%`],
  );
  return Number(result.rows[0]?.count);
}

/** Counts and the audit head in one statement, so they describe one moment. */
export async function snapshot(pool: Pool): Promise<DataSnapshot> {
  const result = await pool.query<{
    transactions: string;
    entries: string;
    audit_rows: string;
    audit_head: string | null;
  }>(
    `SELECT (SELECT count(*) FROM ledger_transactions) AS transactions,
            (SELECT count(*) FROM ledger_entries) AS entries,
            (SELECT count(*) FROM audit_log) AS audit_rows,
            (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS audit_head`,
  );
  const row = result.rows[0]!;
  return {
    transactions: Number(row.transactions),
    entries: Number(row.entries),
    auditRows: Number(row.audit_rows),
    auditHead: row.audit_head,
  };
}
