/**
 * @module The scenarios `npm run drill -- <scenario>` knows, by name. Each lives in its own
 * file beside this one and is loaded only when it runs, so one scenario's dependencies never
 * slow or break another's.
 */
import type { Drill } from "./drill";

export type { Drill, DrillReport } from "./drill";

export const drills: Readonly<Record<string, () => Promise<Drill>>> = {
  restore: async () => (await import("./restore")).restoreDrill,
  "restore-cluster": async () => (await import("./restore-cluster")).restoreClusterDrill,
};
