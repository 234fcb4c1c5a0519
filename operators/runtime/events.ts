/**
 * @module Kubernetes Events (core/v1) for each phase transition, so `kubectl describe` and
 * `kubectl get events` tell the story of a control. Recording never fails a reconcile.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { KubeApi } from "./kube-api";
import type { ControlObject } from "./resource";

export const eventComponent = "breakwater-operator";

export interface EventRecorder {
  record(object: ControlObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

export function createEventRecorder(
  api: KubeApi,
  instance: string,
  log: Logger,
  component: string = eventComponent,
): EventRecorder {
  return {
    record(object, type, reason, message) {
      const now = new Date().toISOString();
      const event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: {
          name: `${object.metadata.name}.${randomBytes(8).toString("hex")}`,
          namespace: object.metadata.namespace,
        },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace: object.metadata.namespace,
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
      api.create(`/api/v1/namespaces/${object.metadata.namespace}/events`, event).catch((error) => {
        log.warn({ err: error, reason }, "could not record an Event");
      });
    },
  };
}
