/** @module What payments' routes and workers share: the kit's context and payments' metrics. */
import type { TokenVerifier } from "../kit/caller-auth";
import type { CommonConfig } from "../kit/config";
import type { ServiceContext } from "../kit/service";
import type { PaymentsConfig } from "./config";
import type { PaymentsMetrics } from "./payments-metrics";
import type { PayoutThrottleGate } from "./payout-throttle";

export type PaymentsServiceContext = ServiceContext<CommonConfig & PaymentsConfig>;

export interface PaymentsContext {
  readonly service: PaymentsServiceContext;
  readonly metrics: PaymentsMetrics;
  /** Verifies the bearer access tokens of public requests. */
  readonly verifier: TokenVerifier;
  /** Admits payout creation under the PayoutThrottle in force (shared count in Redis). */
  readonly payoutThrottle: PayoutThrottleGate;
}
