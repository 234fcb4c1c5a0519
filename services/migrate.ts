/**
 * @module `npm run migrate -- <name>`: apply the kit's and a service's migrations to
 * `$DATABASE_URL`, print what was applied as one JSON line, exit 1 with one line on error.
 */
import { z } from "zod";
import { ConfigError } from "./kit/config";
import { createPool } from "./kit/db";
import { migrate } from "./kit/migrations";
import { redactText } from "./kit/secret-redaction";
import { loadServiceDefinition, UnknownServiceError } from "./kit/service-registry";

async function main(): Promise<void> {
  const definition = await loadServiceDefinition(process.argv[2]);
  const databaseUrl = z.url({ protocol: /^postgres(ql)?$/ }).safeParse(process.env.DATABASE_URL);
  if (!databaseUrl.success) {
    throw new ConfigError(
      "DATABASE_URL",
      process.env.DATABASE_URL
        ? "DATABASE_URL: expected a postgres:// URL"
        : "DATABASE_URL: required but not set",
    );
  }
  const pool = createPool(databaseUrl.data);
  try {
    const result = await migrate(pool, definition.name, definition.migrationsDir, {
      ledger: definition.ledger,
      superseded: definition.supersededMigrations,
    });
    process.stdout.write(
      `${JSON.stringify({ msg: "migrated", service: definition.name, ...result })}\n`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof UnknownServiceError;
  const message = redactText(error instanceof Error ? error.message : String(error));
  process.stderr.write(
    `${known ? "" : "migrate failed: "}${message.replace(/\s+/g, " ").trim()}\n`,
  );
  process.exit(1);
});
