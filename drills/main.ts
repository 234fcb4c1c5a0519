/**
 * @module `npm run drill -- <scenario> [options]`: run one drill, print its timeline as the
 * steps happen and one JSON line of what it measured, and exit 0 when every step passed, 1
 * naming the failed step otherwise, and 2 for what it cannot run as asked (no or an unknown
 * scenario, a bad argument, no platform running) before anything starts.
 */
import { DrillUsageError } from "./drill";
import { type DrillReport, drills } from "./index";
import { formatStep } from "./timeline";

function report(result: DrillReport): number {
  const seconds = (result.steps.at(-1)?.startMs ?? 0) + (result.steps.at(-1)?.durationMs ?? 0);
  const took = `${result.steps.length} steps in ${(seconds / 1000).toFixed(1)} s`;
  if (result.ok) process.stdout.write(`drill ${result.scenario} passed: ${took}\n`);
  else
    process.stderr.write(
      `drill ${result.scenario} failed at step "${result.failedStep}": ${result.error}\n`,
    );
  const summary = { drill: result.scenario, ok: result.ok, ...result.measured };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return result.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const [scenario, ...args] = process.argv.slice(2);
  const load = scenario === undefined ? undefined : drills[scenario];
  if (load === undefined) {
    const given = scenario === undefined ? "no scenario given" : `unknown scenario "${scenario}"`;
    throw new DrillUsageError(`${given}; known scenarios: ${Object.keys(drills).join(", ")}`);
  }
  const drill = await load();
  return report(
    await drill.run(args, { onStep: (step) => process.stdout.write(`${formatStep(step)}\n`) }),
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`drill: ${message.split("\n")[0]}\n`);
    process.exit(error instanceof DrillUsageError ? 2 : 1);
  },
);
