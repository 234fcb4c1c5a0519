/**
 * @module The pieces every breakwater dashboard is built from: a Prometheus query on the
 * chosen data source, and a time series panel at a place in the 24-column grid.
 */
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as TimeseriesBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The data source variable every panel queries. */
export const datasource = { type: "prometheus", uid: "$datasource" };
export const rate = "$__rate_interval";

export interface Place {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  /** @default 12 (half the width) */
  readonly w?: number;
}

export function query(expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().expr(expr).legendFormat(legend).datasource(datasource);
}

export function timeseries(title: string, unit: string, place: Place, target: DataqueryBuilder) {
  return new TimeseriesBuilder()
    .id(place.id)
    .title(title)
    .unit(unit)
    .datasource(datasource)
    .gridPos({ x: place.x, y: place.y, w: place.w ?? 12, h: 8 })
    .withTarget(target);
}
