/**
 * @module A trader's balances per asset (`GET /v1/accounts/{trader}`: available and held) and
 * deposits (`POST /v1/accounts/{trader}/deposits`, admin token only: what custody or a test
 * credits from `exchange:external`, once per reference).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { adminAuth } from "../kit/admin-auth";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { withTransaction } from "../kit/db";
import { createAccount, getAccount } from "../kit/ledger/accounts";
import { postTransaction } from "../kit/ledger/ledger";
import { problemResponses } from "../kit/problem-schema";
import { balancesSchema, depositSchema } from "./api-schemas";
import { type ExchangeContext, exchangeScopes } from "./exchange-context";
import { availableAccount, heldAccount } from "./holds";
import { asExchangeProblem, orderNotFound } from "./problems";
import { isTraderId, traderOf } from "./trader";

const traderParam = z.object({
  trader: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .openapi({ param: { name: "trader", in: "path" } }),
});
const balancesResponse = { content: { "application/json": { schema: balancesSchema } } };

const balancesRoute = createRoute({
  method: "get",
  path: "/v1/accounts/{trader}",
  summary: "A trader's available and held balance per asset (yours, or any with the admin token)",
  security: [...bearerSecurity(exchangeScopes.accountsRead), { adminBearer: [] }],
  request: { params: traderParam },
  responses: {
    200: { description: "Balances", ...balancesResponse },
    ...problemResponses(400, 401, 403, 404, 422, 503),
  },
});

const depositRoute = createRoute({
  method: "post",
  path: "/v1/accounts/{trader}/deposits",
  summary: "Credit a trader from exchange:external (admin token; one credit per reference)",
  security: [{ adminBearer: [] }],
  request: {
    params: traderParam,
    body: { content: { "application/json": { schema: depositSchema } }, required: true },
  },
  responses: {
    201: { description: "Credited", ...balancesResponse },
    ...problemResponses(400, 401, 409, 422, 503),
  },
});

/** Both ledger accounts of a trader, created on first use. */
export async function ensureTraderAccounts(
  context: ExchangeContext,
  trader: string,
): Promise<void> {
  const { pool } = context.service;
  await createAccount(pool, { name: availableAccount(trader), type: "user" });
  await createAccount(pool, { name: heldAccount(trader), type: "user" });
}

async function balancesOf(context: ExchangeContext, trader: string) {
  const [available, held] = await Promise.all([
    getAccount(context.service.pool, availableAccount(trader)),
    getAccount(context.service.pool, heldAccount(trader)),
  ]);
  if (available === undefined) return undefined;
  const assets = new Set([...available.balances, ...(held?.balances ?? [])].map((b) => b.currency));
  const amountIn = (balances: { currency: string; amount: string }[] | undefined, asset: string) =>
    balances?.find((balance) => balance.currency === asset)?.amount ?? "0";
  return {
    trader,
    balances: [...assets].sort().map((asset) => ({
      asset,
      available: amountIn(available.balances, asset),
      held: amountIn(held?.balances, asset),
    })),
  };
}

export function mountAccountsApi(app: ServiceApp, context: ExchangeContext): void {
  const { config, pool } = context.service;
  app.on(
    ["GET"],
    "/v1/accounts/:trader",
    callerAuth(context.verifier, {
      scope: exchangeScopes.accountsRead,
      adminToken: config.ADMIN_TOKEN,
    }),
  );
  app.on(["POST"], "/v1/accounts/:trader/deposits", adminAuth(config.ADMIN_TOKEN));

  app.openapi(balancesRoute, async function getBalances(c) {
    const { trader } = c.req.valid("param");
    const caller = callerOf(c);
    if (!caller.admin && traderOf(caller) !== trader) throw orderNotFound(trader);
    const balances = await balancesOf(context, trader);
    if (balances === undefined) throw orderNotFound(trader);
    return c.json(balances, 200);
  });

  app.openapi(depositRoute, async function deposit(c) {
    const { trader } = c.req.valid("param");
    const body = c.req.valid("json");
    if (!isTraderId(trader)) throw orderNotFound(trader);
    await ensureTraderAccounts(context, trader);
    await withTransaction(pool, (tx) =>
      postTransaction(tx, {
        kind: "exchange_deposit",
        reference: `exchange-deposit:${trader}:${body.reference}`,
        postings: [
          {
            source: "exchange:external",
            target: availableAccount(trader),
            currency: body.asset,
            amount: BigInt(body.amount),
          },
        ],
        externalAllowed: ["exchange:external"],
      }),
    ).catch((error) => {
      throw asExchangeProblem(error);
    });
    return c.json((await balancesOf(context, trader)) as z.infer<typeof balancesSchema>, 201);
  });
}
