/** @module `POST /v1/accounts` and `GET /v1/accounts/{id}` (the id is the account's name). */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { callerAuth, callerOf } from "../kit/caller-auth";
import { adminTokens } from "../kit/config";
import { createAccount, getAccount } from "../kit/ledger/accounts";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import {
  bearerSecurity,
  paymentsScopes,
  requireAccountRight,
  requireReadRight,
} from "./account-access";
import { accountCreateSchema, accountSchema } from "./api-schemas";
import type { PaymentsContext } from "./payments-context";
import { asProblem, paymentsProblems } from "./problems";

const createAccountRoute = createRoute({
  method: "post",
  path: "/v1/accounts",
  summary: "Create an account (the same request again answers the existing one with 200)",
  security: bearerSecurity(paymentsScopes.accountsWrite),
  request: {
    body: { content: { "application/json": { schema: accountCreateSchema } }, required: true },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: accountSchema } } },
    200: {
      description: "Already existed, identical",
      content: { "application/json": { schema: accountSchema } },
    },
    ...problemResponses(400, 401, 403, 409, 422, 503),
  },
});

const getAccountRoute = createRoute({
  method: "get",
  path: "/v1/accounts/{id}",
  summary: "An account and its balance per currency (the admin token reads any)",
  security: [...bearerSecurity(paymentsScopes.accountsRead), { adminBearer: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: "id", in: "path" }, example: "users:42:wallet" }),
    }),
  },
  responses: {
    200: { description: "The account", content: { "application/json": { schema: accountSchema } } },
    ...problemResponses(400, 401, 403, 404, 422, 503),
  },
});

export function mountAccountsApi(app: ServiceApp, context: PaymentsContext): void {
  const { pool, config } = context.service;
  const { verifier } = context;
  app.on("POST", "/v1/accounts", callerAuth(verifier, { scope: paymentsScopes.accountsWrite }));
  app.on(
    "GET",
    "/v1/accounts/:id",
    callerAuth(verifier, { scope: paymentsScopes.accountsRead, adminToken: adminTokens(config) }),
  );
  app.openapi(createAccountRoute, async (c) => {
    const body = c.req.valid("json");
    requireAccountRight(callerOf(c), body.name, "name");
    const { account, created } = await asProblem(() => createAccount(pool, body));
    return c.json(account, created ? 201 : 200);
  });
  app.openapi(getAccountRoute, async (c) => {
    const { id } = c.req.valid("param");
    requireReadRight(callerOf(c), id, "id");
    const account = await asProblem(() => getAccount(context.service.readPool(), id));
    if (account === undefined) {
      throw problem({
        type: paymentsProblems.accountNotFound,
        title: "Account not found",
        status: 404,
        detail: `no account ${id}`,
      });
    }
    return c.json(account, 200);
  });
}
