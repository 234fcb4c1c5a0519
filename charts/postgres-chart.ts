/**
 * @module PostgreSQL: one CloudNativePG cluster per enabled domain, each with its object
 * store and scheduled backups (see `PostgresCluster`), and the restore rehearsal where the
 * environment schedules one (`RestoreRehearsal`).
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { databaseNames, type Environment } from "../environments";
import { PostgresCluster } from "./constructs/postgres-cluster";
import { RestoreRehearsal } from "./restore-rehearsal";

export class PostgresChart extends Chart {
  readonly clusters: PostgresCluster[] = [];

  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const domain of databaseNames) {
      if (!environment.postgres[domain].enabled) continue;
      this.clusters.push(new PostgresCluster(this, domain, { environment, domain }));
    }
    new RestoreRehearsal(this, "restore-rehearsal", environment);
  }
}
