/**
 * @module The providers' admin API (admin token): `GET /v1/providers` lists them with what
 * routing sees on this replica (active, the ProviderDisable in force, the breaker state);
 * `PUT /v1/providers/{name}` adds or changes one (audited). Every replica picks a change up
 * within `PROVIDERS_RELOAD_MS`; this one at once.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { adminAuth } from "../kit/admin-auth";
import type { ServiceApp } from "../kit/app-env";
import { appendAudit } from "../kit/audit";
import { adminTokens } from "../kit/config";
import { withTransaction } from "../kit/db";
import { problemResponses } from "../kit/problem-schema";
import { providerStatusSchema, providerUpsertSchema } from "./api-schemas";
import { disabledProviders } from "./provider-disable";
import { upsertProvider } from "./providers";
import type { PurchasingContext } from "./purchasing-context";

const adminSecurity = [{ adminBearer: [] }];

const listRoute = createRoute({
  method: "get",
  path: "/v1/providers",
  summary: "Providers in routing order, with this replica's view of each",
  security: adminSecurity,
  responses: {
    200: {
      description: "The providers",
      content: {
        "application/json": { schema: z.object({ providers: z.array(providerStatusSchema) }) },
      },
    },
    ...problemResponses(401, 503),
  },
});

const putRoute = createRoute({
  method: "put",
  path: "/v1/providers/{name}",
  summary: "Add or change a provider (audited)",
  security: adminSecurity,
  request: {
    params: z.object({
      name: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "expected lower case letters, digits, _ and -")
        .openapi({ param: { name: "name", in: "path" }, example: "bad_provider" }),
    }),
    body: { content: { "application/json": { schema: providerUpsertSchema } }, required: true },
  },
  responses: {
    200: {
      description: "Stored",
      content: { "application/json": { schema: providerStatusSchema } },
    },
    ...problemResponses(401, 422, 503),
  },
});

export function mountProvidersApi(app: ServiceApp, context: PurchasingContext): void {
  const { pool, config, controls } = context.service;
  const { directory } = context.flow;
  const admin = adminAuth(adminTokens(config));
  app.use("/v1/providers", admin);
  app.use("/v1/providers/*", admin);

  function statusOf(name: string) {
    const provider = directory.list().find((item) => item.name === name)!;
    const disabled = disabledProviders(controls).get(name.toLowerCase());
    return {
      ...provider,
      disabledBy: disabled ? `${disabled.kind} ${disabled.id} (${disabled.ticket})` : null,
      circuit: context.breakers.state(name),
    };
  }

  app.openapi(listRoute, async (c) => {
    return c.json({ providers: directory.list().map((provider) => statusOf(provider.name)) }, 200);
  });

  app.openapi(putRoute, async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    await withTransaction(pool, async (tx) => {
      const before = await upsertProvider(tx, { name, ...body });
      await appendAudit(tx, {
        actor: "admin",
        action: "provider.put",
        subject: `providers:${name}`,
        before: before ?? null,
        after: { name, ...body },
      });
    });
    await directory.reload();
    return c.json(statusOf(name), 200);
  });
}
