/**
 * @module Where controls go: which services enforce which control kind, their admin URL and
 * the Secret holding their admin token, plus the Redis instances a LockFlush may touch and
 * its allow-list. One YAML/JSON file (path from `OPERATOR_TARGETS_FILE`), so a new service
 * plugs in by adding an entry here, without touching the runtime.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const secretReference = z.object({
  namespace: z.string().regex(dnsLabel),
  name: z.string().min(1).max(253),
  key: z.string().min(1).max(253),
});

const serviceTarget = z.object({
  /** Base URL of the service; the admin API is under `/admin/v1`. */
  adminUrl: z.url(),
  /** The Secret whose key holds the service's ADMIN_TOKEN. */
  tokenSecret: secretReference,
  /** Control kinds this service enforces, e.g. [WithdrawalHalt]. */
  enforces: z
    .array(
      z.enum([
        "WithdrawalHalt",
        "SymbolMode",
        "ProviderDisable",
        "PayoutThrottle",
        "EdgeDegradation",
        "ReadOnlyMode",
        "EscrowResolution",
        "OrderThrottle",
        "CancelAll",
        "SessionRevocation",
        "SettlementReplay",
        "WebhookReplay",
        "RedisFailover",
      ]),
    )
    .min(1),
});

const redisTarget = z.object({ url: z.url().optional() });

export const targetsSchema = z.object({
  services: z.record(z.string().regex(dnsLabel), serviceTarget).default({}),
  redis: z.record(z.string().regex(dnsLabel), redisTarget).default({}),
  lockFlush: z
    .object({
      /** Patterns must start with one of these; each starts with `lock:` and ends with `:`. */
      allowedPrefixes: z
        .array(z.string().regex(/^lock:([a-z0-9_-]+:)+$/))
        .min(1)
        .default(["lock:purchase:", "lock:payout:"]),
    })
    .default({ allowedPrefixes: ["lock:purchase:", "lock:payout:"] }),
});

export type Targets = z.infer<typeof targetsSchema>;
export type ServiceTarget = z.infer<typeof serviceTarget>;
export type SecretReference = z.infer<typeof secretReference>;
export type EnforcedKind = ServiceTarget["enforces"][number];

/** The targets file the repository ships (the one RBAC is generated from). */
export const defaultTargetsPath = new URL("./targets.yaml", import.meta.url).pathname;

/** Parse and validate a targets document; errors name the offending field. */
export function parseTargets(text: string, source: string): Targets {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`${source}: not YAML/JSON: ${(error as Error).message}`);
  }
  const result = targetsSchema.safeParse(document ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}

export function loadTargets(path: string): Targets {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code}`);
  }
  return parseTargets(text, path);
}

/** The services that enforce `kind`, optionally narrowed to `names` (empty: all of them). */
export function targetsFor(
  targets: Targets,
  kind: EnforcedKind,
  names: readonly string[] = [],
): [string, ServiceTarget][] {
  return Object.entries(targets.services).filter(
    ([name, target]) =>
      target.enforces.includes(kind) && (names.length === 0 || names.includes(name)),
  );
}

/** Every Secret the operator reads, for RBAC. */
export function tokenSecrets(targets: Targets): SecretReference[] {
  return Object.values(targets.services).map((target) => target.tokenSecret);
}
