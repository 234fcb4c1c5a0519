/**
 * @module Disputes over HTTP: a party opens one (`POST /api/v1/transactions/{id}/disputes`)
 * and attaches evidence (`POST /api/v1/disputes/{id}/evidence`); a super admin decides with
 * seed 004's matrix (`POST /api/v1/admin/disputes/{id}/decision`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { amountSchema, parseAmount } from "../kit/ledger/amount";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { idParam } from "./api-schemas";
import { addEvidence, decideDispute, disputeDecisions, getDispute, openDispute } from "./disputes";
import { forPost, userIdOf } from "./escrow-callers";
import { type EscrowContext, escrowScopes } from "./escrow-context";
import { asProblem, escrowProblems, transactionNotFound } from "./problems";
import { getTransaction } from "./transactions";

const disputeSchema = z
  .object({
    id: z.string(),
    transactionId: z.string(),
    openedBy: z.string(),
    reason: z.string(),
    evidence: z.array(z.unknown()),
    status: z.enum(["open", "escalated", "decided"]),
    decision: z.enum(disputeDecisions).nullable(),
    decidedBy: z.string().nullable(),
  })
  .openapi("Dispute");
const json = { "application/json": { schema: disputeSchema } };
const body = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});

const openRoute = createRoute({
  method: "post",
  path: "/api/v1/transactions/{id}/disputes",
  summary: "Open a dispute (buyer or seller, while funds are held): the transaction is disputed",
  security: bearerSecurity(escrowScopes.trade),
  request: {
    params: idParam,
    body: body(z.object({ reason: z.string().min(3).max(2000) }).strict()),
  },
  responses: {
    201: { description: "Opened", content: json },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

const evidenceRoute = createRoute({
  method: "post",
  path: "/api/v1/disputes/{id}/evidence",
  summary: "Attach evidence to an undecided dispute (either party)",
  security: bearerSecurity(escrowScopes.trade),
  request: {
    params: idParam,
    body: body(
      z
        .object({
          kind: z.enum(["statement", "screenshot", "proof-file", "message"]),
          text: z.string().min(1).max(10_000),
        })
        .strict(),
    ),
  },
  responses: {
    200: { description: "The dispute with the evidence", content: json },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

const decisionSchema = z
  .object({
    decision: z.enum(disputeDecisions),
    notes: z.string().min(3).max(5000),
    compensation: amountSchema.optional().openapi({
      description: "platform_issue only: what the platform adds to the full refund",
    }),
  })
  .strict()
  .refine((value) => value.decision === "platform_issue" || value.compensation === undefined, {
    message: "compensation is given only with platform_issue",
    path: ["compensation"],
  });

const decideRoute = createRoute({
  method: "post",
  path: "/api/v1/admin/disputes/{id}/decision",
  summary: "Decide a dispute with the matrix (super admin; audited; both parties notified)",
  security: bearerSecurity(escrowScopes.admin),
  request: { params: idParam, body: body(decisionSchema) },
  responses: {
    200: { description: "Decided (or escalated, for unclear)", content: json },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

function disputeNotFound(id: string) {
  return problem({
    type: escrowProblems.disputeNotFound,
    title: "Dispute not found",
    status: 404,
    detail: `no dispute ${id}`,
  });
}

export function mountDisputesApi(app: ServiceApp, context: EscrowContext): void {
  const { pool } = context.service;
  app.use(
    "/api/v1/disputes/*",
    forPost(callerAuth(context.verifier, { scope: escrowScopes.trade })),
  );

  async function partyOf(transactionId: string, userId: string) {
    const transaction = await getTransaction(pool, transactionId);
    if (transaction === undefined || ![transaction.buyerId, transaction.sellerId].includes(userId))
      throw transactionNotFound(transactionId);
  }

  app.openapi(openRoute, async (c) => {
    const { id } = c.req.valid("param");
    const userId = userIdOf(callerOf(c));
    await partyOf(id, userId);
    const { reason } = c.req.valid("json");
    const dispute = await asProblem(() =>
      openDispute(pool, { transactionId: id, openedBy: userId, reason }),
    );
    return c.json(dispute!, 201);
  });

  app.openapi(evidenceRoute, async (c) => {
    const { id } = c.req.valid("param");
    const userId = userIdOf(callerOf(c));
    const dispute = await getDispute(pool, id);
    if (dispute === undefined) throw disputeNotFound(id);
    await partyOf(dispute.transactionId, userId);
    const added = await addEvidence(pool, id, { by: userId, ...c.req.valid("json") });
    if (added === undefined)
      throw problem({
        type: escrowProblems.disputeDecided,
        title: "The dispute is already decided",
        status: 409,
        detail: `dispute ${id} is decided; evidence can no longer be added`,
      });
    return c.json(added, 200);
  });

  app.openapi(decideRoute, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const decidedBy = callerOf(c).subject;
    const decided = await asProblem(() =>
      decideDispute(pool, {
        disputeId: id,
        decision: input.decision,
        decidedBy,
        notes: input.notes,
        ...(input.compensation ? { compensation: parseAmount(input.compensation) } : {}),
      }),
    );
    if (decided === undefined) throw disputeNotFound(id);
    if (input.decision !== "unclear") {
      const action = input.decision === "buyer_at_fault" ? "release" : "refund";
      context.metrics.adminActions.inc({ action, via: "dispute" });
    }
    return c.json(decided, 200);
  });
}
