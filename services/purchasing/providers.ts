/**
 * @module The providers table as every replica sees it: read at start and every
 * `PROVIDERS_RELOAD_MS`, so a change (the runbook's `UPDATE "providers" SET "is_active" =
 * false ...`, or the admin API) reaches each replica within one period without a database
 * round trip on the purchase path.
 */
import { z } from "zod";
import type { Pool, Tx } from "../kit/db";
import type { Logger } from "../kit/logger";
import type { ProviderTarget } from "./provider-client";

/** A provider's `settings`: where to reach it. */
export const providerSettingsSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Overrides PROVIDER_TIMEOUT_MS for this provider. */
  timeoutMs: z.number().int().positive().max(120_000).optional(),
});

export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

export interface Provider {
  readonly name: string;
  readonly isActive: boolean;
  readonly priority: number;
  readonly settings: ProviderSettings;
}

/** Providers in routing order (priority, then name); rows whose settings are unusable are left out. */
export interface ProviderDirectory {
  /** Every usable provider, active or not, in routing order. */
  list(): readonly Provider[];
  /** Re-read the table (the reload worker calls it). */
  reload(): Promise<void>;
}

/** Read the providers table now; a row whose settings are unusable is logged and skipped. */
export async function loadProviderDirectory(
  pool: Pool,
  logger: Logger,
): Promise<ProviderDirectory> {
  let providers: Provider[] = [];
  async function reload(): Promise<void> {
    const result = await pool.query<{
      name: string;
      is_active: boolean;
      priority: number;
      settings: unknown;
    }>("SELECT name, is_active, priority, settings FROM providers ORDER BY priority, name");
    const usable: Provider[] = [];
    for (const row of result.rows) {
      const settings = providerSettingsSchema.safeParse(row.settings);
      if (!settings.success) {
        const issue = settings.error.issues[0];
        logger.warn(
          { provider: row.name, problem: `settings.${issue?.path.join(".")}: ${issue?.message}` },
          "provider left out of routing: unusable settings",
        );
        continue;
      }
      usable.push({
        name: row.name,
        isActive: row.is_active,
        priority: row.priority,
        settings: settings.data,
      });
    }
    providers = usable;
  }
  await reload();
  return { list: () => providers, reload };
}

export interface ProviderUpsert {
  readonly name: string;
  readonly isActive: boolean;
  readonly priority: number;
  readonly settings: ProviderSettings;
}

/** Insert or update one provider; returns the row before (undefined when new). */
export async function upsertProvider(
  pool: Pool | Tx,
  provider: ProviderUpsert,
): Promise<Provider | undefined> {
  const result = await pool.query<{ before: Provider | null }>(
    `WITH before AS (SELECT name, is_active AS "isActive", priority, settings FROM providers WHERE name = $1),
          written AS (
            INSERT INTO providers (name, is_active, priority, settings) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO UPDATE SET is_active = EXCLUDED.is_active,
              priority = EXCLUDED.priority, settings = EXCLUDED.settings, updated_at = now()
            RETURNING 1)
     SELECT (SELECT to_jsonb(before) FROM before) AS before FROM written`,
    [provider.name, provider.isActive, provider.priority, JSON.stringify(provider.settings)],
  );
  return result.rows[0]?.before ?? undefined;
}

/** Where and how long to call `provider` (its own timeout, or the service's). */
export function targetOf(provider: Provider, defaultTimeoutMs: number): ProviderTarget {
  return {
    name: provider.name,
    url: provider.settings.url.replace(/\/+$/, ""),
    timeoutMs: provider.settings.timeoutMs ?? defaultTimeoutMs,
  };
}
