/** @module The exchange service's own settings, added to the kit's common ones. */
import { z } from "zod";
import { callerAuthConfigSchema } from "../kit/caller-auth";
import { catalogueSymbol, symbolCatalogue } from "./symbols";

const known = symbolCatalogue.map((spec) => spec.symbol);

/** Environment variables read by the exchange (beside PORT, DATABASE_URL, ... from the kit). */
export const exchangeConfigSchema = z.object({
  /** Who calls the public API: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS (see the kit). */
  ...callerAuthConfigSchema.shape,
  /** The symbols that trade, comma-separated, from the catalogue. */
  EXCHANGE_SYMBOLS: z
    .string()
    .default(known.join(","))
    .transform((value, context) => {
      const symbols = value.split(",").map((symbol) => symbol.trim());
      for (const symbol of symbols) {
        if (catalogueSymbol(symbol) === undefined)
          context.addIssue({
            code: "custom",
            message: `unknown symbol "${symbol}"; known: ${known.join(", ")}`,
          });
      }
      return symbols;
    }),
  /** A sequencer lease not renewed for this long passes to another replica. */
  EXCHANGE_LEASE_TTL_MS: z.coerce.number().int().min(500).default(5_000),
  /**
   * The base URL the other replicas reach this one at, stored with each lease it holds so
   * that they forward that symbol's orders here. Unset: `http://<POD_IP>:<PORT>` in a pod,
   * else the address it listens on when HOST names one (local runs), else none (the others
   * then answer 503 for its symbols).
   */
  EXCHANGE_ADVERTISE_URL: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
    .transform((value) => value.replace(/\/+$/, ""))
    .optional(),
  /** The pod's IP (downward API), which the replica advertises when given no URL. */
  POD_IP: z.union([z.ipv4(), z.ipv6()], { error: "expected the pod's IP address" }).optional(),
  /** How long a replica waits for the sequencing replica's answer to a forwarded request. */
  EXCHANGE_FORWARD_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /**
   * Whether this replica joins the settlement consumer group (false: it serves and replays,
   * and other replicas or a deployment of their own settle).
   */
  EXCHANGE_SETTLEMENT_CONSUMER: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /**
   * How often each replica checks the ledger's invariants (seed 002 §3.1), in milliseconds.
   * Every run counts what it finds, so a shorter interval alerts sooner and costs one
   * read of the balances and the engine log per run.
   */
  EXCHANGE_INVARIANT_CHECK_MS: z.coerce
    .number({ error: "expected a whole number of milliseconds" })
    .int({ error: "expected a whole number of milliseconds" })
    .min(1_000, { error: "expected at least 1000 (one check a second)" })
    .default(30_000),
});

export type ExchangeConfig = z.infer<typeof exchangeConfigSchema>;
