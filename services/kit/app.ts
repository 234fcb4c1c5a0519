/**
 * @module The Hono app every service starts from: request ids, request metrics labelled by
 * route template, validation failures as 422 problems, unknown paths as 404, known paths
 * with the wrong method as 405 (with `Allow`), and every thrown error as problem+json (never a
 * bare 500 body).
 */

import { OpenAPIHono, type OpenAPIHonoOptions } from "@hono/zod-openapi";
import { trace } from "@opentelemetry/api";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { matchedRoutes } from "hono/route";
import type { AppEnv, ServiceApp } from "./app-env";
import { dependencyUnavailable, isDependencyOutage } from "./dependency-error";
import { flowId } from "./flow";
import { inputLimits } from "./input-limits";
import { validationProblem } from "./input-problems";
import type { Logger } from "./logger";
import type { ServiceMetrics } from "./metrics";
import { kitProblems, ProblemError, problem, problemResponse } from "./problem";
import { requestId as requestIdMiddleware } from "./request-id";

/** `path` label of requests that matched no route (keeps the label set bounded). */
export const unmatchedPath = "unmatched";

/** The route template that answered the request, or {@link unmatchedPath}. */
export function routeTemplate(c: Context): string {
  const last = matchedRoutes(c).at(-1);
  return last !== undefined && last.method !== "ALL" ? last.path : unmatchedPath;
}

/** Times every request into the histogram and writes one access log line for it. */
function httpMetrics(metrics: ServiceMetrics): MiddlewareHandler<AppEnv> {
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const path = status === 404 || status === 405 ? routeTemplateOrUnmatched(c) : routeTemplate(c);
    const durationMs = performance.now() - started;
    nameServerSpan(c.req.method, path);
    metrics.httpRequestDuration.observe(
      { method: c.req.method, path, status: String(status) },
      durationMs / 1000,
    );
    // Skipped outright below info (benchmarks and busy replicas run at warn).
    // c.get, not c.var: c.var copies every variable into a new object on each read.
    const logger = c.get("logger");
    if (logger?.isLevelEnabled("info")) {
      logger.info(
        { method: c.req.method, path, status, durationMs: Math.round(durationMs * 10) / 10 },
        "request",
      );
    }
  };
}

/**
 * With tracing on, the HTTP server span is named after the route template (`POST
 * /v1/payouts`), as the histogram's `path` is; the instrumentation alone only knows the method.
 */
function nameServerSpan(method: string, path: string): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute("http.route", path);
  span.updateName(`${method} ${path}`);
}

function routeTemplateOrUnmatched(c: Context): string {
  // A handler that answers 404 for a missing resource still has a template; the kit's own
  // not-found and method-not-allowed answers have none.
  if (c.res.headers.get("x-breakwater-unmatched") === null) return routeTemplate(c);
  c.res.headers.delete("x-breakwater-unmatched");
  return unmatchedPath;
}

/** A regex for a Hono path template (`/v1/payouts/:id`, `/static/*`). */
export function templateRegex(template: string): RegExp {
  const parts = template.split("/").map((part) => {
    if (part === "*") return ".*";
    const param = /^:[A-Za-z0-9_]+(\{(.+)\})?(\?)?$/.exec(part);
    if (param) return param[2] ?? "[^/]+";
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${parts.join("/")}$`);
}

function allowedMethods(app: ServiceApp, cache: Map<string, RegExp>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    let regex = cache.get(route.path);
    if (!regex) {
      regex = templateRegex(route.path);
      cache.set(route.path, regex);
    }
    if (regex.test(path)) methods.add(route.method);
  }
  return [...methods].sort();
}

/**
 * A trailing slash on a known route is a 404 naming the route, not a redirect: a redirected
 * POST resends a money-moving body, and clients differ in whether they keep its method and
 * credentials; a route has one URL.
 */
function canonicalHint(app: ServiceApp, cache: Map<string, RegExp>, path: string): string {
  if (path.length < 2 || !path.endsWith("/")) return "";
  const trimmed = path.replace(/\/+$/, "");
  if (allowedMethods(app, cache, trimmed).length === 0) return "";
  return `; the route is ${trimmed}, without the trailing slash`;
}

function unmatched(response: Response): Response {
  response.headers.set("x-breakwater-unmatched", "1");
  return response;
}

/** Turn any thrown value into a problem+json response. */
export function errorToResponse(error: unknown, c: Context<AppEnv>): Response {
  if (error instanceof ProblemError) return problemResponse(error);
  if (error instanceof HTTPException) {
    const status = error.status;
    return problemResponse({
      type: status === 400 ? kitProblems.badRequest : `http/${status}`,
      title: status === 400 ? "Malformed request" : error.message || "Request refused",
      status,
      detail: error.message,
    });
  }
  if (isDependencyOutage(error)) {
    c.var.logger?.warn({ err: error }, "dependency unavailable");
    return problemResponse(dependencyUnavailable(c.var.requestId));
  }
  c.var.logger?.error({ err: error }, "unhandled error");
  return problemResponse({
    type: kitProblems.internal,
    title: "Internal error",
    status: 500,
    detail: "the request failed unexpectedly; it is logged under this request id",
    extensions: { requestId: c.var.requestId },
  });
}

/** Turns a failed zod validation into a 422 problem listing every issue. */
export const validationHook: NonNullable<OpenAPIHonoOptions<AppEnv>["defaultHook"]> = (result) => {
  if (result.success) return;
  throw validationProblem(result.error, result.target);
};

/**
 * A router for one resource (`payouts.ts`, `transfers.ts`) with the kit's validation hook;
 * mount it with `app.route("/v1/payouts", router)`.
 */
export function createRouter(): ServiceApp {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** Largest request body accepted (1 MiB); larger is 413 problem+json. */
export const maxBodyBytes = 1024 * 1024;

function tooLarge(): never {
  throw problem({
    type: "request/too-large",
    title: "Request body too large",
    status: 413,
    detail: `the body exceeds ${maxBodyBytes} bytes`,
  });
}

/**
 * Refuse bodies over {@link maxBodyBytes} with 413. A request that declares its length (or has
 * no body: neither Content-Length nor Transfer-Encoding) is judged by its headers alone, so the
 * body stays unread and the server reads it later straight from the socket; only a chunked body
 * is counted while it streams (hono's `bodyLimit`). Hono's middleware alone would open the body
 * as a web stream on every request just to see whether there is one.
 */
function limitBody(): MiddlewareHandler<AppEnv> {
  const streamed = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  return async function limitBodyMiddleware(c, next) {
    if (c.req.header("transfer-encoding") !== undefined) return streamed(c, next);
    const length = c.req.header("content-length");
    if (length !== undefined && Number(length) > maxBodyBytes) tooLarge();
    return next();
  };
}

/** A new app with the kit's middleware and error handling. */
export function createApp(logger: Logger, metrics: ServiceMetrics): ServiceApp {
  const app = createRouter();
  app.use("*", requestIdMiddleware(logger));
  app.use("*", flowId());
  app.use("*", httpMetrics(metrics));
  app.use("*", limitBody());
  app.use("*", inputLimits());
  app.onError(errorToResponse);
  const regexCache = new Map<string, RegExp>();
  app.notFound((c) => {
    const allow = allowedMethods(app, regexCache, c.req.path);
    if (allow.length > 0) {
      return unmatched(
        problemResponse({
          type: kitProblems.methodNotAllowed,
          title: "Method not allowed",
          status: 405,
          detail: `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow.join(", ")}`,
          headers: { allow: allow.join(", ") },
        }),
      );
    }
    return unmatched(
      problemResponse({
        type: kitProblems.notFound,
        title: "Not found",
        status: 404,
        detail: `no route for ${c.req.method} ${c.req.path}${canonicalHint(app, regexCache, c.req.path)}`,
      }),
    );
  });
  return app;
}
