/** @module Unit tests of candles built from trades: windows per interval, OHLC, volumes, retention. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CandleSeries } from "./candles";
import type { TradeExecuted } from "./market-events";

function trade(seq: number, price: string, at: string): TradeExecuted {
  return {
    type: "TradeExecuted",
    symbol: "BTC-USD",
    seq,
    price,
    quantity: "10",
    quoteAmount: String(Number(price) * 10),
    buyer: { trader: "a", orderId: "1" },
    seller: { trader: "b", orderId: "2" },
    takerSide: "buy",
    executedAt: at,
  };
}

test("trades of one minute make one candle; the next minute opens another", () => {
  const series = new CandleSeries("1m", 10);
  series.add(trade(1, "100", "2026-01-01T00:00:05Z"));
  series.add(trade(2, "120", "2026-01-01T00:00:30Z"));
  const last = series.add(trade(3, "90", "2026-01-01T00:00:59.999Z"));
  assert.equal(
    {
      open: last.open,
      high: last.high,
      low: last.low,
      close: last.close,
      volume: last.volume,
      trades: last.trades,
    },
    { open: "100", high: "120", low: "90", close: "90", volume: "30", trades: 3 },
  );
  assert.is(last.quoteVolume, "3100");
  series.add(trade(4, "95", "2026-01-01T00:01:00Z"));
  assert.equal(
    series.recent(5).map((candle) => candle.openTime),
    ["2026-01-01T00:00:00.000Z", "2026-01-01T00:01:00.000Z"],
  );
});

test("an hour's candle spans its hour, and only the retained number of candles is kept", () => {
  const hourly = new CandleSeries("1h", 2);
  hourly.add(trade(1, "1", "2026-01-01T00:59:00Z"));
  hourly.add(trade(2, "2", "2026-01-01T01:00:00Z"));
  hourly.add(trade(3, "3", "2026-01-01T02:30:00Z"));
  assert.equal(
    hourly.recent(5).map((candle) => candle.openTime),
    ["2026-01-01T01:00:00.000Z", "2026-01-01T02:00:00.000Z"],
  );
});

test.run();
