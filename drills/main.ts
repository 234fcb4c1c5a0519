/**
 * @module `npm run drill -- <scenario> [options]`: run one drill, print its timeline and one
 * JSON line of what it measured, and exit 0 when every step passed, 1 naming the failed step
 * (or the bad argument) otherwise.
 */
import { type DrillReport, drills } from "./index";
import { formatTimeline } from "./timeline";

function report(result: DrillReport): number {
  process.stdout.write(`${formatTimeline(result.steps)}\n`);
  if (!result.ok) {
    process.stderr.write(
      `drill ${result.scenario} failed at step "${result.failedStep}": ${result.error}\n`,
    );
  }
  const summary = { drill: result.scenario, ok: result.ok, ...result.measured };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return result.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const [scenario, ...args] = process.argv.slice(2);
  const load = scenario === undefined ? undefined : drills[scenario];
  if (load === undefined) {
    const given = scenario === undefined ? "no scenario given" : `unknown scenario "${scenario}"`;
    process.stderr.write(`drill: ${given}; known scenarios: ${Object.keys(drills).join(", ")}\n`);
    return 1;
  }
  return report(await (await load()).run(args));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`drill: ${message.split("\n")[0]}\n`);
    process.exit(1);
  },
);
