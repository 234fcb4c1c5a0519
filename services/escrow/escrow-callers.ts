/**
 * @module Who an escrow caller is: the token's subject is the user id that transactions,
 * listings and wallets (`users:<id>:wallet`) are keyed by, so it must fit an account name.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../kit/app-env";
import type { Caller } from "../kit/caller-auth";
import { problem } from "../kit/problem";
import { escrowProblems } from "./problems";

const userIdPattern = /^[a-z0-9_-]{1,64}$/;

/** The caller's user id; 403 for a subject escrow cannot key accounts by. */
export function userIdOf(caller: Caller): string {
  if (userIdPattern.test(caller.subject)) return caller.subject;
  throw problem({
    type: escrowProblems.unsupportedSubject,
    title: "Unsupported subject",
    status: 403,
    detail: "the token's sub must be 1 to 64 of a-z, 0-9, _ and - to trade in escrow",
  });
}

/**
 * `middleware` for POST requests only, mounted with `app.use`: unlike `app.on("POST", ...)`
 * it registers no POST route, so a trailing slash or an unknown path under a prefix stays a
 * 404 (or a 401) instead of a 405 claiming POST is allowed there.
 */
export function forPost(middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async function postOnly(c, next) {
    if (c.req.method !== "POST") return next();
    return middleware(c, next);
  };
}
