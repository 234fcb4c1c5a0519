/**
 * @module What the settlement's commands (`npm run settlement`, `npm run forensics -- exchange`)
 * connect to, from environment variables alone: `DATABASE_URL` and `KAFKA_BROKERS` (with the
 * kit's SASL and TLS settings). A bad setting stops the command with one line naming it,
 * never showing a password.
 */
import { parseVariables } from "../../../operators/config";
import { commonConfigSchema } from "../../kit/config";
import { createPool, type Pool } from "../../kit/db";
import { createKafka } from "../../kit/kafka";
import { createLogger, type Logger } from "../../kit/logger";
import { createMetrics } from "../../kit/metrics";
import { type SettlementMetrics, settlementMetrics } from "./settlement-metrics";

const variables = commonConfigSchema.pick({
  DATABASE_URL: true,
  KAFKA_BROKERS: true,
  KAFKA_SASL_MECHANISM: true,
  KAFKA_SASL_USERNAME: true,
  KAFKA_SASL_PASSWORD: true,
  KAFKA_TLS: true,
  KAFKA_TLS_CA_FILE: true,
});

export interface CommandConnections {
  readonly pool: Pool;
  readonly kafka: ReturnType<typeof createKafka>;
  readonly logger: Logger;
  readonly metrics: SettlementMetrics;
  close(): Promise<void>;
}

/** Connect as the environment says; throws a one-line ConfigError for a bad variable. */
export function commandConnections(env: NodeJS.ProcessEnv, name: string): CommandConnections {
  const config = parseVariables(variables, env);
  const logger = createLogger({ service: name, replicaId: "command", level: "warn" });
  const pool = createPool(config.DATABASE_URL, logger, { max: 4 });
  return {
    pool,
    kafka: createKafka(config, name, logger),
    logger,
    metrics: settlementMetrics(createMetrics().registry),
    close: () => pool.end(),
  };
}

/** Run a command's main: exit with its code, or print the error on one line and exit 1. */
export function runCommand(what: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = String((error as Error).message ?? error).replace(/\s+/g, " ");
      process.stderr.write(`${what}: ${message}\n`);
      process.exit(1);
    },
  );
}
