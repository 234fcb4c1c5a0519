/**
 * @module The RFC 9457 problem body as an OpenAPI schema (`#/components/schemas/Problem`), so
 * every service's error responses point at the one definition the kit answers with.
 */
import { z } from "@hono/zod-openapi";
import { problemContentType } from "./problem";

/** The problem body: the standard members; extension members (`control`, `errors`, ...) pass. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ example: "https://breakwater.dev/problems/withdrawals/halted" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .passthrough()
  .openapi("Problem");

/** `content` of a problem response in a route definition. */
export const problemContent = { [problemContentType]: { schema: problemSchema } };

/**
 * Route `responses` for error statuses, each an RFC 9457 problem.
 *
 * @example responses: { 201: { ... }, ...problemResponses(400, 409, 422, 503) }
 */
export function problemResponses(
  ...statuses: number[]
): Record<number, { description: string; content: typeof problemContent }> {
  const responses: Record<number, { description: string; content: typeof problemContent }> = {};
  for (const status of statuses) {
    responses[status] = { description: "RFC 9457 problem", content: problemContent };
  }
  return responses;
}
