/**
 * @module What Argo CD runs around each sync of a service (seed 003's deploy and migration
 * runbooks): with `features.safeMigrations`, a PreSync Job applies the release's migrations
 * once before any replica rolls; after the sync, a PostSync Job runs the service's smoke
 * checks, and a failed one marks the sync failed.
 */
import { Construct } from "constructs";
import type { Environment, ServiceName } from "../environments";
import { HookJob } from "./constructs/hook-job";
import { migrateProgram, smokeProgram } from "./container-image";
import { postgresPort, serviceHost, servicePort } from "./conventions";
import { componentLabels } from "./labels";
import { commonSecrets } from "./service-catalog";

/** What a hook Job may use: both programs are short-lived clients. */
export const hookJobResources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

export class ReleaseHooks extends Construct {
  constructor(scope: Construct, id: string, environment: Environment, name: ServiceName) {
    super(scope, id);
    const service = environment.services[name];
    const namespaces = environment.namespaces;
    const common = {
      namespace: namespaces.services.name,
      image: service.image,
      resources: hookJobResources,
    };
    if (environment.features.safeMigrations) {
      new HookJob(this, "migrate", {
        ...common,
        name: `${name}-migrate`,
        hook: "PreSync",
        args: [migrateProgram, name],
        labels: componentLabels(`${name}-migrate`, "migration", environment.name),
        secrets: { DATABASE_URL: commonSecrets(name).DATABASE_URL! },
        egress: [{ namespace: namespaces.data.name, ports: [postgresPort] }],
        // A retry is safe: the runner takes an advisory lock and skips what was applied.
        backoffLimit: 2,
      });
    }
    new HookJob(this, "smoke", {
      ...common,
      name: `${name}-smoke`,
      hook: "PostSync",
      args: [smokeProgram, name],
      labels: componentLabels(`${name}-smoke`, "smoke", environment.name),
      env: { SMOKE_URL: `http://${serviceHost(name, namespaces.services.name)}:${servicePort}` },
      egress: [{ namespace: namespaces.services.name, ports: [servicePort] }],
      deadlineSeconds: 300,
      backoffLimit: 2,
    });
  }
}
