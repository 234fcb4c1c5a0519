/**
 * @module The forensic bundle of seed 002 §3.1 ("create forensic bundle: WAL segments +
 * snapshots + kafka offsets + ledger entry range + configs"), taken before anyone corrects
 * anything. One folder holds:
 *
 * - `engine-log.jsonl`: the engine log segment (the exchange's WAL) of the window, per symbol;
 * - `kafka-offsets.json`: each partition's earliest and end offsets of the exchange's topics,
 *   and the settlement consumer group's committed offsets;
 * - `ledger-range.json` and `ledger-entries.jsonl`: the range of ledger entries of the window
 *   (first and last id) and those entries of exchange accounts;
 * - `invariants.json`: the invariant checker's findings at that moment;
 * - `config.json`: the config in force: the controls the exchange enforces, the applied
 *   migrations, and the command's settings (credentials never written);
 * - `manifest.json`: every file with its SHA-256, so later tampering shows.
 *
 * The engine keeps no snapshots today: its log is the whole of its state.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import type { Pool } from "../../kit/db";
import { isCredentialName, redactValue } from "../../kit/secret-redaction";
import { checkInvariants } from "./invariant-checker";
import type { SettlementMetrics } from "./settlement-metrics";
import { tradesTopic } from "./trade-executed";

export interface BundleOptions {
  readonly pool: Pool;
  readonly kafka: Kafka;
  readonly metrics: SettlementMetrics;
  /** The folder to write (created; must not hold a bundle already). */
  readonly directory: string;
  /** How far back the engine log segment and the ledger range go. @default 60 */
  readonly windowMinutes?: number;
  /** The settings in force to record (credentials and URL passwords are hidden). */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  /** @default ["exchange.trades", "exchange.book"] */
  readonly topics?: readonly string[];
  /** @default "exchange-settlement" */
  readonly groupId?: string;
}

export interface BundleManifest {
  readonly createdAt: string;
  readonly windowMinutes: number;
  readonly files: Readonly<Record<string, { bytes: number; sha256: string }>>;
}

/** Write the bundle to `options.directory`; resolves with its manifest. */
export async function writeForensicBundle(options: BundleOptions): Promise<BundleManifest> {
  const windowMinutes = options.windowMinutes ?? 60;
  const createdAt = new Date().toISOString();
  mkdirSync(options.directory, { recursive: true });
  const files: Record<string, { bytes: number; sha256: string }> = {};
  const write = (name: string, text: string) => {
    writeFileSync(join(options.directory, name), text, { flag: "wx" });
    const sha256 = createHash("sha256").update(text).digest("hex");
    files[name] = { bytes: Buffer.byteLength(text), sha256 };
  };
  write("engine-log.jsonl", await engineLogSegment(options.pool, windowMinutes));
  write("kafka-offsets.json", json(await kafkaOffsets(options)));
  const ledger = await ledgerRange(options.pool, windowMinutes);
  write("ledger-range.json", json(ledger.range));
  write("ledger-entries.jsonl", ledger.entries);
  write("invariants.json", json(await checkInvariants(options.pool, options.metrics)));
  write("config.json", json(await configInForce(options.pool, options.settings ?? {})));
  const manifest: BundleManifest = { createdAt, windowMinutes, files };
  writeFileSync(join(options.directory, "manifest.json"), json(manifest), { flag: "wx" });
  return manifest;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function jsonLines(rows: readonly unknown[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join("");
}

async function engineLogSegment(pool: Pool, windowMinutes: number): Promise<string> {
  const present = await pool.query<{ present: boolean }>(
    "SELECT to_regclass('exchange_engine_log') IS NOT NULL AS present",
  );
  if (!present.rows[0]!.present) return "";
  const rows = await pool.query(
    `SELECT symbol, seq::text, fencing_token::text, kind, payload, appended_at
       FROM exchange_engine_log
      WHERE appended_at >= now() - make_interval(mins => $1)
      ORDER BY symbol, seq`,
    [windowMinutes],
  );
  return jsonLines(rows.rows);
}

async function kafkaOffsets(options: BundleOptions) {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = (options.topics ?? [tradesTopic, "exchange.book"]).filter((t) =>
      existing.has(t),
    );
    const partitions = Object.fromEntries(
      await Promise.all(
        topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const),
      ),
    );
    const groupId = options.groupId ?? "exchange-settlement";
    const committed = await admin.fetchOffsets({ groupId, topics });
    return { partitions, consumerGroup: { groupId, committed } };
  } finally {
    await admin.disconnect();
  }
}

async function ledgerRange(pool: Pool, windowMinutes: number) {
  const range = await pool.query<{ first: string | null; last: string | null }>(
    `SELECT min(id)::text AS first, max(id)::text AS last FROM ledger_entries
      WHERE created_at >= now() - make_interval(mins => $1)`,
    [windowMinutes],
  );
  const { first, last } = range.rows[0]!;
  const entries =
    first === null
      ? { rows: [] }
      : await pool.query(
          `SELECT e.id::text, e.account, e.currency, e.amount::text, e.created_at,
                  t.kind, t.reference
             FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
            WHERE e.id BETWEEN $1 AND $2 AND e.account LIKE 'exchange:%'
            ORDER BY e.id`,
          [first, last],
        );
  return {
    range: { firstEntryId: first, lastEntryId: last, windowMinutes },
    entries: jsonLines(entries.rows),
  };
}

async function configInForce(pool: Pool, settings: Readonly<Record<string, string | undefined>>) {
  const [controls, migrations] = await Promise.all([
    pool.query(
      `SELECT id, kind, spec, reason, ticket, actor, expires_at, version
         FROM controls WHERE service = 'exchange' ORDER BY id`,
    ),
    pool.query("SELECT scope, name, checksum, applied_at FROM schema_migrations ORDER BY 1, 2"),
  ]);
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    shown[name] = isCredentialName(name) ? "(hidden)" : redactValue(value);
  }
  return { settings: shown, controls: controls.rows, migrations: migrations.rows };
}
