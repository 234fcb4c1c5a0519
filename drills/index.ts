/**
 * @module Every drill `npm run drill -- <name>` knows, one file per scenario. A new drill is
 * one import and one entry in this list.
 */
import type { Drill } from "./drill";
import { ledgerImbalance } from "./ledger-imbalance";
import { providerOutage } from "./provider-outage";

export const drills: readonly Drill[] = [ledgerImbalance, providerOutage];
