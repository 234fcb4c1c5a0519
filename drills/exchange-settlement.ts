/**
 * @module What the exchange drills check of settlement: a value from Prometheus, and whether
 * the ledger caught up with the engine (settled seq = engine seq, consumer lag 0).
 */
import type { PlatformClient } from "./platform-client";

/** The first value `query` answers in Prometheus, or undefined when it answers none. */
export async function prometheusValue(
  platform: PlatformClient,
  query: string,
): Promise<number | undefined> {
  const url = `${platform.state.endpoints.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = (await (await fetch(url)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

/** "settled seq N = engine seq, consumer lag 0" once the ledger holds every trade of `symbol`. */
export async function caughtUp(platform: PlatformClient, symbol: string): Promise<string | false> {
  const [engine, settled, behind] = await Promise.all([
    platform.metricSum("exchange", "exchange_engine_trade_seq", { symbol }),
    platform.metricSum("exchange", "exchange_settled_seq", { symbol }),
    prometheusValue(platform, 'sum(settlement_consumer_lag{service="exchange"})'),
  ]);
  // Each replica's checker exports the same two seqs: equal sums mean equal seqs.
  return (
    engine === settled &&
    (behind ?? 0) === 0 &&
    `settled seq ${settled / platform.replicas("exchange").length} = engine seq, consumer lag 0`
  );
}
