/**
 * @module The controls in force that customers are told about, read from the Kubernetes API:
 * every standing control in phase Applied (not a dry run) whose kind affects a capability,
 * with the components it affects and its public message (`spec.publicMessage`, else the
 * kind's default).
 */

import { targetCovers } from "../../operators/crds/in-force";
import {
  controlGroup,
  controlKindDefinition,
  controlKinds,
  controlVersion,
} from "../../operators/crds/index";
import type { KubeApi } from "../../operators/runtime/kube-api";
import {
  type Capability,
  type ComponentStatus,
  capabilities,
  componentId,
  statusUnder,
  worseStatus,
} from "./capabilities";

/** One component a control affects. */
export interface AffectedComponent {
  readonly id: string;
  readonly name: string;
  readonly status: ComponentStatus;
}

/** A control the status page publishes. */
export interface PublishedControl {
  readonly uid: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly title: string;
  readonly message: string;
  readonly impact: ComponentStatus;
  readonly components: readonly AffectedComponent[];
}

/** The part of a control resource the status page reads. */
export interface ControlResource {
  readonly kind?: string;
  readonly metadata: { uid: string; name: string; namespace: string };
  readonly spec: Record<string, unknown> & { dryRun?: boolean; publicMessage?: string };
  readonly status?: { phase?: string };
}

/** The items of each capability, by capability id. */
export type CapabilityItems = Readonly<Record<string, readonly string[]>>;

/** The components of `capability` a control of `kind` with `spec` covers. */
function affectedIn(
  capability: Capability,
  items: readonly string[],
  kind: string,
  spec: Record<string, unknown>,
): AffectedComponent[] {
  const status = statusUnder(capability, kind, spec);
  const definition = controlKindDefinition(kind);
  if (status === undefined || definition === undefined) return [];
  // biome-ignore lint/suspicious/noExplicitAny: the spec was validated by the API server against this kind's schema.
  const targets = definition.targets(spec as any);
  return items
    .filter((item) => {
      const point = { service: capability.service, [capability.dimension]: item };
      return targets.some((target) => targetCovers(target, point));
    })
    .map((item) => ({
      id: componentId(capability, item),
      name: capability.itemTitle(item),
      status,
    }));
}

/** What the status page publishes about `control`, or undefined when nothing. */
export function publishedControl(
  control: ControlResource,
  items: CapabilityItems,
): PublishedControl | undefined {
  const kind = control.kind ?? "";
  const definition = controlKindDefinition(kind);
  if (!definition || control.status?.phase !== "Applied" || control.spec.dryRun === true) return;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const message = definition.publicMessage(control.spec as any);
  const components = capabilities.flatMap((capability) =>
    affectedIn(capability, items[capability.id] ?? [], kind, control.spec),
  );
  if (message === undefined || components.length === 0) return;
  const impact = components.map((item) => item.status).reduce(worseStatus);
  const names = components.map((item) => item.name);
  const title = `${names.length > 2 ? `${names[0]} and ${names.length - 1} more` : names.join(" and ")}: ${impact === "major_outage" ? "unavailable" : impact === "partial_outage" ? "partly unavailable" : "degraded"}`;
  const { uid, name, namespace } = control.metadata;
  return { uid, kind, namespace, name, title, message, impact, components };
}

/**
 * The control kinds that affect a capability: the only resources the status page reads (its
 * ClusterRole, controls-reader-role.ts, lists and watches exactly these).
 */
export function publishedKinds(): (typeof controlKinds)[number][] {
  return controlKinds.filter((definition) =>
    capabilities.some((capability) => capability.affectedBy[definition.kind] !== undefined),
  );
}

/** Every published control in the cluster (all namespaces). */
export async function listPublishedControls(
  api: KubeApi,
  items: CapabilityItems,
): Promise<PublishedControl[]> {
  const lists = await Promise.all(
    publishedKinds().map(async (definition) => {
      const list = await api.list<{ items: ControlResource[] }>(
        `/apis/${controlGroup}/${controlVersion}/${definition.plural}`,
      );
      return list.items.map((item) => ({ ...item, kind: definition.kind }));
    }),
  );
  return lists
    .flat()
    .map((control) => publishedControl(control, items))
    .filter((control): control is PublishedControl => control !== undefined);
}
