/** @module Money on the wire: integer minor units as decimal strings, currencies as codes. */
import { z } from "@hono/zod-openapi";

/** The largest amount a PostgreSQL bigint holds: 2^63 - 1 minor units. */
export const amountMaximum = 9_223_372_036_854_775_807n;

const amountPattern = /^[1-9][0-9]{0,18}$/;

/**
 * Parse a positive amount in minor units. Strings only, so that no amount ever passes through
 * a float; throws a RangeError naming the field otherwise.
 * @example parseAmount("1050") // 1050n, i.e. 10.50 in a two-decimal currency
 */
export function parseAmount(text: string, field = "amount"): bigint {
  if (!amountPattern.test(text)) {
    throw new RangeError(`${field}: expected a positive whole number of minor units as a string`);
  }
  const amount = BigInt(text);
  if (amount > amountMaximum) throw new RangeError(`${field}: at most ${amountMaximum}`);
  return amount;
}

/** Whether `text` is an amount that {@link parseAmount} accepts. */
export function isAmount(text: string): boolean {
  return amountPattern.test(text) && BigInt(text) <= amountMaximum;
}

/** A positive amount in minor units, as a string. */
export const amountSchema = z
  .string()
  .refine(isAmount, 'expected a positive whole number of minor units as a string, e.g. "1050"')
  .openapi({
    example: "1050",
    pattern: amountPattern.source,
    maxLength: 19,
    description: `Integer minor units (cents for USD), as a string: 1 to ${amountMaximum}`,
  });

/** An ISO 4217 code or an asset code like BTC: upper case, 3 to 10 characters. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{2,9}$/, "expected a currency code in upper case, e.g. USD")
  .openapi({ example: "USD" });

/** An account name, namespaced with colons: `users:42:wallet`, `platform:psp:clearing`. */
export const accountNameSchema = z
  .string()
  .max(200)
  .regex(
    /^[a-z0-9_-]+(:[a-z0-9_-]+)+$/,
    "expected a name namespaced with colons, e.g. users:42:wallet",
  )
  .openapi({ example: "users:42:wallet" });
