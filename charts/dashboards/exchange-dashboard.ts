/**
 * @module The Exchange dashboard: seed 002 section 2's Engine, Kafka and Ledger rows.
 * Engine: queue depth, loop p99, log append (the WAL fsync) p99, CPU, GC, per-symbol order
 * rate and seq rate. Kafka: produce results and errors, the settlement's consumer lag, broker
 * health. Ledger: settlement lag p50/p99, consumer lag, settlement failures (the database's
 * errors among them), invariant check results, engine trade seq against settled seq.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasourceVariable, query, rate, timeseries } from "./panels";

const scope = 'service="exchange"';

function quantileOf(histogram: string, quantile: number, by: string): string {
  return `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${histogram}_bucket{${scope}}[${rate}])))`;
}

function engineRow(builder: DashboardBuilder): DashboardBuilder {
  return builder
    .withRow(new RowBuilder("Engine").id(100).gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(
      timeseries(
        "Queue depth",
        "short",
        { id: 1, x: 0, y: 1 },
        query(`max by (symbol) (exchange_engine_queue_depth{${scope}})`, "{{symbol}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Loop p99",
        "s",
        { id: 2, x: 12, y: 1 },
        query(quantileOf("exchange_engine_loop_seconds", 0.99, "symbol"), "{{symbol}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Log append (WAL fsync) p99",
        "s",
        { id: 3, x: 0, y: 9 },
        query(quantileOf("exchange_engine_log_append_seconds", 0.99, "symbol"), "{{symbol}}"),
      ),
    )
    .withPanel(
      timeseries(
        "CPU",
        "percentunit",
        { id: 4, x: 12, y: 9 },
        query(`sum by (pod) (rate(process_cpu_seconds_total{${scope}}[${rate}]))`, "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        "GC time",
        "percentunit",
        { id: 5, x: 0, y: 17 },
        query(`sum by (pod) (rate(nodejs_gc_duration_seconds_sum{${scope}}[${rate}]))`, "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Orders per second by symbol",
        "ops",
        { id: 6, x: 12, y: 17 },
        query(`sum by (symbol) (rate(exchange_orders_total{${scope}}[${rate}]))`, "{{symbol}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Seq rate by symbol",
        "ops",
        { id: 7, x: 0, y: 25 },
        query(`sum by (symbol) (rate(exchange_engine_seq{${scope}}[${rate}]))`, "{{symbol}}"),
      ),
    );
}

function kafkaRow(builder: DashboardBuilder): DashboardBuilder {
  return builder
    .withRow(new RowBuilder("Kafka").id(101).gridPos({ x: 0, y: 33, w: 24, h: 1 }))
    .withPanel(
      timeseries(
        "Produce (outbox) by result",
        "ops",
        { id: 8, x: 0, y: 34 },
        query(`sum by (result) (rate(outbox_events_total{${scope}}[${rate}]))`, "{{result}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Consume lag (settlement) by partition",
        "short",
        { id: 9, x: 12, y: 34 },
        query(
          `max by (topic, partition) (settlement_consumer_lag{${scope}})`,
          "{{topic}}/{{partition}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Broker health: under-replicated replicas",
        "short",
        { id: 10, x: 0, y: 42 },
        query(
          "sum by (redpanda_topic) (redpanda_kafka_under_replicated_replicas)",
          "{{redpanda_topic}}",
        ),
      ),
    );
}

function ledgerRow(builder: DashboardBuilder): DashboardBuilder {
  const lag = (quantile: number, id: number, x: number) =>
    timeseries(
      `Settlement lag p${quantile * 100} by symbol`,
      "s",
      { id, x, y: 51 },
      query(quantileOf("settlement_lag_seconds", quantile, "symbol"), "{{symbol}}"),
    );
  return builder
    .withRow(new RowBuilder("Ledger").id(102).gridPos({ x: 0, y: 50, w: 24, h: 1 }))
    .withPanel(lag(0.5, 11, 0))
    .withPanel(lag(0.99, 12, 12))
    .withPanel(
      timeseries(
        "Trades settled by outcome",
        "ops",
        { id: 13, x: 0, y: 59 },
        query(`sum by (outcome) (rate(settlement_trades_total{${scope}}[${rate}]))`, "{{outcome}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Settlement failures (database errors among them)",
        "short",
        { id: 14, x: 12, y: 59 },
        query(
          `sum by (reason) (increase(settlement_failures_total{${scope}}[${rate}]))`,
          "{{reason}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Invariant violations by kind",
        "short",
        { id: 15, x: 0, y: 67 },
        query(
          `sum by (kind, asset, symbol) (increase(invariant_violation_total{${scope}}[${rate}]))`,
          "{{kind}} {{asset}}{{symbol}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Seconds since the last invariant check",
        "s",
        { id: 16, x: 12, y: 67 },
        query(`time() - max(invariant_check_timestamp_seconds{${scope}})`, "age"),
      ),
    )
    .withPanel(
      timeseries(
        "Engine trade seq minus settled seq",
        "short",
        { id: 17, x: 0, y: 75 },
        query(
          `max by (symbol) (exchange_engine_trade_seq{${scope}}) - max by (symbol) (exchange_settled_seq{${scope}})`,
          "{{symbol}}",
        ),
      ),
    );
}

/** The Exchange dashboard model. */
export function exchangeDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Exchange")
    .uid("breakwater-exchange")
    .tags(["breakwater", "exchange"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable());
  const json = ledgerRow(kafkaRow(engineRow(builder))).build();
  return { file: "exchange", json: json as unknown as Record<string, unknown> };
}
