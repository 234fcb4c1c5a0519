/**
 * @module The scenarios `npm run drill -- <scenario>` knows, by name. Each lives in its own
 * file beside this one and is loaded only when it runs, so one scenario's dependencies never
 * slow or break another's (the image carries `drills/` for the restore
 * rehearsal, not the local platform the incident drills need). Incident drills run against the platform `npm start` runs
 * (`platform-drill.ts`); the restore drills start or reach what they need themselves.
 */
import type { Drill } from "./drill";

export type { Drill, DrillReport } from "./drill";

export const drills: Readonly<Record<string, () => Promise<Drill>>> = {
  "ledger-imbalance": async () =>
    (await import("./platform-drill")).platformDrill(
      (await import("./ledger-imbalance")).ledgerImbalance,
    ),
  "provider-outage": async () =>
    (await import("./platform-drill")).platformDrill(
      (await import("./provider-outage")).providerOutage,
    ),
  restore: async () => (await import("./restore")).restoreDrill,
  "restore-cluster": async () => (await import("./restore-cluster")).restoreClusterDrill,
  "invariant-violation": async () =>
    (await import("./platform-drill")).platformDrill(
      (await import("./invariant-violation")).invariantViolation,
    ),
  "settlement-lag": async () =>
    (await import("./platform-drill")).platformDrill(
      (await import("./settlement-lag")).settlementLag,
    ),
  "split-brain": async () =>
    (await import("./platform-drill")).platformDrill((await import("./split-brain")).splitBrain),
  "stuck-escrow": async () =>
    (await import("./platform-drill")).platformDrill((await import("./stuck-escrow")).stuckEscrow),
  "leaked-key": async () =>
    (await import("./platform-drill")).platformDrill((await import("./leaked-key")).leakedKey),
  "kafka-outage": async () =>
    (await import("./platform-drill")).platformDrill((await import("./kafka-outage")).kafkaOutage),
};
