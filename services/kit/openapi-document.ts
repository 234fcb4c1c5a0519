/**
 * @module The service's `/openapi.json`: the routes' own documentation plus the answers the
 * kit gives on every route before or around the handler, so that a client generated from it
 * knows every status it can get: 400 (malformed or too deeply nested input, a missing
 * Idempotency-Key), 422 (validation, NUL or unpaired surrogates anywhere), 413 (a body over
 * 1 MiB) where a body may be sent, and 503 (a dependency unavailable).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";

type Document = ReturnType<OpenAPIHono<AppEnv>["getOpenAPIDocument"]>;

const problemRef = { $ref: "#/components/schemas/Problem" };

/** The kit's answers on every route, by status. */
const edgeAnswers: Record<string, string> = {
  "400":
    "Malformed request (not JSON, not UTF-8, nested deeper than 32 levels, a required header missing)",
  "422": "Validation failed (including a NUL character or an unpaired surrogate in any text)",
  "503": "A dependency is unavailable; retry after Retry-After",
};

const bodyAnswers: Record<string, string> = { "413": "Request body larger than 1 MiB" };

const problemSchema = {
  type: "object",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
  },
  required: ["type", "title", "status"],
  additionalProperties: true,
};

/** `document` with the kit's answers added to every operation that does not document them. */
export function withKitAnswers(document: Document): Document {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem ??= problemSchema as never;
  for (const item of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const described = operation as { responses?: Record<string, unknown> };
      described.responses ??= {};
      const responses = described.responses;
      const answers = method === "get" ? edgeAnswers : { ...edgeAnswers, ...bodyAnswers };
      for (const [status, description] of Object.entries(answers)) {
        responses[status] ??= {
          description,
          content: { "application/problem+json": { schema: problemRef } },
        };
      }
    }
  }
  return document;
}
