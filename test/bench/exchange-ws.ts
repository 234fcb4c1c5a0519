/**
 * @module `npm run bench -- exchange-ws`: trade fan-out from Kafka to 1,000 WebSocket clients
 * through an exchange edge replica, against a bare `ws` server that consumes the same topic
 * and broadcasts each message as it came, in the same run. Per server: delivery latency
 * p50/p99 (publish → client) at a steady trade rate (target p99 ≤ 50 ms), then throughput
 * (deliveries per second draining a burst; target edge/bare ≥ 0.8); and the edge's heap per
 * connection. Clients run in a worker thread; real PostgreSQL, Redis and Kafka on loopback.
 *
 * Options: `--clients N` (default 1000), `--rate N` trades/s (default 10), `--seconds N` of
 * steady rate (default 10), `--burst N` trades (default 300).
 */

import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import type { Consumer } from "kafkajs";
import { WebSocketServer } from "ws";
import { createKafka } from "../../services/kit/kafka";
import {
  type EdgeFixture,
  startEdgeFixture,
  tradeEvent,
  tradesTopic,
} from "../exchange-edge/edge-fixture";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    rate: { type: "string", default: "10" },
    seconds: { type: "string", default: "10" },
    burst: { type: "string", default: "300" },
  },
});
const clients = Number(values.clients);
const ratePerSecond = Number(values.rate);
const steadySeconds = Number(values.seconds);
const burst = Number(values.burst);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let nextSeq = 1;

class Clients {
  readonly #worker = new Worker(new URL("./exchange-ws-clients.ts", import.meta.url));

  ask<T>(command: Record<string, unknown>, answer: string): Promise<T> {
    return new Promise((resolve) => {
      const listen = (message: { type: string }) => {
        if (message.type !== answer) return;
        this.#worker.off("message", listen);
        resolve(message as T);
      };
      this.#worker.on("message", listen);
      this.#worker.postMessage(command);
    });
  }

  report() {
    return this.ask<{ received: number; latenciesMs: number[] }>({ type: "report" }, "report");
  }

  async stop() {
    await this.ask({ type: "close" }, "closed");
    await this.#worker.terminate();
  }
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Publish at `ratePerSecond` for `steadySeconds`, stamping each trade with its publish time. */
async function steady(fixture: EdgeFixture): Promise<number> {
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < steadySeconds * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * ratePerSecond) - sent;
    if (due > 0) {
      const trades = Array.from({ length: due }, () =>
        tradeEvent("BTC-USD", nextSeq++, 5_000_000n, 1_000n, new Date()),
      );
      await fixture.publish(tradesTopic, trades);
      sent += due;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return sent;
}

async function measure(name: string, fixture: EdgeFixture, workers: Clients) {
  await workers.ask({ type: "reset" }, "reset");
  const sent = await steady(fixture);
  await waitFor(async () => (await workers.report()).received >= sent * clients, 60_000);
  const steadyReport = await workers.report();
  const sorted = [...steadyReport.latenciesMs].sort((a, b) => a - b);
  await workers.ask({ type: "reset" }, "reset");
  const started = Date.now();
  const trades = Array.from({ length: burst }, () => tradeEvent("BTC-USD", nextSeq++));
  await fixture.publish(tradesTopic, trades);
  const drained = await waitFor(
    async () => (await workers.report()).received >= burst * clients,
    120_000,
  );
  const elapsedMs = Date.now() - started;
  const delivered = (await workers.report()).received;
  const result = {
    server: name,
    steadyTrades: sent,
    steadyDelivered: steadyReport.received,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    burstDelivered: delivered,
    burstDrained: drained,
    deliveriesPerSecond: Math.round((delivered / elapsedMs) * 1000),
  };
  console.log(`${name}: ${JSON.stringify(result)}`);
  return result;
}

/** The baseline: a bare ws server broadcasting each message of the topic as it came. */
async function startBareServer(brokers: string[]) {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server });
  const consumer: Consumer = createKafka(brokers, "bench-bare").consumer({
    groupId: `bench-bare-${randomUUID()}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [tradesTopic], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const text = message.value?.toString() ?? "";
      for (const client of wss.clients) client.send(text);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await consumer.disconnect();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function main(): Promise<void> {
  const fixture = await startEdgeFixture();
  const edge = await fixture.startReplica({ LOG_LEVEL: "warn", EDGE_FEED_PROBE_MS: "1000" });
  await fixture.publish(tradesTopic, [tradeEvent("BTC-USD", nextSeq++)]);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const edgeClients = new Clients();
  await edgeClients.ask(
    { type: "connect", url: `${edge.url.replace("http", "ws")}/ws`, clients, subscribe: true },
    "connected",
  );
  gc();
  const heapPerConnection = Math.round((process.memoryUsage().heapUsed - heapBefore) / clients);
  console.log(`edge heap per subscribed connection: ${heapPerConnection} bytes`);
  const edgeResult = await measure("edge", fixture, edgeClients);
  await edgeClients.stop();

  const bare = await startBareServer(fixture.kafka!.brokers);
  const bareClients = new Clients();
  await bareClients.ask({ type: "connect", url: bare.url, clients, subscribe: false }, "connected");
  // The bare consumer joins its group while the clients connect; let it catch the first trades.
  await fixture.publish(tradesTopic, [tradeEvent("BTC-USD", nextSeq++)]);
  await waitFor(async () => (await bareClients.report()).received >= clients, 60_000);
  const bareResult = await measure("bare ws", fixture, bareClients);
  await bareClients.stop();
  await bare.stop();
  await fixture.stop();

  const ratio = edgeResult.deliveriesPerSecond / bareResult.deliveriesPerSecond;
  console.log(
    `throughput edge/bare ${ratio.toFixed(3)} (target ≥ 0.8); edge p99 ${edgeResult.p99Ms} ms (target ≤ 50)`,
  );
  console.log(
    JSON.stringify({
      benchmark: "exchange-ws",
      clients,
      ratePerSecond,
      edge: edgeResult,
      bare: bareResult,
      throughputRatio: Number(ratio.toFixed(3)),
      edgeHeapBytesPerConnection: heapPerConnection,
      targets: { throughputRatio: 0.8, p99Ms: 50 },
    }),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
