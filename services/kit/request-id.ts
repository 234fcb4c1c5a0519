/** @module Request ids: taken from `x-request-id` when it looks sane, made up otherwise, echoed back. */
import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import type { Logger } from "./logger";

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of `incoming` if acceptable, a new UUID otherwise. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && acceptable.test(incoming) ? incoming : randomUUID();
}

/** Sets `c.var.requestId` and `c.var.logger` (a child logger carrying it) and the response header. */
export function requestId(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const id = requestIdFrom(c.req.header("x-request-id"));
    c.set("requestId", id);
    c.set("logger", logger.child({ requestId: id }));
    c.header("x-request-id", id);
    await next();
    c.res.headers.set("x-request-id", id);
  };
}
