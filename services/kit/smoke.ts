/**
 * @module A service's smoke checks, run after each release is synced (the Argo CD PostSync
 * Job) and by `npm run smoke -- <service>`: the replica is ready (`GET /health/ready`) and
 * serves this service's OpenAPI document. Each check says what it got and how long it took.
 */

/** The outcome of one check. */
export interface SmokeResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly durationMs: number;
}

interface SmokeCheck {
  readonly check: string;
  verify(answer: Response): Promise<string | undefined>;
}

/** How long one check waits for its answer. */
const checkTimeoutMs = 5_000;

function smokeChecks(service: string): SmokeCheck[] {
  return [
    {
      check: "GET /health/ready",
      async verify(answer) {
        return answer.status === 200 ? undefined : `${answer.status} ${await answer.text()}`;
      },
    },
    {
      check: "GET /openapi.json",
      async verify(answer) {
        if (answer.status !== 200) return `status ${answer.status}`;
        const document = (await answer.json()) as { openapi?: string; info?: { title?: string } };
        const title = `breakwater ${service}`;
        if (document.info?.title !== title)
          return `title "${document.info?.title}", expected "${title}"`;
        return document.openapi ? undefined : "no openapi version";
      },
    },
  ];
}

/**
 * Run every smoke check of `service` against `baseUrl`; never throws, a failure is a result.
 *
 * @example const results = await runSmoke("payments", "http://payments.services.svc:8080");
 */
export async function runSmoke(service: string, baseUrl: string): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const { check, verify } of smokeChecks(service)) {
    const startedMs = performance.now();
    const path = check.split(" ")[1]!;
    let detail: string | undefined;
    try {
      const answer = await fetch(new URL(path, baseUrl), {
        signal: AbortSignal.timeout(checkTimeoutMs),
      });
      detail = await verify(answer);
    } catch (error) {
      detail = error instanceof Error ? error.message : String(error);
    }
    const durationMs = Math.round(performance.now() - startedMs);
    results.push({ check, ok: detail === undefined, detail: detail ?? "ok", durationMs });
  }
  return results;
}
