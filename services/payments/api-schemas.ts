/** @module The zod schemas of payments' HTTP API: validation and the OpenAPI document in one. */
import { z } from "@hono/zod-openapi";
import { accountNameSchema, amountSchema, currencySchema } from "../kit/ledger/amount";
import { payoutStatuses } from "./payout-state";

const metadataSchema = z.record(z.string(), z.unknown()).default({}).openapi({
  description: "Free JSON, nested at most 32 levels, no NUL or unpaired surrogate in any text",
});

export const accountCreateSchema = z
  .object({
    name: accountNameSchema,
    type: z
      .enum(["user", "platform"])
      .default("user")
      .openapi({ description: "Neither type may go below zero" }),
    metadata: metadataSchema,
  })
  .openapi("AccountCreate");

export const accountSchema = z
  .object({
    name: z.string(),
    type: z.enum(["user", "platform", "external"]),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    balances: z.array(z.object({ currency: z.string(), amount: z.string() })),
  })
  .openapi("Account");

export const transferCreateSchema = z
  .object({
    source: accountNameSchema.openapi({
      description:
        "An account of the caller's (users:<sub>:...; any non-platform account with payments:on-behalf); never platform:*",
    }),
    target: accountNameSchema.openapi({
      description: "Any existing user account other than the source; never platform:*",
    }),
    amount: amountSchema,
    currency: currencySchema,
    metadata: metadataSchema,
  })
  .openapi("TransferCreate");

export const transferSchema = z
  .object({
    id: z.string().openapi({ description: "The ledger transaction's id" }),
    reference: z.string(),
    source: z.string(),
    target: z.string(),
    amount: z.string(),
    currency: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi("Transfer");

export const payoutCreateSchema = z
  .object({
    account: accountNameSchema.openapi({
      description: "An account of the caller's, holding the amount; never platform:*",
    }),
    amount: amountSchema,
    currency: currencySchema,
    destination: z.string().min(1).max(200).openapi({ example: "DE89370400440532013000" }),
  })
  .openapi("PayoutCreate");

export const payoutSchema = z
  .object({
    id: z.string(),
    reference: z.string(),
    account: z.string(),
    amount: z.string(),
    currency: z.string(),
    destination: z.string(),
    status: z.enum(payoutStatuses),
    attempts: z.number().int(),
    pspPayoutId: z.string().nullable(),
    lastError: z.string().nullable(),
    resolution: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Payout");

/** Largest page of the manual review queue. */
export const manualReviewLimitMaximum = 200;

export const manualReviewQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(manualReviewLimitMaximum).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const manualReviewPageSchema = z
  .object({
    items: z.array(payoutSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi("ManualReviewPage");

export const resolveSchema = z
  .object({
    decision: z.enum(["confirm_sent", "refund_failed"]),
    reason: z.string().trim().min(1).max(2000),
    ticket: z.string().min(1).max(200).optional(),
  })
  .openapi("PayoutResolve");

export const depositWebhookSchema = z
  .object({
    reference: z.string().min(1).max(200),
    account: accountNameSchema,
    amount: amountSchema,
    currency: currencySchema,
  })
  .passthrough()
  .openapi("DepositWebhook");

export const depositSchema = z
  .object({
    reference: z.string(),
    account: z.string(),
    amount: z.string(),
    currency: z.string(),
    transactionId: z.string(),
    createdAt: z.string(),
  })
  .openapi("Deposit");

export const uuidParam = (name: string) =>
  z
    .string()
    .uuid()
    .openapi({ param: { name, in: "path" } });
