/** @module What escrow's routes and workers share, created once per service instance. */
import type { TokenVerifier } from "../kit/caller-auth";
import type { CommonConfig } from "../kit/config";
import type { PspGateway } from "../kit/psp-gateway";
import type { ServiceContext } from "../kit/service";
import type { EscrowConfig } from "./config";
import type { CredentialVault } from "./credential-vault";
import type { EscrowMetrics } from "./escrow-metrics";
import type { LoginStore } from "./login-store";

export type EscrowServiceContext = ServiceContext<CommonConfig & EscrowConfig>;

export interface EscrowContext {
  readonly service: EscrowServiceContext;
  readonly metrics: EscrowMetrics;
  readonly vault: CredentialVault;
  readonly gateway: PspGateway;
  /** Verifies the bearer access tokens of public requests. */
  readonly verifier: TokenVerifier;
  /** Escrow's own login: rate limits, OTP challenges and the access tokens it issued. */
  readonly loginStore: LoginStore;
}

/** The scopes escrow's public API asks for (OAuth 2.0 `scope` of the access token). */
export const escrowScopes = {
  /** Buyers and sellers: listings, transactions, reveals, disputes of their own. */
  trade: "escrow:trade",
  /** Super admins: force release or refund, decide disputes. */
  admin: "escrow:admin",
} as const;
