/**
 * @module Writes the operator makes to a control object: its finalizer and its status
 * (through the /status subresource). Every write returns the object as stored and puts it
 * in the informer's cache, so the next reconcile starts from the operator's own last write.
 */
import { isStatus, type KubeApi } from "./kube-api";
import { type ControlObject, type ControlStatus, objectPath, type ResourceType } from "./resource";

/** The finalizer that makes deletion of a standing control lift it first. */
export const liftFinalizer = "ops.breakwater.dev/lift";

export interface ControlClient {
  addFinalizer(object: ControlObject): Promise<ControlObject>;
  /** Undefined when the object is gone (the removal let the deletion complete). */
  removeFinalizer(object: ControlObject): Promise<ControlObject | undefined>;
  /**
   * Replace the status. With `ifUnchanged` the write fails with a conflict when the object
   * changed since it was read (used to claim a one-shot action exactly once).
   */
  writeStatus(
    object: ControlObject,
    status: ControlStatus,
    options?: { ifUnchanged?: boolean },
  ): Promise<ControlObject>;
  /**
   * Set `ops.breakwater.dev/requires-approval: "true"` (a service asked for a second person);
   * the admission policy keeps it from being removed again.
   */
  requireApproval(object: ControlObject): Promise<ControlObject>;
}

/** A write lost a race with another writer; reconcile again from fresh state. */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

export function createControlClient(
  api: KubeApi,
  type: ResourceType,
  remember: (object: ControlObject) => void,
): ControlClient {
  const path = (object: ControlObject, subresource?: "status") =>
    objectPath(type, object.metadata.namespace, object.metadata.name, subresource);

  async function patchMetadata(object: ControlObject, metadata: Record<string, unknown>) {
    const body = { metadata: { ...metadata, resourceVersion: object.metadata.resourceVersion } };
    try {
      const stored = await api.patch<ControlObject>(path(object), body, "merge");
      remember(stored);
      return stored;
    } catch (error) {
      if (isStatus(error, 409))
        throw new ConflictError(`${object.metadata.name} changed; retrying`);
      throw error;
    }
  }

  return {
    requireApproval: (object) =>
      patchMetadata(object, { annotations: { "ops.breakwater.dev/requires-approval": "true" } }),
    async addFinalizer(object) {
      const finalizers = object.metadata.finalizers ?? [];
      if (finalizers.includes(liftFinalizer)) return object;
      return patchMetadata(object, { finalizers: [...finalizers, liftFinalizer] });
    },
    async removeFinalizer(object) {
      const finalizers = object.metadata.finalizers ?? [];
      if (!finalizers.includes(liftFinalizer)) return object;
      try {
        return await patchMetadata(object, {
          finalizers: finalizers.filter((finalizer) => finalizer !== liftFinalizer),
        });
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async writeStatus(object, status, options = {}) {
      const operations: unknown[] = [{ op: "add", path: "/status", value: status }];
      if (options.ifUnchanged) {
        operations.unshift({
          op: "test",
          path: "/metadata/resourceVersion",
          value: object.metadata.resourceVersion,
        });
      }
      try {
        const stored = await api.patch<ControlObject>(path(object, "status"), operations, "json");
        remember(stored);
        return stored;
      } catch (error) {
        if (isStatus(error, 409) || (options.ifUnchanged && isStatus(error, 422))) {
          throw new ConflictError(`${object.metadata.name} changed since it was read; retrying`);
        }
        throw error;
      }
    },
  };
}
