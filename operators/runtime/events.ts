/**
 * @module Kubernetes Events (core/v1) for each phase transition, so `kubectl describe` and
 * `kubectl get events` tell the story of a control. Recording never fails a reconcile.
 *
 * Events go out through a bounded queue sent by a few requests at a time, as client-go's
 * event broadcaster does: at start-up thousands of controls change phase together, and
 * sending every Event at once held thousands of requests and their buffers in memory and
 * competed with the status writes that matter. When the queue is full the newest Event is
 * dropped and counted; an Event is a story for people, never state the operator relies on.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { KubeApi } from "./kube-api";
import type { ControlObject } from "./resource";

export const eventComponent = "breakwater-operator";

export interface EventRecorder {
  record(object: ControlObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

export interface EventRecorderOptions {
  /** The `source.component` and `reportingComponent`. @default breakwater-operator */
  readonly component?: string;
  /** Events waiting to be sent before new ones are dropped. @default 1000 (client-go's) */
  readonly queueLimit?: number;
  /** Events sent at the same time. @default 2 */
  readonly concurrency?: number;
  /** Told of each Event dropped because the queue was full (a metric). */
  readonly onDropped?: () => void;
}

export function createEventRecorder(
  api: KubeApi,
  instance: string,
  log: Logger,
  options: EventRecorderOptions = {},
): EventRecorder {
  const component = options.component ?? eventComponent;
  const queueLimit = options.queueLimit ?? 1000;
  const concurrency = options.concurrency ?? 2;
  const queue: { namespace: string; event: object; reason: string }[] = [];
  let sending = 0;

  async function send(): Promise<void> {
    sending += 1;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        await api
          .create(`/api/v1/namespaces/${next.namespace}/events`, next.event)
          .catch((error) => {
            log.warn({ err: error, reason: next.reason }, "could not record an Event");
          });
      }
    } finally {
      sending -= 1;
    }
  }

  return {
    record(object, type, reason, message) {
      if (queue.length >= queueLimit) {
        options.onDropped?.();
        return;
      }
      const now = new Date().toISOString();
      const namespace = object.metadata.namespace;
      const event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${object.metadata.name}.${randomBytes(8).toString("hex")}`, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component, host: instance },
        reportingComponent: component,
        reportingInstance: instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      queue.push({ namespace, event, reason });
      if (sending < concurrency) void send();
    },
  };
}
