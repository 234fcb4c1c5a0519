/**
 * @module `npm run drill -- <scenario>`: run one drill against the platform `npm start` runs,
 * print its timeline as the steps happen, and exit 1 naming the step that did not happen (2
 * for a usage error: no such drill, or no platform running).
 */
import { runningPlatform } from "../local/platform-state";
import { formatStep, runDrill } from "./drill";
import { drills } from "./index";
import { platformClient } from "./platform-client";

function usage(problem: string): void {
  console.error(`drill: ${problem}; drills: ${drills.map((drill) => drill.name).join(", ")}`);
  process.exitCode = 2;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  const drill = drills.find((candidate) => candidate.name === name);
  if (!drill) return usage(name === undefined ? "name a drill" : `unknown drill "${name}"`);
  const state = runningPlatform();
  if (!state)
    return usage("no platform is running: start one with `npm start` in another terminal");
  const platform = platformClient(state);
  console.log(`drill ${drill.name}: ${drill.summary}\nplaybook: ${drill.playbook}\n`);
  try {
    const result = await runDrill(drill, platform, (step) => console.log(formatStep(step)));
    const total = result.steps.reduce((sum, step) => Math.max(sum, step.atMs), 0);
    if (result.ok) {
      console.log(
        `\ndrill ${drill.name} passed: ${result.steps.length} steps in ${(total / 1000).toFixed(1)} s`,
      );
    } else {
      console.error(`\ndrill ${drill.name} failed: ${result.missing!.message}`);
      process.exitCode = 1;
    }
  } finally {
    await platform.close();
  }
}

main().catch((error: unknown) => {
  console.error(`drill: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
