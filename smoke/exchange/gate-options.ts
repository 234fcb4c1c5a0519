/**
 * @module Where Gate G0 looks: flags, else environment variables, else the running `npm start`
 * (`.breakwater/platform.json`, or `$BREAKWATER_STATE_DIR`). A bad flag or a missing setting is
 * a usage error with one line naming it.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { runningPlatform, stateDir } from "../../local/platform-state";

export interface GateOptions {
  /** Every exchange replica; an order goes to the one that sequences the symbol. */
  readonly exchangeUrls: readonly string[];
  readonly edgeUrl: string;
  /** The exchange's database, where settlement appends the trade's postings. */
  readonly databaseUrl: string;
  /** The identity provider of the sandbox, which issues the traders' tokens. */
  readonly sandboxUrl: string;
  readonly sandboxToken: string;
  readonly symbol: string;
  /** The two funded accounts that trade with each other. */
  readonly buyer: string;
  readonly seller: string;
  /** How long each step may wait for what it expects. */
  readonly stepTimeoutMs: number;
  /** Where the WebSocket events and HTTP answers of this run are written. */
  readonly logDir: string;
}

/** A flag or setting that is missing or malformed: the command exits 2 with this one line. */
export class UsageError extends Error {}

export const usage =
  "usage: npm run smoke -- exchange [--exchange-url URL[,URL]] [--edge-url URL] [--database-url URL] [--sandbox-url URL] [--symbol BTC-USD] [--buyer ID] [--seller ID] [--timeout-seconds N] [--log-dir DIR]";

const flags = {
  "exchange-url": { type: "string", env: "SMOKE_EXCHANGE_URL" },
  "edge-url": { type: "string", env: "SMOKE_EDGE_URL" },
  "database-url": { type: "string", env: "SMOKE_DATABASE_URL" },
  "sandbox-url": { type: "string", env: "SMOKE_SANDBOX_URL" },
  symbol: { type: "string", env: "SMOKE_SYMBOL" },
  buyer: { type: "string", env: "SMOKE_BUYER" },
  seller: { type: "string", env: "SMOKE_SELLER" },
  "timeout-seconds": { type: "string", env: "SMOKE_TIMEOUT_SECONDS" },
  "log-dir": { type: "string", env: "SMOKE_LOG_DIR" },
} as const;

const httpUrl = z.url({ protocol: /^https?$/ });
const traderId = z.string().regex(/^[a-z0-9_-]{1,64}$/);

function valid<T>(schema: z.ZodType<T>, value: unknown, name: string, expected: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    value === undefined ? `${name}: required but not set` : `${name}: expected ${expected}`,
  );
}

function readFlags(args: readonly string[]): Record<string, string | undefined> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options: flags, strict: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${usage}`);
  }
  return Object.fromEntries(
    Object.entries(flags).map(([name, { env }]) => [
      name,
      (values[name] as string | undefined) ?? process.env[env],
    ]),
  );
}

/** Options from `args` (after `exchange`), the environment and the running platform. */
export function gateOptions(args: readonly string[]): GateOptions {
  const given = readFlags(args);
  const platform = runningPlatform();
  const exchangeUrls = (given["exchange-url"] ?? platform?.services.exchange?.urls.join(","))
    ?.split(",")
    .map((url) => valid(httpUrl, url, "--exchange-url", "http(s) URLs, comma-separated"));
  const sandboxToken = process.env.SMOKE_SANDBOX_TOKEN ?? platform?.sandboxToken;
  const seconds = valid(
    z.coerce.number().int().min(1).max(600),
    given["timeout-seconds"] ?? "60",
    "--timeout-seconds",
    "a whole number of seconds from 1 to 600",
  );
  if (exchangeUrls === undefined)
    throw new UsageError(
      "--exchange-url: required when no `npm start` runs (or set SMOKE_EXCHANGE_URL)",
    );
  return {
    exchangeUrls,
    edgeUrl: valid(
      httpUrl,
      given["edge-url"] ?? platform?.services["exchange-edge"]?.urls[0],
      "--edge-url",
      "an http(s) URL of the exchange edge",
    ),
    databaseUrl: valid(
      z.string().regex(/^postgres(ql)?:\/\//),
      given["database-url"] ?? platform?.services.exchange?.databaseUrl,
      "--database-url",
      "a postgres:// URL of the exchange's database",
    ),
    sandboxUrl: valid(
      httpUrl,
      given["sandbox-url"] ?? platform?.endpoints.sandbox,
      "--sandbox-url",
      "an http(s) URL of the sandbox API",
    ),
    sandboxToken: valid(
      z.string().min(16),
      sandboxToken,
      "SMOKE_SANDBOX_TOKEN",
      "the sandbox API's token",
    ),
    symbol: valid(
      z.string().regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/),
      given.symbol ?? "BTC-USD",
      "--symbol",
      "a symbol like BTC-USD",
    ),
    buyer: valid(
      traderId,
      given.buyer ?? "demo-buyer",
      "--buyer",
      "a trader id (a-z, 0-9, _ and -)",
    ),
    seller: valid(
      traderId,
      given.seller ?? "demo-seller",
      "--seller",
      "a trader id (a-z, 0-9, _ and -)",
    ),
    stepTimeoutMs: seconds * 1000,
    logDir:
      given["log-dir"] ??
      join(stateDir, "smoke", "exchange", new Date().toISOString().replaceAll(":", "-")),
  };
}
