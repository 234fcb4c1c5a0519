/** @module What payments' routes and workers share: the kit's context and payments' metrics. */
import type { CommonConfig } from "../kit/config";
import type { ServiceContext } from "../kit/service";
import type { PaymentsConfig } from "./config";
import type { PaymentsMetrics } from "./payments-metrics";

export type PaymentsServiceContext = ServiceContext<CommonConfig & PaymentsConfig>;

export interface PaymentsContext {
  readonly service: PaymentsServiceContext;
  readonly metrics: PaymentsMetrics;
}
