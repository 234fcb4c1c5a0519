/**
 * @module The one container image every breakwater program runs from (`Dockerfile` at the
 * repository root) and how a container picks its program: the command and the user the image
 * sets, and the arguments that name a service or the operator.
 */

/** The image's ENTRYPOINT: Node with tsx's loader, so the TypeScript sources run as they are. */
export const imageEntrypoint: readonly string[] = ["node", "--import", "tsx"];

/**
 * The uid and gid the image runs as (its numeric `USER`, so `runAsNonRoot` can verify it); the
 * Deployments set the same so a pod never depends on the image's default.
 */
export const imageUser = 65532;

/** The program that starts one service by name (`npm run service -- <name>`). */
export const serviceProgram = "services/run.ts";

/** The program that starts the control operator (`npm run operator`). */
export const operatorProgram = "operators/main.ts";

/** The program that starts the alert autopilot (`npm run autopilot`). */
export const autopilotProgram = "operators/autopilot/main.ts";

/** The container arguments that run exactly the service `name`. */
export function serviceArgs(name: string): string[] {
  return [serviceProgram, name];
}

/**
 * Node's flags for the operator. The young generation is capped at 2 MB a semi-space (V8's own
 * cap is 16 to 64 MB by heap size): at start-up the operator lists and reconciles thousands of
 * controls in a burst, and with the default the short-lived garbage of that burst alone took its
 * peak RSS from about 220 MB to 300 MB and more with 5,000 controls (`npm run bench --
 * operator-scale`). Scavenges get more frequent and stay short.
 */
export const operatorNodeFlags: readonly string[] = ["--max-semi-space-size=2"];

/** The container arguments that run the operator: its Node flags, then its program. */
export function operatorArgs(): string[] {
  return [...operatorNodeFlags, operatorProgram];
}

/** The container arguments that run the autopilot. */
export function autopilotArgs(): string[] {
  return [autopilotProgram];
}

/** The program that applies a service's migrations (`npm run migrate -- <name>`). */
export const migrateProgram = "services/migrate.ts";

/** The program that runs a service's smoke checks (`npm run smoke -- <name>`). */
export const smokeProgram = "services/smoke.ts";

/** `npm run drill`: the restore rehearsal's CronJob runs its `restore-cluster` scenario. */
export const drillProgram = "drills/main.ts";
