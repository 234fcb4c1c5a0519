/** @module The Hono environment of every service app: what middleware puts on the context. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AdminActor } from "./admin-access";
import type { Caller } from "./caller-auth";
import type { IdempotencyReservation } from "./idempotency";
import type { Logger } from "./logger";

export interface AppEnv {
  Variables: {
    /** From `x-request-id` or generated; echoed in the response. */
    requestId: string;
    /** A child logger carrying the request id. */
    logger: Logger;
    /** Set once the idempotency middleware handled the request (so a second mount is a no-op). */
    idempotencyHandled?: boolean;
    /** The Idempotency-Key reservation this request holds, if any. */
    idempotency?: IdempotencyReservation;
    /** The authenticated caller on a route guarded by `callerAuth()`. */
    caller?: Caller;
    /** The validated key on a route guarded by `requireIdempotencyKey()`. */
    idempotencyKey?: string;
    /** Who passed `adminAccess()`: the operator's service token or an authenticated person. */
    adminActor?: AdminActor;
  };
}

/** The app a service mounts its routes on. */
export type ServiceApp = OpenAPIHono<AppEnv>;
