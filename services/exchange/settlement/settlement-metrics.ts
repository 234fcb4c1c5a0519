/**
 * @module The settlement's metrics, under the names seed 002's Ledger row and its alerts use:
 * settlement lag (trade executed → ledger commit), consumer lag, outcomes, failures, and
 * `invariant_violation_total`.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface SettlementMetrics {
  /** `settlement_lag_seconds{symbol}`: a trade's executedAt to the commit of its posting. */
  readonly lag: Histogram<"symbol">;
  /** `settlement_consumer_lag{topic,partition}`: messages behind the partition's end. */
  readonly consumerLag: Gauge<"topic" | "partition">;
  /** `settlement_trades_total{symbol,outcome}`: posted, duplicate (replayed) or conflict. */
  readonly trades: Counter<"symbol" | "outcome">;
  /** `settlement_failures_total{reason}`: batches that could not settle (they are retried). */
  readonly failures: Counter<"reason">;
  /** `exchange_settled_seq{symbol}`: the seq of the latest trade settled. */
  readonly settledSeq: Gauge<"symbol">;
  /** `invariant_violation_total{asset,symbol,kind}`: seed 002 §3.1's signal. */
  readonly invariantViolations: Counter<"asset" | "symbol" | "kind">;
  /** `exchange_engine_trade_seq{symbol}`: the seq of the engine's latest trade, as the checker read it. */
  readonly engineSeq: Gauge<"symbol">;
  /** `invariant_check_timestamp_seconds`: when the invariant checker last completed. */
  readonly invariantCheckTime: Gauge;
}

/** Settlement lag buckets: the T2/T3 thresholds of every environment fall on a bucket edge. */
export const settlementLagBucketsSeconds = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
];

/** The settlement metrics, registered once per registry (a second call returns the first). */
export function settlementMetrics(registry: Registry): SettlementMetrics {
  const existing = created.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: SettlementMetrics = {
    lag: new Histogram({
      name: "settlement_lag_seconds",
      help: "Seconds from a trade's execution to the commit of its ledger posting.",
      labelNames: ["symbol"] as const,
      buckets: settlementLagBucketsSeconds,
      registers,
    }),
    consumerLag: new Gauge({
      name: "settlement_consumer_lag",
      help: "Trade messages the settlement consumer is behind the end of each partition.",
      labelNames: ["topic", "partition"] as const,
      registers,
    }),
    trades: new Counter({
      name: "settlement_trades_total",
      help: "Trades settled by outcome: posted, duplicate (already posted), conflict (another trade holds the seq).",
      labelNames: ["symbol", "outcome"] as const,
      registers,
    }),
    failures: new Counter({
      name: "settlement_failures_total",
      help: "Settlement batches that failed by reason (invalid_event, ledger_refused, database); they are retried, never skipped.",
      labelNames: ["reason"] as const,
      registers,
    }),
    settledSeq: new Gauge({
      name: "exchange_settled_seq",
      help: "The engine seq of the latest trade settled on the ledger, per symbol.",
      labelNames: ["symbol"] as const,
      registers,
    }),
    invariantViolations: new Counter({
      name: "invariant_violation_total",
      help: "Exchange invariant violations by asset or symbol and kind (balance_mismatch, unsettled_trade, unknown_trade, duplicate_seq).",
      labelNames: ["asset", "symbol", "kind"] as const,
      registers,
    }),
    engineSeq: new Gauge({
      name: "exchange_engine_trade_seq",
      help: "The seq of the engine's latest trade event, per symbol, as the invariant checker read it.",
      labelNames: ["symbol"] as const,
      registers,
    }),
    invariantCheckTime: new Gauge({
      name: "invariant_check_timestamp_seconds",
      help: "Unix time of the invariant checker's last completed run.",
      registers,
    }),
  };
  created.set(registry, metrics);
  return metrics;
}

const created = new WeakMap<Registry, SettlementMetrics>();
