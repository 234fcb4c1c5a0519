/**
 * @module The buyers' and sellers' API: listings, transactions, signing, confirming access,
 * cancelling, and `POST /api/v1/transactions/{id}/reveal`. A transaction is visible to its
 * two parties (and to the admin token); to anyone else it does not exist.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { idempotencyKeyOf, requireIdempotencyKey } from "../kit/idempotency";
import { parseAmount } from "../kit/ledger/amount";
import { kitProblems, problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import {
  idParam,
  listingCreateSchema,
  listingSchema,
  revealSchema,
  transactionCreateSchema,
  transactionSchema,
} from "./api-schemas";
import { forPost, userIdOf } from "./escrow-callers";
import { type EscrowContext, escrowScopes } from "./escrow-context";
import { createListing } from "./listings";
import { asProblem, transactionNotFound } from "./problems";
import { revealCredentials } from "./reveal";
import { cancelTransaction, confirmAccess, openTransaction, signContract } from "./trades";
import { getTransaction } from "./transactions";

const security = bearerSecurity(escrowScopes.trade);
const json = <S extends z.ZodType>(schema: S) => ({ "application/json": { schema } });

const createListingRoute = createRoute({
  method: "post",
  path: "/api/v1/listings",
  summary: "List an account for sale; its credentials are sealed in the vault",
  security,
  request: { body: { content: json(listingCreateSchema), required: true } },
  responses: {
    201: { description: "Listed", content: json(listingSchema) },
    ...problemResponses(401, 403, 422, 503),
  },
});

const openRoute = createRoute({
  method: "post",
  path: "/api/v1/transactions",
  summary: "Buy a listing: opens a transaction awaiting payment (requires Idempotency-Key)",
  security,
  middleware: [requireIdempotencyKey()] as const,
  request: { body: { content: json(transactionCreateSchema), required: true } },
  responses: {
    201: { description: "Opened; pay under paymentReference", content: json(transactionSchema) },
    ...problemResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/v1/transactions/{id}",
  summary: "A transaction (its buyer, its seller, or the admin token)",
  security: [...security, { adminBearer: [] }],
  request: { params: idParam },
  responses: {
    200: { description: "The transaction", content: json(transactionSchema) },
    ...problemResponses(401, 403, 404, 422),
  },
});

function partyRoute(action: string, summary: string) {
  return createRoute({
    method: "post",
    path: `/api/v1/transactions/{id}/${action}`,
    summary,
    security,
    request: { params: idParam },
    responses: {
      200: { description: "The transaction after it", content: json(transactionSchema) },
      ...problemResponses(401, 403, 404, 409, 422, 503),
    },
  });
}

const signRoute = partyRoute(
  "sign",
  "Sign the transfer contract (both parties; funds must be held)",
);
const confirmRoute = partyRoute("confirm", "The buyer confirms access: funds go to the seller");
const cancelRoute = partyRoute("cancel", "Cancel a transaction not yet paid");

const revealRoute = createRoute({
  method: "post",
  path: "/api/v1/transactions/{id}/reveal",
  summary: "Reveal the credentials to the buyer once funds are held (each reveal recorded)",
  security,
  request: { params: idParam },
  responses: {
    200: { description: "The credentials", content: json(revealSchema) },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

function onlyTheBuyer(what: string) {
  return problem({
    type: kitProblems.forbidden,
    title: "Only the buyer may do this",
    status: 403,
    detail: `only the buyer of the transaction may ${what}`,
  });
}

export function mountTradesApi(app: ServiceApp, context: EscrowContext): void {
  const { pool, config } = context.service;
  const trade = callerAuth(context.verifier, { scope: escrowScopes.trade });
  for (const path of ["/api/v1/listings", "/api/v1/transactions", "/api/v1/transactions/:id/*"])
    app.use(path, forPost(trade));
  app.on(
    "GET",
    "/api/v1/transactions/:id",
    callerAuth(context.verifier, { scope: escrowScopes.trade, adminToken: config.ADMIN_TOKEN }),
  );

  /** The transaction if the caller is one of its parties; 404 otherwise. */
  async function partyTransaction(id: string, userId: string) {
    const transaction = await getTransaction(pool, id);
    if (transaction === undefined || ![transaction.buyerId, transaction.sellerId].includes(userId))
      throw transactionNotFound(id);
    return transaction;
  }

  app.openapi(createListingRoute, async (c) => {
    const body = c.req.valid("json");
    const sellerId = userIdOf(callerOf(c));
    const listing = await asProblem(() =>
      createListing(pool, context.vault, {
        sellerId,
        title: body.title,
        amount: parseAmount(body.amount),
        currency: config.ESCROW_CURRENCY,
        credentials: body.credentials,
      }),
    );
    return c.json(listing, 201);
  });

  app.openapi(openRoute, async (c) => {
    const { listingId } = c.req.valid("json");
    const buyerId = userIdOf(callerOf(c));
    const opened = await asProblem(() =>
      openTransaction(pool, { buyerId, listingId, reference: idempotencyKeyOf(c) }),
    );
    return c.json(opened.transaction, 201);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const caller = callerOf(c);
    if (caller.admin) {
      const transaction = await getTransaction(pool, id);
      if (transaction === undefined) throw transactionNotFound(id);
      return c.json(transaction, 200);
    }
    return c.json(await partyTransaction(id, userIdOf(caller)), 200);
  });

  app.openapi(signRoute, async (c) => {
    const { id } = c.req.valid("param");
    const userId = userIdOf(callerOf(c));
    const transaction = await partyTransaction(id, userId);
    const party = transaction.buyerId === userId ? "buyer" : "seller";
    const signed = await asProblem(() => signContract(pool, id, party, userId));
    return c.json(signed!, 200);
  });

  app.openapi(confirmRoute, async (c) => {
    const { id } = c.req.valid("param");
    const userId = userIdOf(callerOf(c));
    const transaction = await partyTransaction(id, userId);
    if (transaction.buyerId !== userId) throw onlyTheBuyer("confirm access");
    const result = await asProblem(() => confirmAccess(pool, id, userId));
    return c.json(result.transaction, 200);
  });

  app.openapi(cancelRoute, async (c) => {
    const { id } = c.req.valid("param");
    const userId = userIdOf(callerOf(c));
    const transaction = await partyTransaction(id, userId);
    if (transaction.buyerId !== userId) throw onlyTheBuyer("cancel");
    const cancelled = await asProblem(() => cancelTransaction(pool, id, userId));
    return c.json(cancelled!, 200);
  });

  app.openapi(revealRoute, async (c) => {
    const { id } = c.req.valid("param");
    const userId = userIdOf(callerOf(c));
    try {
      const reveal = await asProblem(() => revealCredentials(pool, context.vault, id, userId));
      context.metrics.reveals.inc({ outcome: "revealed" });
      return c.json(reveal as z.infer<typeof revealSchema>, 200);
    } catch (error) {
      const status = (error as { status?: number }).status;
      context.metrics.reveals.inc({ outcome: status === 503 ? "failed" : "refused" });
      throw error;
    }
  });
}
