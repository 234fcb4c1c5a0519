/**
 * @module The page's state in the Atlassian Statuspage v2 format (`summary.json`,
 * `incidents.json`), which status aggregators and chat integrations read: the page, an
 * overall indicator, one component per capability item (grouped per capability) and the
 * incidents, built from the configured items and the incident history.
 */
import {
  type ComponentStatus,
  capabilities,
  componentId,
  componentStatuses,
  worseStatus,
} from "./capabilities";
import type { Incident } from "./incident-store";
import type { CapabilityItems } from "./published-controls";

export interface PageInfo {
  readonly title: string;
  readonly url: string;
}

export interface FeedComponent {
  readonly id: string;
  readonly name: string;
  readonly status: ComponentStatus;
  readonly created_at: string;
  readonly updated_at: string;
  readonly position: number;
  readonly description: string | null;
  readonly showcase: boolean;
  readonly group_id: string | null;
  readonly page_id: string;
  readonly group: boolean;
  readonly only_show_if_degraded: boolean;
  readonly components?: string[];
}

const pageId = "breakwater";
const indicators = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major System Outage",
} as const;
type Indicator = keyof typeof indicators;

/** Statuspage's incident impact of a component status. */
function impactOf(status: string): Indicator {
  if (status === "major_outage") return "major";
  if (status === "partial_outage" || status === "degraded_performance") return "minor";
  return "none";
}

function pageOf(info: PageInfo, updatedAt: Date) {
  return {
    id: pageId,
    name: info.title,
    url: info.url,
    time_zone: "Etc/UTC",
    updated_at: updatedAt.toISOString(),
  };
}

/** Each item's worst status among the open incidents, and when it last changed. */
function componentStates(
  items: CapabilityItems,
  open: readonly Incident[],
  resolved: readonly Incident[],
  since: Date,
) {
  const states = new Map<string, { status: ComponentStatus; changedAt: Date }>();
  for (const capability of capabilities) {
    for (const item of items[capability.id] ?? []) {
      states.set(componentId(capability, item), { status: "operational", changedAt: since });
    }
  }
  for (const incident of resolved) {
    for (const component of incident.components) {
      const state = states.get(component.id);
      if (state && incident.resolvedAt && incident.resolvedAt > state.changedAt)
        state.changedAt = incident.resolvedAt;
    }
  }
  for (const incident of open) {
    for (const component of incident.components) {
      const state = states.get(component.id);
      if (!state) continue;
      const wasOperational = state.status === "operational";
      state.status = worseStatus(state.status, component.status);
      if (wasOperational || incident.startedAt > state.changedAt)
        state.changedAt = incident.startedAt;
    }
  }
  return states;
}

/** The components: a group per capability, then its items. */
export function feedComponents(
  items: CapabilityItems,
  open: readonly Incident[],
  resolved: readonly Incident[],
  since: Date,
): FeedComponent[] {
  const states = componentStates(items, open, resolved, since);
  const base = {
    description: null,
    showcase: true,
    page_id: pageId,
    only_show_if_degraded: false,
    created_at: since.toISOString(),
  };
  let position = 0;
  return capabilities.flatMap((capability) => {
    const children = (items[capability.id] ?? []).map((item) => {
      const id = componentId(capability, item);
      const state = states.get(id)!;
      position += 1;
      return {
        ...base,
        id,
        name: capability.itemTitle(item),
        status: state.status,
        updated_at: state.changedAt.toISOString(),
        position,
        group_id: capability.id,
        group: false,
      };
    });
    const status = children
      .map((child) => child.status)
      .reduce<ComponentStatus>(worseStatus, "operational");
    const updatedAt =
      children
        .map((child) => child.updated_at)
        .sort()
        .at(-1) ?? base.created_at;
    position += 1;
    const group = {
      ...base,
      id: capability.id,
      name: capability.title,
      status,
      updated_at: updatedAt,
      position,
      group_id: null,
      group: true,
      components: children.map((child) => child.id),
    };
    return [group, ...children];
  });
}

/** One incident in the feed's form; its one update carries the public message. */
export function feedIncident(incident: Incident) {
  const status = incident.resolvedAt ? "resolved" : "identified";
  const at = (incident.resolvedAt ?? incident.startedAt).toISOString();
  return {
    id: incident.id,
    name: incident.title,
    status,
    created_at: incident.startedAt.toISOString(),
    updated_at: incident.updatedAt.toISOString(),
    monitoring_at: null,
    resolved_at: incident.resolvedAt?.toISOString() ?? null,
    impact: impactOf(incident.impact),
    shortlink: null,
    started_at: incident.startedAt.toISOString(),
    page_id: pageId,
    incident_updates: [
      {
        id: `${incident.id}-${status}`,
        status,
        body: incident.resolvedAt ? `Resolved. ${incident.message}` : incident.message,
        incident_id: incident.id,
        created_at: at,
        updated_at: at,
        display_at: at,
        affected_components: incident.components.map((component) => ({
          code: component.id,
          name: component.name,
          old_status: incident.resolvedAt ? component.status : "operational",
          new_status: incident.resolvedAt ? "operational" : component.status,
        })),
      },
    ],
    components: incident.components.map((component) => ({
      id: component.id,
      name: component.name,
      status: component.status,
    })),
  };
}

/** The overall indicator: the worst component status. */
export function overallStatus(components: readonly FeedComponent[]): {
  indicator: Indicator;
  description: string;
} {
  const worst = components
    .map((component) => component.status)
    .reduce<ComponentStatus>(worseStatus, componentStatuses[0]);
  const indicator: Indicator =
    worst === "major_outage" ? "major" : worst === "operational" ? "none" : "minor";
  return { indicator, description: indicators[indicator] };
}

/** `GET /api/v2/summary.json`. */
export function summaryFeed(
  info: PageInfo,
  items: CapabilityItems,
  incidents: { open: Incident[]; resolved: Incident[] },
  since: Date,
) {
  const components = feedComponents(items, incidents.open, incidents.resolved, since);
  const updatedAt = [
    since,
    ...incidents.open.map((i) => i.updatedAt),
    ...incidents.resolved.map((i) => i.updatedAt),
  ].reduce((a, b) => (a > b ? a : b));
  return {
    page: pageOf(info, updatedAt),
    status: overallStatus(components),
    components,
    incidents: incidents.open.map(feedIncident),
    scheduled_maintenances: [],
  };
}

/** `GET /api/v2/incidents.json`: open and past incidents, newest first. */
export function incidentsFeed(
  info: PageInfo,
  incidents: { open: Incident[]; resolved: Incident[] },
  since: Date,
) {
  const all = [...[...incidents.open].reverse(), ...incidents.resolved];
  const updatedAt = [since, ...all.map((i) => i.updatedAt)].reduce((a, b) => (a > b ? a : b));
  return { page: pageOf(info, updatedAt), incidents: all.map(feedIncident) };
}
