/**
 * @module `GET /v1/wallets/{account}` (the owner, or the admin token) and
 * `POST /v1/wallets/{account}/credits` (admin token only: money paid in from outside).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { adminAuth } from "../kit/admin-auth";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { adminTokens } from "../kit/config";
import { refusePlatformAccount, requireAccountRightFor } from "../kit/ledger/account-access";
import { getAccount } from "../kit/ledger/accounts";
import { accountNameSchema, parseAmount } from "../kit/ledger/amount";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { walletCreditSchema, walletSchema } from "./api-schemas";
import { asProblem, purchasingProblems } from "./problems";
import { type PurchasingContext, purchasingScopes } from "./purchasing-context";
import { creditWallet } from "./wallets";

const accountParam = z.object({
  account: accountNameSchema.openapi({ param: { name: "account", in: "path" } }),
});
const walletContent = { "application/json": { schema: walletSchema } };

const getWalletRoute = createRoute({
  method: "get",
  path: "/v1/wallets/{account}",
  summary: "A wallet's balance per currency",
  security: [...bearerSecurity(purchasingScopes.walletsRead), { adminBearer: [] }],
  request: { params: accountParam },
  responses: {
    200: { description: "The wallet", content: walletContent },
    ...problemResponses(401, 403, 404, 422),
  },
});

const creditWalletRoute = createRoute({
  method: "post",
  path: "/v1/wallets/{account}/credits",
  summary:
    "Credit a wallet with money paid in from outside (admin token; once per reference; audited)",
  security: [{ adminBearer: [] }],
  request: {
    params: accountParam,
    body: { content: { "application/json": { schema: walletCreditSchema } }, required: true },
  },
  responses: {
    200: {
      description: "The wallet after the credit (or after the earlier one)",
      content: walletContent,
    },
    ...problemResponses(401, 403, 409, 422),
  },
});

export function mountWalletsApi(app: ServiceApp, context: PurchasingContext): void {
  const { pool, config } = context.service;
  app.on(
    "GET",
    "/v1/wallets/:account",
    callerAuth(context.verifier, {
      scope: purchasingScopes.walletsRead,
      adminToken: adminTokens(config),
    }),
  );
  app.use("/v1/wallets/:account/credits", adminAuth(adminTokens(config)));

  app.openapi(getWalletRoute, async (c) => {
    const { account } = c.req.valid("param");
    const caller = callerOf(c);
    if (!caller.admin)
      requireAccountRightFor(caller, account, "account", purchasingScopes.onBehalf);
    const wallet = await getAccount(pool, account);
    if (wallet === undefined) {
      throw problem({
        type: purchasingProblems.accountNotFound,
        title: "Wallet not found",
        status: 404,
        detail: `no wallet ${account}`,
      });
    }
    return c.json({ name: wallet.name, balances: wallet.balances }, 200);
  });

  app.openapi(creditWalletRoute, async (c) => {
    const { account } = c.req.valid("param");
    refusePlatformAccount(account, "account");
    const body = c.req.valid("json");
    await asProblem(() =>
      creditWallet(pool, { ...body, account, amount: parseAmount(body.amount), actor: "admin" }),
    );
    const wallet = (await getAccount(pool, account))!;
    return c.json({ name: wallet.name, balances: wallet.balances }, 200);
  });
}
