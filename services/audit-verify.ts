/**
 * @module `npm run audit:verify`: walk `$DATABASE_URL`'s audit_log hash chain and report the
 * first broken row. Prints one JSON line; exit 0 when intact, 2 when broken, 1 on error.
 */
import { z } from "zod";
import { verifyAudit } from "./kit/audit";
import { createPool } from "./kit/db";

async function main(): Promise<number> {
  const databaseUrl = z.url({ protocol: /^postgres(ql)?$/ }).safeParse(process.env.DATABASE_URL);
  if (!databaseUrl.success) {
    process.stderr.write(
      `${process.env.DATABASE_URL ? "DATABASE_URL: expected a postgres:// URL" : "DATABASE_URL: required but not set"}\n`,
    );
    return 1;
  }
  const pool = createPool(databaseUrl.data);
  try {
    const result = await verifyAudit(pool);
    process.stdout.write(
      `${JSON.stringify({ msg: result.ok ? "audit log intact" : "audit log broken", ...result })}\n`,
    );
    return result.ok ? 0 : 2;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `audit verify failed: ${String((error as Error).message ?? error).replace(/\s+/g, " ")}\n`,
    );
    process.exit(1);
  },
);
