/** @module The shape of a control object as the operator sees it, and its API paths. */
import { z } from "@hono/zod-openapi";
import { type CommonControlStatus, type Condition, commonSpecFields } from "../crds/common";

export type { Condition };

/** The common status (typed from the kinds' definition) plus a kind's own fields. */
export type ControlStatus = CommonControlStatus & { [field: string]: unknown };

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  creationTimestamp: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ControlObject<Spec = Record<string, unknown>> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec & CommonSpec;
  status?: ControlStatus;
}

const commonSpecSchema = z.object(commonSpecFields);

/** The fields every control kind shares, as stored (see operators/crds/common.ts). */
export type CommonSpec = z.input<typeof commonSpecSchema>;

/** A namespaced custom resource type. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

/** The list/watch path, across all namespaces when `namespace` is undefined. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = `/apis/${type.group}/${type.version}`;
  return namespace === undefined
    ? `${base}/${type.plural}`
    : `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}

export function objectPath(
  type: ResourceType,
  namespace: string,
  name: string,
  subresource?: "status",
): string {
  const path = `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

/** The work-queue key of an object: `namespace/name`. */
export function objectKey(object: { metadata: { namespace?: string; name: string } }): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

/** Fields for structured logs, as Pepr logs them. */
export function logFields(object: ControlObject) {
  return {
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    resourceVersion: object.metadata.resourceVersion,
    generation: object.metadata.generation,
  };
}
