/**
 * @module What every breakwater dashboard builds panels from: the `$datasource` variable's
 * Prometheus, `$__rate_interval`, a query with its legend, and a timeseries at a grid place.
 */
import { DatasourceVariableBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as TimeseriesBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

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

/** The data source picker every dashboard starts with. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus");
}
