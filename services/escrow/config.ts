/** @module The escrow service's own settings, added to the kit's common ones. */
import { z } from "zod";
import { callerAuthConfigSchema } from "../kit/caller-auth";
import { amountSchema, currencySchema } from "../kit/ledger/amount";

function positiveMs(defaultMs: number) {
  return z.coerce.number().int().positive().default(defaultMs);
}

function positiveCount(defaultCount: number) {
  return z.coerce.number().int().positive().default(defaultCount);
}

/** An scrypt cost N: a power of two from 2^10 to 2^20 (2^15 = 32 MiB with r = 8). */
function scryptCost() {
  return z.coerce
    .number()
    .int()
    .refine((value) => value >= 2 ** 10 && value <= 2 ** 20 && (value & (value - 1)) === 0, {
      message: "expected a power of two from 1024 to 1048576",
    })
    .default(2 ** 15);
}

/** Environment variables read by escrow (beside PORT, DATABASE_URL, ... from the kit). */
export const escrowConfigSchema = z.object({
  /** Who calls the public API: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS (see the kit). */
  ...callerAuthConfigSchema.shape,
  /** Base URL of the Paystack-style provider; transfers are POSTed to `<PAYSTACK_URL>/transfer`. */
  PAYSTACK_URL: z.url({ protocol: /^https?$/ }),
  /** The provider's secret key: the bearer of transfer calls and the webhooks' HMAC-SHA512 key. */
  PAYSTACK_SECRET_KEY: z.string().min(16, "expected at least 16 characters"),
  /** A transfer without an answer after this long is ambiguous and goes to manual review. */
  PAYSTACK_TIMEOUT_MS: positiveMs(10_000),
  /**
   * The credential vault's pepper: a secret held outside the database (a Kubernetes Secret
   * backed up as the runbook says). Without it sealed credentials cannot be opened.
   */
  VAULT_PEPPER: z.string().min(32, "expected at least 32 characters"),
  /** scrypt cost of the vault's key derivation (a power of two; 2^15 = 32 MiB with r = 8). */
  VAULT_SCRYPT_N: scryptCost(),
  /** scrypt cost of the users' password hashes (stored with each hash, so it can be raised). */
  PASSWORD_SCRYPT_N: scryptCost(),
  /** Failed logins (password or OTP) in a row that lock an account. */
  LOGIN_ATTEMPTS_MAX: positiveCount(5),
  /** How long a locked account stays locked. */
  LOGIN_LOCKOUT_SECONDS: positiveCount(900),
  /** Login attempts per user id per minute before 429 (slows guessing across accounts too). */
  LOGIN_RATE_PER_MINUTE: positiveCount(10),
  /** How long a password-checked login waits for its OTP. */
  OTP_CHALLENGE_SECONDS: positiveCount(300),
  /** Lifetime of an access token issued by escrow's own login. */
  SESSION_TTL_SECONDS: positiveCount(3600),
  /** Transactions in funds_held, contract_signed or disputed longer than this are stuck. */
  STUCK_ESCROW_DAYS: z.coerce.number().int().min(1).default(7),
  /** An EscrowResolution above this amount (minor units) needs a second person's approval. */
  RESOLUTION_APPROVAL_AMOUNT: amountSchema.default("100000"),
  /** The currency escrow trades in. */
  ESCROW_CURRENCY: currencySchema.default("USD"),
  /** How often the payout worker looks for due payouts to sellers. */
  PAYOUT_INTERVAL_MS: positiveMs(1_000),
  /** First retry delay after the provider was unreachable; doubles per attempt. */
  PAYOUT_RETRY_BASE_MS: positiveMs(1_000),
  /** Ceiling of that retry delay. */
  PAYOUT_RETRY_MAX_MS: positiveMs(300_000),
  /** How often the stuck-transaction gauge is recounted. */
  STUCK_SCAN_INTERVAL_MS: positiveMs(60_000),
});

export type EscrowConfig = z.infer<typeof escrowConfigSchema>;
