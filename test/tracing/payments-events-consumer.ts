/**
 * @module A consumer of payments' domain events as a downstream service runs one: its own
 * process, started like a service (tracing first when `OTEL_EXPORTER_OTLP_ENDPOINT` is set),
 * consuming `payments.events` with the kit's idempotent consumer and logging one line per
 * event. The tracing test runs it beside payments to follow one payout across both processes.
 *
 * Environment: `DATABASE_URL` (its `processed_messages`), `KAFKA_BROKERS`, `CONSUMER_GROUP`.
 */
import { startTracing } from "../../services/kit/tracing";

await startTracing("payments-events-consumer");

const { createPool } = await import("../../services/kit/db");
const { createKafka } = await import("../../services/kit/kafka");
const { createLogger } = await import("../../services/kit/logger");
const { startIdempotentConsumer } = await import("../../services/kit/outbox-consumer");
const { stopTracing } = await import("../../services/kit/tracing");
const { paymentsEventsTopic } = await import("../../services/payments/events");

const env = process.env;
const logger = createLogger({
  service: "payments-events-consumer",
  replicaId: String(process.pid),
  level: "info",
});
const pool = createPool(env.DATABASE_URL ?? "", logger);
const consumer = await startIdempotentConsumer({
  kafka: createKafka((env.KAFKA_BROKERS ?? "").split(","), "payments-events-consumer", logger),
  pool,
  logger,
  groupId: env.CONSUMER_GROUP ?? "payments-events-consumer",
  topics: [paymentsEventsTopic],
  fromBeginning: true,
  async handle(event) {
    const { type } = event.payload as { type: string };
    logger.info({ eventId: event.eventId, type, key: event.key }, "payments event consumed");
  },
});
logger.info({ topic: paymentsEventsTopic }, "consuming");

process.once("SIGTERM", async () => {
  await consumer.stop();
  await pool.end();
  await stopTracing();
  process.exit(0);
});
