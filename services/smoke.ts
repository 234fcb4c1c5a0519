/**
 * @module `npm run smoke -- <service>`: run the service's smoke checks (services/kit/smoke.ts)
 * against `$SMOKE_URL`, one line per check, exit 1 when any fails. The Argo CD PostSync Job
 * runs it after each sync, so a failed smoke marks the sync failed.
 */
import { z } from "zod";
import { ConfigError } from "./kit/config";
import { loadServiceDefinition, UnknownServiceError } from "./kit/service-registry";
import { runSmoke } from "./kit/smoke";

async function main(): Promise<number> {
  const definition = await loadServiceDefinition(process.argv[2]);
  const url = z.url({ protocol: /^https?$/ }).safeParse(process.env.SMOKE_URL);
  if (!url.success) {
    throw new ConfigError(
      "SMOKE_URL",
      process.env.SMOKE_URL
        ? "SMOKE_URL: expected an http(s):// URL of the service"
        : "SMOKE_URL: required but not set",
    );
  }
  const results = await runSmoke(definition.name, url.data);
  for (const result of results) {
    const line = `${result.ok ? "ok  " : "FAIL"} ${definition.name} ${result.check} (${result.durationMs} ms)`;
    process.stdout.write(`${line}${result.ok ? "" : `: ${result.detail}`}\n`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof UnknownServiceError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${known ? "" : "smoke failed: "}${message}\n`);
    process.exit(1);
  },
);
