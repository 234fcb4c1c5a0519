/**
 * @module The status page's routes: `GET /` (the HTML page), `GET /api/v2/summary.json`,
 * `GET /api/v2/status.json` and `GET /api/v2/incidents.json` (the Statuspage v2 feed).
 * Public and read-only; each answer is built from the shared incident history.
 */
import type { ServiceApp } from "../kit/app-env";
import type { Pool } from "../kit/db";
import { readIncidents } from "./incident-store";
import type { CapabilityItems } from "./published-controls";
import { statusPageHtml } from "./status-html";
import { incidentsFeed, type PageInfo, summaryFeed } from "./status-summary";

export interface StatusApiOptions {
  readonly pool: Pool;
  readonly info: PageInfo;
  readonly items: CapabilityItems;
  /** When this replica started: components never affected are operational since then. */
  readonly since: Date;
  readonly refreshSeconds: number;
}

/** Mount the page and the feed on `app`. */
export function mountStatusApi(app: ServiceApp, options: StatusApiOptions): void {
  const { pool, info, items, since } = options;
  const state = async () => {
    const incidents = await readIncidents(pool);
    return { incidents, summary: summaryFeed(info, items, incidents, since) };
  };
  app.get("/", async function statusPage(c) {
    const { incidents, summary } = await state();
    const history = incidentsFeed(info, incidents, since).incidents;
    c.header("cache-control", "no-store");
    return c.html(statusPageHtml(summary, history, options.refreshSeconds));
  });
  app.get("/api/v2/summary.json", async function summaryJson(c) {
    return c.json((await state()).summary);
  });
  app.get("/api/v2/status.json", async function statusJson(c) {
    const { summary } = await state();
    return c.json({ page: summary.page, status: summary.status });
  });
  app.get("/api/v2/incidents.json", async function incidentsJson(c) {
    return c.json(incidentsFeed(info, await readIncidents(pool), since));
  });
}
