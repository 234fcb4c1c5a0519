/** @module The zod schemas of purchasing's HTTP API: validation and the OpenAPI document in one. */
import { z } from "@hono/zod-openapi";
import { accountNameSchema, amountSchema, currencySchema } from "../kit/ledger/amount";
import { providerSettingsSchema } from "./providers";

export const purchaseCreateSchema = z
  .object({
    account: accountNameSchema.openapi({
      description: "The wallet that pays",
      example: "users:42:wallet",
    }),
    item: z.string().min(1).max(200).openapi({ example: "sku-gift-card-25" }),
    amount: amountSchema,
    currency: currencySchema,
  })
  .strict()
  .openapi("PurchaseCreate");

export const purchaseSchema = z
  .object({
    id: z.string(),
    reference: z.string(),
    account: z.string(),
    item: z.string(),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(["pending", "completed", "failed", "cancelled"]),
    provider: z.string().nullable(),
    providerOrderId: z.string().nullable(),
    attempts: z.array(
      z.object({
        provider: z.string(),
        outcome: z.string(),
        detail: z.string().optional(),
        at: z.string(),
      }),
    ),
    failureReason: z.string().nullable(),
    deadlineAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Purchase");

export const walletSchema = z
  .object({
    name: z.string(),
    balances: z.array(z.object({ currency: z.string(), amount: z.string() })),
  })
  .openapi("Wallet");

export const walletCreditSchema = z
  .object({
    amount: amountSchema,
    currency: currencySchema,
    reference: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "Unique per credit: a repeat credits once" }),
    reason: z.string().min(3).max(500),
  })
  .strict()
  .openapi("WalletCredit");

export const providerUpsertSchema = z
  .object({
    isActive: z.boolean().default(true),
    priority: z.number().int().min(0).max(1_000_000).default(100),
    settings: providerSettingsSchema,
  })
  .strict()
  .openapi("ProviderUpsert");

export const providerStatusSchema = z
  .object({
    name: z.string(),
    isActive: z.boolean(),
    priority: z.number(),
    settings: z.record(z.string(), z.unknown()),
    disabledBy: z
      .string()
      .nullable()
      .openapi({ description: "The ProviderDisable in force, if any" }),
    circuit: z
      .enum(["closed", "half_open", "open"])
      .openapi({ description: "This replica's breaker" }),
  })
  .openapi("ProviderStatus");

export const reconcileReportSchema = z
  .object({
    stuck: z.number(),
    examined: z.number(),
    completed: z.number(),
    released: z.number(),
    locked: z.number(),
    unresolved: z.number(),
    stuckAfter: z.number(),
  })
  .openapi("ReconcileReport");

export const uuidParam = z.object({
  id: z.uuid().openapi({
    param: { name: "id", in: "path" },
    example: "0b6f3c9e-6a8b-4c1e-9a57-3f0f6f1d2a10",
  }),
});
