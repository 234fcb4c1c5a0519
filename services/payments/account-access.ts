/**
 * @module Who may move money out of (or read) which account (the rule is the kit ledger's). An account `users:<sub>:...`
 * belongs to the caller whose token subject is `<sub>`; a service client granted
 * {@link paymentsScopes.onBehalf} may act for every account but the platform's; the
 * platform's own accounts (`platform:*`: payouts in flight, PSP clearing, fees, ...) are
 * never the source nor the target of a public request: only payments' own flows (payouts,
 * signed deposits, reconciliation) move them.
 */
import type { Caller } from "../kit/caller-auth";
import { mayActForAccount, requireAccountRightFor } from "../kit/ledger/account-access";

/** The scopes payments' public API asks for (OAuth 2.0 `scope` of the access token). */
export const paymentsScopes = {
  accountsRead: "accounts:read",
  accountsWrite: "accounts:write",
  transfersWrite: "transfers:write",
  payoutsRead: "payouts:read",
  payoutsWrite: "payouts:write",
  /** A service client acting for any user (a checkout, a back office): every non-platform account. */
  onBehalf: "payments:on-behalf",
} as const;

export { bearerSecurity } from "../kit/caller-auth";
export {
  accountOwner,
  isPlatformAccount,
  platformAccountProblem,
  refusePlatformAccount,
} from "../kit/ledger/account-access";

/** Whether `caller` may debit, read or create `account` (never a platform account). */
export function mayActFor(caller: Caller, account: string): boolean {
  return mayActForAccount(caller, account, paymentsScopes.onBehalf);
}

/**
 * Refuse unless `caller` may act for `account` named in `field`: 403 for a platform account
 * or for another subject's account.
 */
export function requireAccountRight(caller: Caller, account: string, field: string): void {
  requireAccountRightFor(caller, account, field, paymentsScopes.onBehalf);
}

/** Refuse a read unless `caller` may act for `account`; the admin token (on-call) reads any. */
export function requireReadRight(caller: Caller, account: string, field: string): void {
  if (!caller.admin) requireAccountRight(caller, account, field);
}
