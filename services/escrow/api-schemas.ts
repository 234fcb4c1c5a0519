/** @module The zod schemas of escrow's HTTP API: validation and the OpenAPI document in one. */
import { z } from "@hono/zod-openapi";
import { amountSchema } from "../kit/ledger/amount";
import { transactionStates } from "./transaction-state";

export const idParam = z.object({
  id: z.uuid().openapi({
    param: { name: "id", in: "path" },
    example: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f",
  }),
});

export const credentialsSchema = z
  .object({
    username: z.string().min(1).max(320),
    password: z.string().min(1).max(1024),
    note: z.string().max(2000).optional(),
  })
  .strict()
  .openapi("Credentials", { description: "The account's credentials, sealed at rest" });

export const listingCreateSchema = z
  .object({
    title: z.string().min(1).max(200).openapi({ example: "Level 80 account, EU server" }),
    amount: amountSchema,
    credentials: credentialsSchema,
  })
  .strict()
  .openapi("ListingCreate");

export const listingSchema = z
  .object({
    id: z.string(),
    sellerId: z.string(),
    title: z.string(),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(["active", "sold", "removed"]),
    createdAt: z.string(),
  })
  .openapi("Listing");

export const transactionCreateSchema = z
  .object({ listingId: z.uuid() })
  .strict()
  .openapi("TransactionCreate");

export const transactionSchema = z
  .object({
    id: z.string(),
    reference: z.string(),
    listingId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    currency: z.string(),
    amount: z.string(),
    state: z.enum(transactionStates),
    paymentReference: z.string().openapi({ description: "The reference the buyer pays under" }),
    buyerSignedAt: z.string().nullable(),
    sellerSignedAt: z.string().nullable(),
    fundsHeldAt: z.string().nullable(),
    contractSignedAt: z.string().nullable(),
    releasedAt: z.string().nullable(),
    refundedAt: z.string().nullable(),
    notes: z.array(z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Transaction");

export const revealSchema = z
  .object({
    transactionId: z.string(),
    listingId: z.string(),
    credentials: credentialsSchema,
    revealedAt: z.string(),
  })
  .openapi("Reveal");

export const reasonSchema = z
  .object({
    reason: z.string().min(3).max(1000).openapi({
      example: "Stuck transaction resolved - buyer confirmed access",
    }),
  })
  .strict()
  .openapi("AdminReason");

const userIdSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, "expected 1 to 64 of a-z, 0-9, _ and -")
  .openapi({ example: "alice" });

export const accountCreateSchema = z
  .object({
    userId: userIdSchema,
    password: z.string().min(12, "expected at least 12 characters").max(1024),
  })
  .strict()
  .openapi("AccountCreate");

export const enrolmentSchema = z
  .object({
    userId: z.string(),
    otpauthUri: z.string().openapi({ description: "For the authenticator app; shown once" }),
  })
  .openapi("Enrolment");

export const loginSchema = z
  .object({ userId: userIdSchema, password: z.string().min(1).max(1024) })
  .strict()
  .openapi("Login");

export const challengeSchema = z
  .object({ challengeId: z.string(), expiresInSeconds: z.number().int() })
  .openapi("OtpChallenge");

export const otpSchema = z
  .object({
    challengeId: z.uuid(),
    code: z.string().regex(/^[0-9]{6}$/, "expected 6 digits"),
  })
  .strict()
  .openapi("OtpVerification");

export const issuedTokenSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int(),
    scope: z.string(),
  })
  .openapi("AccessToken");
