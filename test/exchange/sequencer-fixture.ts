/**
 * @module What the sequencer tests and the child they kill share: a database migrated for the
 * exchange, and a sequencer of BTC-USD on it with its own metrics registry.
 */

import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { type SequencerHooks, SymbolSequencer } from "../../services/exchange/sequencer/sequencer";
import { createSequencerMetrics } from "../../services/exchange/sequencer/sequencer-metrics";
import { createPool, type Pool } from "../../services/kit/db";
import { migrate } from "../../services/kit/migrations";
import { btcUsd } from "./symbols";

export const exchangeMigrations = join(
  import.meta.dirname,
  "..",
  "..",
  "services",
  "exchange",
  "migrations",
);

/** A pool on `url` with the kit's, the ledger's and the exchange's tables. */
export async function migratedPool(url: string): Promise<Pool> {
  const pool = createPool(url, pino({ level: "silent" }));
  await migrate(pool, "exchange", exchangeMigrations, { ledger: true });
  return pool;
}

export function testSequencer(
  pool: Pool,
  holder: string,
  options: { leaseTtlMs?: number; hooks?: SequencerHooks } = {},
) {
  const registry = new Registry();
  const metrics = createSequencerMetrics(registry);
  const sequencer = new SymbolSequencer({
    pool,
    spec: btcUsd,
    holder,
    leaseTtlMs: options.leaseTtlMs ?? 60_000,
    metrics,
    logger: pino({ level: process.env.SEQUENCER_LOG_LEVEL ?? "silent" }, pino.destination(2)),
    hooks: options.hooks,
  });
  return { sequencer, metrics, registry };
}
