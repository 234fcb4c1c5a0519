/**
 * @module The status page as server-rendered HTML (no script, no build step): the overall
 * status, each capability's items as operational or affected with the time they changed, the
 * incidents in progress with their public messages, and the history of past incidents.
 * Every interpolated value is escaped by hono's `html` tag.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ComponentStatus } from "./capabilities";
import type { FeedComponent, feedIncident, summaryFeed } from "./status-summary";

type Summary = ReturnType<typeof summaryFeed>;
type FeedIncident = ReturnType<typeof feedIncident>;

/** What a customer reads for each component status. */
export const statusWords: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded",
  partial_outage: "Affected",
  major_outage: "Affected",
};

const styles = `
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
.banner { padding: 1rem 1.25rem; border-radius: .5rem; font-size: 1.25rem; font-weight: 600; color: #fff; }
.banner.none { background: #1a7f37; } .banner.minor { background: #bf8700; } .banner.major, .banner.critical { background: #cf222e; }
table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #d0d7de; }
.operational { color: #1a7f37; } .degraded_performance { color: #9a6700; } .partial_outage, .major_outage { color: #cf222e; font-weight: 600; }
.incident { border-left: 4px solid #cf222e; padding: .25rem 1rem; margin: 1rem 0; }
.incident.resolved { border-color: #8c959f; }
time, .muted { color: #57606a; font-size: .9rem; }
`;

const when = (iso: string | null) =>
  iso === null
    ? ""
    : html`<time datetime="${iso}">${iso.replace("T", " ").slice(0, 19)} UTC</time>`;

function componentRow(component: FeedComponent): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<tr data-component="${component.id}" data-status="${component.status}">
    <td>${component.name}</td>
    <td class="${component.status}">${statusWords[component.status]}</td>
    <td>since ${when(component.updated_at)}</td>
  </tr>`;
}

function capabilityTable(summary: Summary, group: FeedComponent) {
  const children = summary.components.filter((component) => component.group_id === group.id);
  return html`<h2>${group.name}</h2>
    <table><tbody>${children.map(componentRow)}</tbody></table>`;
}

function incidentBlock(incident: FeedIncident) {
  const update = incident.incident_updates[0]!;
  return html`<article class="incident ${incident.status}" data-incident="${incident.id}" data-incident-status="${incident.status}">
    <h3>${incident.name}</h3>
    <p>${update.body}</p>
    <p class="muted">Started ${when(incident.started_at)}${incident.resolved_at ? html` · resolved ${when(incident.resolved_at)}` : ""}</p>
  </article>`;
}

/** The whole page; it reloads itself every `refreshSeconds`. */
export function statusPageHtml(
  summary: Summary,
  history: readonly FeedIncident[],
  refreshSeconds: number,
) {
  const groups = summary.components.filter((component) => component.group);
  const past = history.filter((incident) => incident.status === "resolved");
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="refresh" content="${refreshSeconds}">
  <title>${summary.page.name}</title>
  <link rel="alternate" type="application/json" href="api/v2/summary.json">
  <style>${styles}</style>
</head>
<body>
  <h1>${summary.page.name}</h1>
  <div class="banner ${summary.status.indicator}" id="overall" data-indicator="${summary.status.indicator}">${summary.status.description}</div>
  ${summary.incidents.length > 0 ? html`<h2>Current incidents</h2>${summary.incidents.map(incidentBlock)}` : ""}
  ${groups.map((group) => capabilityTable(summary, group))}
  <h2>Past incidents</h2>
  ${past.length > 0 ? past.map(incidentBlock) : html`<p class="muted" id="no-past-incidents">No incidents reported.</p>`}
  <p class="muted">Updated ${when(summary.page.updated_at)} · <a href="api/v2/summary.json">summary.json</a> · <a href="api/v2/incidents.json">incidents.json</a></p>
</body>
</html>`;
}
