/** @module What the exchange's routes and workers share within one service instance. */
import type { TokenVerifier } from "../kit/caller-auth";
import type { CommonConfig } from "../kit/config";
import type { ServiceContext } from "../kit/service";
import type { ExchangeConfig } from "./config";
import type { SymbolSpec } from "./engine/symbol-spec";
import type { Markets } from "./markets";
import type { OrderThrottleGate } from "./order-throttle-gate";
import type { SettlementWorkers } from "./settlement/settlement-workers";

export type ExchangeServiceContext = ServiceContext<CommonConfig & ExchangeConfig>;

export interface ExchangeContext {
  readonly service: ExchangeServiceContext;
  readonly verifier: TokenVerifier;
  readonly markets: Markets;
  /** OrderThrottle: the rate of new orders per symbol, counted across replicas. */
  readonly orderThrottle: OrderThrottleGate;
  /** The symbols this deployment trades. */
  readonly specs: ReadonlyMap<string, SymbolSpec>;
  /** The settlement consumer and invariant checker this replica runs. */
  readonly settlement: SettlementWorkers;
}

/** The scopes of the exchange's public API. */
export const exchangeScopes = {
  ordersWrite: "orders:write",
  ordersRead: "orders:read",
  accountsRead: "accounts:read",
  withdrawalsWrite: "withdrawals:write",
  /** Act for the trader `X-Exchange-Trader` names: the exchange edge's token. */
  ordersOnBehalf: "orders:on-behalf",
} as const;
