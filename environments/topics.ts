/**
 * @module The Kafka topics the services use, sized per environment. A service's topic stays
 * in the list while the service is disabled, so turning it on needs no topic change.
 */
import type { Topic } from "./schema";

/** Control changes (upsert/lift) from every service's admin API, kept for audit. */
export const controlEventsTopic = "breakwater.control-events";

/** Domain events per service, written through each service's outbox. */
export const serviceEventTopics = [
  "payments.events",
  "purchasing.events",
  "exchange.events",
  "exchange.trades",
  "escrow.events",
] as const;

export interface TopicSizing {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Retention of the domain event topics, e.g. `7d`. */
  readonly retention: string;
}

/** Every topic for one environment; the control-event topic keeps its history forever. */
export function serviceTopics(sizing: TopicSizing): Topic[] {
  const control: Topic = {
    name: controlEventsTopic,
    partitions: 1,
    replicationFactor: sizing.replicationFactor,
    retention: "forever",
    cleanupPolicy: "delete",
  };
  const events = serviceEventTopics.map(
    (name): Topic => ({
      name,
      partitions: sizing.partitions,
      replicationFactor: sizing.replicationFactor,
      retention: sizing.retention,
      cleanupPolicy: "delete",
    }),
  );
  return [control, ...events];
}
