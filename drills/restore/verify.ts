/**
 * @module What a restored payments database must satisfy: exactly the data committed up to
 * the recovery target (no less, nothing after), a ledger that balances, and an audit chain
 * that verifies with `npm run audit:verify`, the command an on-call person runs.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Pool } from "../../services/kit/db";
import { findImbalances } from "../../services/payments/reconciliation";
import { countPhase, type DataSnapshot, snapshot } from "./workload";

const run = promisify(execFile);
const repositoryRoot = join(import.meta.dirname, "..", "..");

/** The restored rows equal those at the target: same counts, same audit head. */
export async function verifyRowsAtTarget(pool: Pool, expected: DataSnapshot): Promise<string> {
  const restored = await snapshot(pool);
  const fields = ["transactions", "entries", "auditRows", "auditHead"] as const;
  const differing = fields.filter((field) => restored[field] !== expected[field]);
  if (differing.length > 0) {
    const described = differing.map(
      (field) => `${field} ${restored[field]} (expected ${expected[field]})`,
    );
    throw new Error(`restored data differs from the target: ${described.join(", ")}`);
  }
  return `${restored.transactions} transactions, ${restored.entries} entries, ${restored.auditRows} audit rows`;
}

/** No movement committed after the target came back. */
export async function verifyNothingAfter(pool: Pool, phase: string): Promise<string> {
  const found = await countPhase(pool, phase);
  if (found > 0) throw new Error(`${found} transactions committed after the target were restored`);
  return `0 of the ${phase} transactions`;
}

/** Every currency sums to zero and every cached balance equals its entries. */
export async function verifyLedgerBalances(pool: Pool): Promise<string> {
  const findings = await findImbalances(pool);
  if (findings.length > 0) {
    throw new Error(
      `ledger does not balance: ${JSON.stringify(findings[0])} (${findings.length} findings)`,
    );
  }
  return "every currency sums to zero, every balance equals its entries";
}

/** Run `npm run audit:verify`'s program against the restored database (and expect a row count). */
export async function verifyAuditChain(
  databaseUrl: string,
  expectedRows?: number,
): Promise<string> {
  const program = join(repositoryRoot, "services", "audit-verify.ts");
  const tsx = join(repositoryRoot, "node_modules", ".bin", "tsx");
  let stdout: string;
  try {
    stdout = (await run(tsx, [program], { env: { ...process.env, DATABASE_URL: databaseUrl } }))
      .stdout;
  } catch (error) {
    const { stdout: out = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`audit:verify refused the restored chain: ${(out || stderr).trim()}`);
  }
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
    ok: boolean;
    rowsChecked: number;
  };
  if (!result.ok || (expectedRows !== undefined && result.rowsChecked !== expectedRows)) {
    throw new Error(`audit:verify checked ${result.rowsChecked} rows, expected ${expectedRows}`);
  }
  return `${result.rowsChecked} rows chained`;
}
