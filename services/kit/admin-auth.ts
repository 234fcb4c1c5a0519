/**
 * @module Admin bearer authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in
 * constant time over SHA-256 digests (so the comparison never depends on where the strings
 * differ, nor on their lengths).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { kitProblems, problem } from "./problem";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * One secret, or the values valid at once while it rotates (the current one and the next,
 * see `npm run secrets`).
 */
export type Secrets = string | readonly string[];

/**
 * True when `presented` equals `expected` (or one of them), in constant time: every value is
 * compared, so the time says neither which one matched nor where the strings differ.
 */
export function tokensMatch(presented: string, expected: Secrets): boolean {
  const given = digest(presented);
  let matched = false;
  for (const value of typeof expected === "string" ? [expected] : expected) {
    if (timingSafeEqual(given, digest(value))) matched = true;
  }
  return matched;
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

export interface SecretAuthOptions {
  /** The `WWW-Authenticate` realm. @default "admin" */
  readonly realm?: string;
  /** What the refusal tells the caller to send. @default "<admin token>" */
  readonly secretName?: string;
}

/**
 * Refuse with 401 problem+json unless the request carries the admin bearer token (or another
 * shared secret, e.g. a scheduler's: `adminAuth(cronSecret, { realm: "cron", secretName:
 * "$CRON_SECRET" })`).
 */
export function adminAuth(
  adminToken: Secrets,
  options: SecretAuthOptions = {},
): MiddlewareHandler<AppEnv> {
  const realm = options.realm ?? "admin";
  return async function adminAuthMiddleware(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined || !tokensMatch(token, adminToken)) {
      throw problem({
        type: kitProblems.unauthorized,
        title: realm === "admin" ? "Admin authentication required" : "Authentication required",
        status: 401,
        detail: `send Authorization: Bearer ${options.secretName ?? "<admin token>"}`,
        headers: { "www-authenticate": `Bearer realm="${realm}"` },
      });
    }
    await next();
  };
}
