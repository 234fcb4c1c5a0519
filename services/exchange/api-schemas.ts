/** @module The exchange API's request and response bodies (zod, documented in /openapi.json). */
import { z } from "@hono/zod-openapi";
import { amountSchema, currencySchema } from "../kit/ledger/amount";

export const symbolSchema = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/)
  .openapi({ example: "BTC-USD" });

export const orderCreateSchema = z
  .object({
    clientOrderId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._:-]+$/)
      .openapi({
        description: "Your id of the order: sending it again answers the same order.",
      }),
    symbol: symbolSchema,
    side: z.enum(["buy", "sell"]),
    type: z.enum(["limit", "market"]),
    price: amountSchema.optional().openapi({
      description:
        "Limit orders: quote minor units per one whole base unit, a multiple of the tick.",
    }),
    quantity: amountSchema.openapi({ description: "Base minor units, a multiple of the lot." }),
    quoteBudget: amountSchema.optional().openapi({
      description:
        "Market buys: the most quote (minor units) to spend; it is held until the order ends.",
    }),
  })
  .openapi("OrderCreate");

export const orderSchema = z
  .object({
    orderId: z.string(),
    clientOrderId: z.string(),
    trader: z.string(),
    symbol: z.string(),
    side: z.enum(["buy", "sell"]),
    type: z.enum(["limit", "market"]),
    price: z.string().nullable(),
    quantity: z.string(),
    filled: z.string(),
    held: z.string(),
    heldAsset: z.string(),
    status: z.enum(["open", "filled", "cancelled"]),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Order");

const levelSchema = z.object({ price: z.string(), quantity: z.string(), orders: z.number().int() });

export const bookSchema = z
  .object({
    symbol: z.string(),
    seq: z
      .string()
      .openapi({ description: "The last seq of the symbol's engine log this book reflects." }),
    bids: z.array(levelSchema),
    asks: z.array(levelSchema),
  })
  .openapi("Book");

export const depositSchema = z
  .object({ asset: currencySchema, amount: amountSchema, reference: z.string().min(1).max(128) })
  .openapi("Deposit");

export const withdrawalSchema = z
  .object({ asset: currencySchema, amount: amountSchema })
  .openapi("Withdrawal");

export const balancesSchema = z
  .object({
    trader: z.string(),
    balances: z.array(z.object({ asset: z.string(), available: z.string(), held: z.string() })),
  })
  .openapi("Balances");
