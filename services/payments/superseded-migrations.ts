/**
 * @module Migration files payments applied in releases before the ledger moved into the kit:
 * a database migrated then upgrades without running them again (see the kit's migrations.ts).
 */
import type { SupersededMigration } from "../kit/migrations";

export const paymentsSupersededMigrations: readonly SupersededMigration[] = [
  {
    // Created the ledger's tables and payments' two platform accounts, which now come from
    // the kit's ledger/001_ledger.sql (same tables; only comments differ) and payments'
    // 003_platform_accounts.sql (the same two accounts).
    id: "payments/001_ledger.sql",
    checksums: ["cb8c7564dd74478792d5bc4fc105c5baa6e0d9889cfeb6c7ee98629be481ddab"],
    replacedBy: ["ledger/001_ledger.sql", "payments/003_platform_accounts.sql"],
  },
];
