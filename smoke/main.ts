/**
 * @module `npm run smoke -- <service>`: the exchange's smoke is seed 002's Gate G0 against the
 * running platform (`exchange/gate.ts`); every other service's is the release smoke of
 * `services/smoke.ts` against `$SMOKE_URL` (what the PostSync Job runs).
 */
import { runGateG0Command } from "./exchange/gate-command";

if (process.argv[2] === "exchange") {
  process.exitCode = await runGateG0Command(process.argv.slice(3));
} else {
  await import("../services/smoke");
}
