/** @module What purchasing's routes and workers share, created once per service instance. */
import type { TokenVerifier } from "../kit/caller-auth";
import type { CommonConfig } from "../kit/config";
import type { ServiceContext } from "../kit/service";
import type { PurchasingConfig } from "./config";
import type { ProviderBreakers } from "./provider-breakers";
import type { PurchaseFlowDeps } from "./purchase-flow";

export type PurchasingServiceContext = ServiceContext<CommonConfig & PurchasingConfig>;

export interface PurchasingContext {
  readonly service: PurchasingServiceContext;
  /** Everything a purchase, a cancel and reconciliation need. */
  readonly flow: PurchaseFlowDeps;
  readonly breakers: ProviderBreakers;
  /** Verifies the bearer access tokens of public requests. */
  readonly verifier: TokenVerifier;
}

/** The scopes purchasing's public API asks for (OAuth 2.0 `scope` of the access token). */
export const purchasingScopes = {
  purchasesWrite: "purchases:write",
  purchasesRead: "purchases:read",
  walletsRead: "wallets:read",
  /** A service client acting for any user's wallet (never a platform account). */
  onBehalf: "purchasing:on-behalf",
} as const;
