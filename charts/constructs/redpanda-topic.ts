/**
 * @module `RedpandaTopic`: one Kafka topic managed by the Redpanda operator, sized from the
 * environment and protected from pruning (deleting a topic deletes its events).
 */
import { Construct } from "constructs";
import type { EnvironmentName, Topic } from "../../environments";
import { keepOnPrune } from "../argo";
import { TopicV1Alpha2 } from "../imports/redpanda-topic-cluster.redpanda.com";
import { componentLabels } from "../labels";
import { retentionMs } from "../retention";

export interface RedpandaTopicProps {
  readonly topic: Topic;
  /** The `Redpanda` cluster the topic lives on. */
  readonly clusterName: string;
  readonly namespace: string;
  readonly environment: EnvironmentName;
}

/** Topic names may hold dots; object names may not, so `payments.events` → `payments-events`. */
export function topicObjectName(topicName: string): string {
  return topicName.replaceAll(".", "-").replaceAll("_", "-");
}

export class RedpandaTopic extends Construct {
  readonly resource: TopicV1Alpha2;

  constructor(scope: Construct, id: string, props: RedpandaTopicProps) {
    super(scope, id);
    const { topic } = props;
    const name = topicObjectName(topic.name);
    this.resource = new TopicV1Alpha2(this, "topic", {
      metadata: {
        name,
        namespace: props.namespace,
        labels: componentLabels(name, "topic", props.environment),
      },
      spec: {
        cluster: { clusterRef: { name: props.clusterName } },
        // The object name cannot hold dots, so the real topic name is set explicitly.
        overwriteTopicName: topic.name,
        partitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        additionalConfig: {
          "cleanup.policy": topic.cleanupPolicy,
          "retention.ms": retentionMs(topic.retention),
        },
      },
    });
    keepOnPrune(this.resource);
  }
}
