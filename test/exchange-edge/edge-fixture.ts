/**
 * @module What the exchange edge's tests share: real PostgreSQL, Redis and Kafka from the
 * harness, edge replicas started with the kit's `startService`, a producer that plays the
 * core (TradeExecuted and BookChanged on the contract's topics), and WebSocket clients that
 * record what they receive.
 */
import { randomUUID } from "node:crypto";
import type { Kafka, Producer } from "kafkajs";
import { WebSocket } from "ws";
import type { EdgeConfig } from "../../services/exchange-edge/config";
import { service as edge } from "../../services/exchange-edge/index";
import type { CommonConfig } from "../../services/kit/config";
import { createKafka } from "../../services/kit/kafka";
import { type RunningService, startService } from "../../services/kit/service";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { freePort } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { eventually } from "../payments/payments-fixture";

export const adminToken = "admin-token-for-tests-0123456789";
export const apiKeyMaster = "api-key-master-for-tests-0123456789abcdef";
export const tradesTopic = "exchange.trades";
export const bookTopic = "exchange.book";

export type EdgeReplica = RunningService<CommonConfig & EdgeConfig>;

export interface EdgeFixture {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  /** Undefined when started without a broker (KAFKA_BROKERS then names a closed port). */
  readonly kafka: KafkaServer | undefined;
  readonly databaseUrl: string;
  readonly replicas: EdgeReplica[];
  startReplica(env?: Record<string, string>): Promise<EdgeReplica>;
  /** Play the core: publish events on the contract's topics, key = symbol. */
  publish(topic: string, events: readonly Record<string, unknown>[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startEdgeFixture(options: { kafka?: boolean } = {}): Promise<EdgeFixture> {
  const [postgres, redis, kafka] = await Promise.all([
    startPostgres(),
    startRedis(),
    options.kafka === false ? Promise.resolve(undefined) : startKafka(),
  ]);
  const databaseUrl = await postgres.createDatabase();
  // Where no core listens unless a test starts one and names it.
  const closedPort = await freePort();
  const brokers = kafka?.brokers ?? [`127.0.0.1:${await freePort()}`];
  const client: Kafka = createKafka(brokers, "edge-tests");
  if (kafka) await createTopics(client);
  let producer: Producer | undefined;
  const replicas: EdgeReplica[] = [];
  return {
    postgres,
    redis,
    kafka,
    databaseUrl,
    replicas,
    async startReplica(env = {}) {
      const replica = await startService(edge, {
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        KAFKA_BROKERS: brokers.join(","),
        ADMIN_TOKEN: adminToken,
        REPLICA_ID: `edge-${replicas.length + 1}-${randomUUID().slice(0, 8)}`,
        LOG_LEVEL: process.env.BREAKWATER_LOG_LEVEL ?? "silent",
        EDGE_SYMBOLS: "BTC-USD,ETH-USD",
        EDGE_FEED_PROBE_MS: "300",
        EDGE_API_KEY_MASTER: apiKeyMaster,
        EXCHANGE_ORDERS_URL: `http://127.0.0.1:${closedPort}/v1/orders`,
        CONTROLS_RELOAD_MS: "500",
        SHUTDOWN_GRACE_MS: "2000",
        ...env,
      });
      replicas.push(replica);
      return replica;
    },
    async publish(topic, events) {
      producer ??= client.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((event) => ({
          key: String(event.symbol),
          value: JSON.stringify(event),
        })),
      });
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop().catch(() => undefined)));
      await producer?.disconnect().catch(() => undefined);
    },
  };
}

async function createTopics(client: Kafka): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: tradesTopic, numPartitions: 3 },
      { topic: bookTopic, numPartitions: 3 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
}

/** A TradeExecuted as the core publishes it. */
export function tradeEvent(
  symbol: string,
  seq: number,
  price = 5_000_000n,
  quantity = 1_000n,
  at = new Date(),
) {
  return {
    type: "TradeExecuted",
    symbol,
    seq,
    fencingToken: 1,
    price: price.toString(),
    quantity: quantity.toString(),
    // BTC-USD in the tests: price per whole BTC (1e8 minor units), quantity in satoshi.
    quoteAmount: ((price * quantity) / 100_000_000n).toString(),
    buyer: { trader: "t-buyer", orderId: `b-${seq}` },
    seller: { trader: "t-seller", orderId: `s-${seq}` },
    takerSide: seq % 2 === 0 ? "buy" : "sell",
    executedAt: at.toISOString(),
  };
}

/** A BookChanged as the core publishes it (quantity = the level's new total, 0 removes it). */
export function bookEvent(
  symbol: string,
  seq: number,
  side: "buy" | "sell",
  price: bigint,
  quantity: bigint,
) {
  return {
    type: "BookChanged",
    symbol,
    seq,
    side,
    price: price.toString(),
    quantity: quantity.toString(),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: messages of many shapes, checked by assertions.
export type WsMessage = any;

/** A WebSocket client that records every message and how the connection closed. */
export class RecordingClient {
  readonly messages: WsMessage[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.messages.push(JSON.parse(data.toString())));
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    socket.on("error", () => undefined);
  }

  static async connect(url: string): Promise<RecordingClient> {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/ws`);
    // Listen before the handshake ends: the first message can come in the same read.
    const client = new RecordingClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Messages of one subscription (channel, symbol and, for candles, interval). */
  of(channel: string, symbol: string, interval?: string): WsMessage[] {
    return this.messages.filter(
      (message) =>
        message.channel === channel &&
        message.symbol === symbol &&
        (interval === undefined || message.interval === interval),
    );
  }

  /** Wait until `predicate` holds on what was received (default 30 s). */
  until(what: string, predicate: (client: RecordingClient) => boolean, timeoutMs = 30_000) {
    return eventually(what, async () => predicate(this), timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}

/** The engine seqs of every trade a client holds for `symbol`: snapshots and updates, in order received. */
export function tradeSeqs(client: RecordingClient, symbol: string): number[] {
  const seqs: number[] = [];
  for (const message of client.of("trades", symbol)) {
    if (message.type === "snapshot")
      seqs.push(...message.trades.map((trade: WsMessage) => trade.tradeSeq));
    if (message.type === "TradeExecuted") seqs.push(message.trade.tradeSeq);
  }
  return seqs;
}
