/**
 * @module A dashboard as breakwater ships it: the Grafana JSON (built with
 * @grafana/grafana-foundation-sdk), the file name in its ConfigMap, and every PromQL query in
 * it, so tests can prove each metric it reads is one a service exports.
 */

export interface DashboardDefinition {
  /** File stem in the ConfigMap (`<file>.json`) and in the ConfigMap's name. */
  readonly file: string;
  /** The dashboard model Grafana imports. */
  readonly json: Record<string, unknown>;
}

interface PanelLike {
  readonly targets?: readonly { readonly expr?: unknown }[];
  readonly panels?: readonly PanelLike[];
}

/** Every `expr` of every panel, rows' nested panels included, in panel order. */
export function dashboardQueries(dashboard: DashboardDefinition): string[] {
  const queries: string[] = [];
  const visit = (panels: readonly PanelLike[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === "string") queries.push(target.expr);
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.json.panels as PanelLike[] | undefined);
  return queries;
}
