/**
 * @module EscrowResolution controls as the operator hands them to escrow:
 * `PUT /admin/v1/escrow-resolutions/{id}` (the operator's admin token) with the control's spec
 * (read with the kind's own schema), reason, ticket, who requested it and who approved it.
 * Above `RESOLUTION_APPROVAL_AMOUNT` a resolution needs an approver other than the requester
 * (409 `resolutions/approval-required` tells the operator to ask for one); then it runs the
 * same audited transition as the admin endpoints. A repeat answers the transaction as it is.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { escrowResolution } from "../../operators/crds/escrow-resolution";
import type { ServiceApp } from "../kit/app-env";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { transactionSchema } from "./api-schemas";
import type { EscrowContext } from "./escrow-context";
import { asProblem, transactionNotFound } from "./problems";
import { resolvedState, resolveTransaction } from "./resolution";
import { getTransaction } from "./transactions";

export const resolutionProblems = {
  approvalRequired: "resolutions/approval-required",
  selfApproval: "resolutions/self-approval",
} as const;

const resolutionPutSchema = z
  .object({
    spec: escrowResolution.spec,
    reason: z.string().min(3).max(1000),
    ticket: z.string().min(1).max(64),
    requestedBy: z.string().min(1).max(253),
    approvedBy: z.string().min(1).max(253).optional(),
  })
  .strict()
  .openapi("EscrowResolutionPut");

const answerSchema = z
  .object({ transaction: transactionSchema, changed: z.boolean() })
  .openapi("EscrowResolutionAnswer");

const putRoute = createRoute({
  method: "put",
  path: "/admin/v1/escrow-resolutions/{id}",
  summary: "Run an EscrowResolution control once (the operator; admin token; audited)",
  security: [{ adminBearer: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{0,252}$/)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
    body: { content: { "application/json": { schema: resolutionPutSchema } }, required: true },
  },
  responses: {
    200: {
      description: "Resolved now (changed) or before",
      content: { "application/json": { schema: answerSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

export function mountResolutionControls(app: ServiceApp, context: EscrowContext): void {
  const { pool, config } = context.service;
  const approvalAmount = BigInt(config.RESOLUTION_APPROVAL_AMOUNT);
  app.openapi(putRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { transactionId, decision } = body.spec;
    const current = await getTransaction(pool, transactionId);
    if (current === undefined) throw transactionNotFound(transactionId);
    const already = current.state === resolvedState(decision);
    if (!already) requireApproval(body, BigInt(current.amount), approvalAmount);
    const result = await asProblem(() =>
      resolveTransaction(pool, transactionId, decision, {
        actor: body.requestedBy,
        via: "control",
        reason: body.reason,
        ticket: body.ticket,
        details: { control: id, approvedBy: body.approvedBy ?? null },
      }),
    );
    if (result.changed) {
      context.metrics.adminActions.inc({ action: decision, via: "control" });
      c.var.logger.warn(
        { transaction: transactionId, decision, control: id, requestedBy: body.requestedBy },
        "escrow resolution control applied",
      );
    }
    return c.json(result, 200);
  });
}

function requireApproval(
  body: { requestedBy: string; approvedBy?: string },
  amount: bigint,
  approvalAmount: bigint,
): void {
  if (body.approvedBy !== undefined && body.approvedBy === body.requestedBy) {
    throw problem({
      type: resolutionProblems.selfApproval,
      title: "A resolution cannot be approved by its requester",
      status: 403,
      detail: `${body.requestedBy} requested it; a second person must approve`,
    });
  }
  if (amount <= approvalAmount || body.approvedBy !== undefined) return;
  throw problem({
    type: resolutionProblems.approvalRequired,
    title: "A second person must approve this resolution",
    status: 409,
    detail: `the transaction's amount ${amount} is above the approval amount ${approvalAmount}`,
    extensions: { amount: amount.toString(), approvalAmount: approvalAmount.toString() },
  });
}
