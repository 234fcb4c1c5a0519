/**
 * @module The admin routes of API keys (admin token, like every `/admin/v1` route): issue a
 * key for a trader, rotate it (the new key is shown once; the old one keeps working for the
 * grace period, so clients switch without downtime) and revoke it.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import type { ApiKeys } from "./api-keys";

const security = [{ adminBearer: [] }];

const keySchema = z
  .object({
    keyId: z.string(),
    trader: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

const issuedSchema = keySchema.extend({ secret: z.string() }).openapi("IssuedApiKey");

const keyIdParam = z.object({
  keyId: z
    .string()
    .regex(/^bwk_[0-9a-f]{24}$/)
    .openapi({ param: { name: "keyId", in: "path" } }),
});

function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

const issueRoute = createRoute({
  method: "post",
  path: "/admin/v1/api-keys",
  security,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({ trader: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) }),
        },
      },
    },
  },
  responses: {
    201: json(issuedSchema, "The key and its secret, shown only now"),
    ...problemResponses(401),
  },
});

const rotateRoute = createRoute({
  method: "post",
  path: "/admin/v1/api-keys/{keyId}/rotate",
  security,
  request: {
    params: keyIdParam,
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.object({
            graceSeconds: z
              .int()
              .min(0)
              .max(30 * 86_400)
              .optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: json(issuedSchema, "The new key; the old one expires after the grace period"),
    ...problemResponses(401, 404),
  },
});

const revokeRoute = createRoute({
  method: "delete",
  path: "/admin/v1/api-keys/{keyId}",
  security,
  request: { params: keyIdParam },
  responses: { 200: json(keySchema, "The revoked key"), ...problemResponses(401, 404) },
});

function unknownKey(keyId: string) {
  return problem({
    type: "api-keys/not-found",
    title: "No such API key",
    status: 404,
    detail: `${keyId} does not exist, or was revoked or has expired`,
  });
}

export function mountApiKeysApi(app: ServiceApp, keys: ApiKeys, defaultGraceSeconds: number): void {
  app.openapi(issueRoute, async (c) => c.json(await keys.issue(c.req.valid("json").trader), 201));
  app.openapi(rotateRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const body = (await c.req.json().catch(() => ({}))) as { graceSeconds?: number };
    const issued = await keys.rotate(keyId, body.graceSeconds ?? defaultGraceSeconds);
    if (!issued) throw unknownKey(keyId);
    return c.json(issued, 201);
  });
  app.openapi(revokeRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const revoked = await keys.revoke(keyId);
    if (!revoked) throw unknownKey(keyId);
    return c.json(revoked, 200);
  });
}
