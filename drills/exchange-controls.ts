/**
 * @module What the exchange drills check of controls and the status page: the control an
 * automation rule created (found by the rule's label, whatever its hashed name), whether every
 * exchange replica acknowledged it, how a person lifts it, and a market's status on the page.
 */
import { ruleLabel } from "../operators/autopilot/control-plan";
import type { PlatformClient } from "./platform-client";

/** A control resource as kubectl answers it (the fields the drills read). */
export interface ControlResource {
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: Record<string, unknown>;
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: { type: string; status: string }[];
    readonly enforcement?: { acknowledged: number; live: number; summary: string };
  };
}

/** The controls of `kind` (a resource type, e.g. `withdrawalhalts`) that `rule` created. */
export async function ruleControls(
  platform: PlatformClient,
  kind: string,
  rule: string,
): Promise<ControlResource[]> {
  const output = await platform.kubectl("admin", [
    "get",
    kind,
    "--all-namespaces",
    "-l",
    `${ruleLabel}=${rule}`,
    "-o",
    "json",
  ]);
  return JSON.parse(output).items as ControlResource[];
}

/** "2/2 replicas" once every replica of `service` acknowledged `control`, else false. */
export function enforcedEverywhere(
  platform: PlatformClient,
  control: ControlResource | undefined,
  service = "exchange",
): string | false {
  const replicas = platform.replicas(service).length;
  const enforcement = control?.status?.enforcement;
  const enforced = control?.status?.conditions?.some(
    (condition) => condition.type === "Enforced" && condition.status === "True",
  );
  return (
    enforced === true &&
    enforcement?.acknowledged === replicas &&
    enforcement.live === replicas &&
    `${enforcement.summary} replicas`
  );
}

/** A person (`alice`, on call) deletes `control`, waiting for the lift. */
export async function lift(platform: PlatformClient, control: ControlResource): Promise<void> {
  await platform.kubectl("alice", [
    "delete",
    `${control.kind.toLowerCase()}/${control.metadata.name}`,
    "-n",
    control.metadata.namespace,
    "--ignore-not-found",
    "--timeout=60s",
  ]);
}

/** The status page's status of trading `symbol` (`trading:btc-usd`). */
export async function tradingStatus(
  platform: PlatformClient,
  symbol: string,
): Promise<string | undefined> {
  const summary = await platform.statusSummary();
  return (summary.body.components as { id: string; status: string }[]).find(
    (item) => item.id === `trading:${symbol.toLowerCase()}`,
  )?.status;
}

/** Whether the page's incident history holds a resolved incident whose name includes `text`. */
export async function resolvedIncident(
  platform: PlatformClient,
  text: string,
): Promise<string | undefined> {
  const history = (await platform.statusIncidents()).body;
  return (history.incidents as { status: string; name: string }[]).find(
    (incident) => incident.status === "resolved" && incident.name.includes(text),
  )?.name;
}
