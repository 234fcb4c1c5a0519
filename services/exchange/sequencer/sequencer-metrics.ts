/**
 * @module The sequencer's metrics, under the names the exchange runbook's Engine row and its
 * split-brain playbook read: queue depth, loop time, log append (commit, fsync included) time,
 * orders and seq per symbol, stale-leader refusals and duplicate seqs.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface SequencerMetrics {
  readonly queueDepth: Gauge<"symbol">;
  readonly loopSeconds: Histogram<"symbol">;
  readonly logAppendSeconds: Histogram<"symbol">;
  readonly orders: Counter<"symbol" | "type">;
  readonly seq: Gauge<"symbol">;
  readonly fencingRejections: Counter<"symbol">;
  readonly duplicateSeq: Counter<"symbol">;
  readonly leader: Gauge<"symbol">;
}

const fastBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createSequencerMetrics(registry: Registry): SequencerMetrics {
  const registers = [registry];
  return {
    queueDepth: new Gauge({
      name: "exchange_engine_queue_depth",
      help: "Commands waiting for the symbol's sequencer.",
      labelNames: ["symbol"],
      registers,
    }),
    loopSeconds: new Histogram({
      name: "exchange_engine_loop_seconds",
      help: "Time of one sequencer loop: a batch matched, logged and committed.",
      labelNames: ["symbol"],
      buckets: fastBuckets,
      registers,
    }),
    logAppendSeconds: new Histogram({
      name: "exchange_engine_log_append_seconds",
      help: "Time to append a batch to exchange_engine_log and commit it (the WAL fsync).",
      labelNames: ["symbol"],
      buckets: fastBuckets,
      registers,
    }),
    orders: new Counter({
      name: "exchange_orders_total",
      help: "Commands the symbol's engine accepted, by type (place, cancel, cancel-all).",
      labelNames: ["symbol", "type"],
      registers,
    }),
    seq: new Gauge({
      name: "exchange_engine_seq",
      help: "The last seq appended to the symbol's engine log; its rate is the seq rate.",
      labelNames: ["symbol"],
      registers,
    }),
    fencingRejections: new Counter({
      name: "exchange_fencing_token_rejections_total",
      help: "Appends refused with FENCING_TOKEN: this replica wrote as a stale leader.",
      labelNames: ["symbol"],
      registers,
    }),
    duplicateSeq: new Counter({
      name: "exchange_duplicate_seq_total",
      help: "Appends that found their seq already taken: two writers for one symbol (split brain).",
      labelNames: ["symbol"],
      registers,
    }),
    leader: new Gauge({
      name: "exchange_engine_leader",
      help: "1 while this replica holds the symbol's sequencer lease.",
      labelNames: ["symbol"],
      registers,
    }),
  };
}
