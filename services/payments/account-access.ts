/**
 * @module Who may move money out of (or read) which account. An account `users:<sub>:...`
 * belongs to the caller whose token subject is `<sub>`; a service client granted
 * {@link paymentsScopes.onBehalf} may act for every account but the platform's; the
 * platform's own accounts (`platform:*`: payouts in flight, PSP clearing, fees, ...) are
 * never the source nor the target of a public request: only payments' own flows (payouts,
 * signed deposits, reconciliation) move them.
 */
import type { Caller } from "../kit/caller-auth";
import { kitProblems, problem } from "../kit/problem";

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

/** The OpenAPI `security` of a route that needs an access token with `scope`. */
export function bearerSecurity(scope: string): Array<Record<string, string[]>> {
  return [{ bearer: [scope] }];
}

/** Problem slug for a public request naming a platform account. */
export const platformAccountProblem = "accounts/platform-reserved";

/** True for the platform's own accounts, which only payments' internal flows move. */
export function isPlatformAccount(name: string): boolean {
  return name.startsWith("platform:");
}

/** The subject an account belongs to (`users:<sub>:...`), or undefined for other names. */
export function accountOwner(name: string): string | undefined {
  const [namespace, subject] = name.split(":");
  return namespace === "users" ? subject : undefined;
}

/** Whether `caller` may debit, read or create `account` (never a platform account). */
export function mayActFor(caller: Caller, account: string): boolean {
  if (isPlatformAccount(account)) return false;
  if (caller.admin || caller.scopes.has(paymentsScopes.onBehalf)) return true;
  return accountOwner(account) === caller.subject;
}

/** Refuse a public request that names a platform account as `field` (403). */
export function refusePlatformAccount(account: string, field: string): void {
  if (!isPlatformAccount(account)) return;
  throw problem({
    type: platformAccountProblem,
    title: "Platform accounts are not reachable through the API",
    status: 403,
    detail: `${field}: ${account} is one of the platform's own accounts; only payments' internal flows move it`,
    extensions: { field, account },
  });
}

/**
 * Refuse unless `caller` may act for `account` named in `field`: 403 for a platform account
 * or for another subject's account.
 */
export function requireAccountRight(caller: Caller, account: string, field: string): void {
  refusePlatformAccount(account, field);
  if (mayActFor(caller, account)) return;
  throw problem({
    type: kitProblems.forbidden,
    title: "Not your account",
    status: 403,
    detail: `${field}: ${account} does not belong to ${caller.subject}`,
    extensions: { field, account },
  });
}

/** Refuse a read unless `caller` may act for `account`; the admin token (on-call) reads any. */
export function requireReadRight(caller: Caller, account: string, field: string): void {
  if (!caller.admin) requireAccountRight(caller, account, field);
}
