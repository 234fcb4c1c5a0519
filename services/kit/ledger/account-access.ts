/**
 * @module Who may move money out of (or read) which ledger account, for every service on the
 * kit's ledger. An account `users:<sub>:...` belongs to the caller whose token subject is
 * `<sub>`; a service client granted the service's on-behalf scope may act for every account
 * but the platform's; the platform's own accounts (`platform:*`) are never the source nor the
 * target of a public request: only the services' internal flows move them.
 */
import type { Caller } from "../caller-auth";
import { kitProblems, problem } from "../problem";

/** Problem slug for a public request naming a platform account. */
export const platformAccountProblem = "accounts/platform-reserved";

/** True for the platform's own accounts, which only the services' internal flows move. */
export function isPlatformAccount(name: string): boolean {
  return name.startsWith("platform:");
}

/** The subject an account belongs to (`users:<sub>:...`), or undefined for other names. */
export function accountOwner(name: string): string | undefined {
  const [namespace, subject] = name.split(":");
  return namespace === "users" ? subject : undefined;
}

/** Whether `caller` may debit, read or create `account` (never a platform account). */
export function mayActForAccount(caller: Caller, account: string, onBehalfScope: string): boolean {
  if (isPlatformAccount(account)) return false;
  if (caller.admin || caller.scopes.has(onBehalfScope)) return true;
  return accountOwner(account) === caller.subject;
}

/** Refuse a public request that names a platform account as `field` (403). */
export function refusePlatformAccount(account: string, field: string): void {
  if (!isPlatformAccount(account)) return;
  throw problem({
    type: platformAccountProblem,
    title: "Platform accounts are not reachable through the API",
    status: 403,
    detail: `${field}: ${account} is one of the platform's own accounts; only the service's internal flows move it`,
    extensions: { field, account },
  });
}

/**
 * Refuse unless `caller` may act for `account` named in `field`: 403 for a platform account
 * or for another subject's account.
 */
export function requireAccountRightFor(
  caller: Caller,
  account: string,
  field: string,
  onBehalfScope: string,
): void {
  refusePlatformAccount(account, field);
  if (mayActForAccount(caller, account, onBehalfScope)) return;
  throw problem({
    type: kitProblems.forbidden,
    title: "Not your account",
    status: 403,
    detail: `${field}: ${account} does not belong to ${caller.subject}`,
    extensions: { field, account },
  });
}
