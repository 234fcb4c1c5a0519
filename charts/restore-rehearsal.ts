/**
 * @module The weekly restore rehearsal (seeds 002 and 004: backups whose restore is rehearsed
 * weekly in staging) as a CronJob per PITR database, in the data namespace: it runs
 * `npm run drill -- restore-cluster` with the rehearsal copy rendered here into a ConfigMap
 * (`rehearsalCluster`: recovered from the database's object store, archiving nothing), which
 * creates the copy, waits for it, checks its ledger and audit chain, and deletes it. Its
 * ServiceAccount may create, read and delete Clusters and read only the owner Secrets.
 */
import { Cron, Duration } from "cdk8s";
import * as plus from "cdk8s-plus-27";
import { Construct } from "constructs";
import { databaseNames, type Environment } from "../environments";
import {
  containerResources,
  containerSecurityContext,
  podSecurityContext,
} from "./constructs/container-parts";
import { drillProgram, imageEntrypoint } from "./container-image";
import { databaseClusterName, imageReference, secretNames } from "./conventions";
import { componentLabels } from "./labels";
import { size } from "./quantities";
import { rehearsalCluster } from "./recovery";

export const rehearsalName = "restore-rehearsal";
const manifestDirectory = "/etc/restore-rehearsal";

/** Waiting for a recovered copy of a large database takes a while; the Job ends by then. */
const rehearsalDeadlineSeconds = 2 * 60 * 60;

function cronOf(schedule: string): Cron {
  const [minute, hour, day, month, weekDay] = schedule.split(/\s+/);
  return Cron.schedule({ minute, hour, day, month, weekDay });
}

export class RestoreRehearsal extends Construct {
  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id);
    const rehearsal = environment.features.restoreRehearsal;
    if (rehearsal === undefined) return;
    const namespace = environment.namespaces.data.name;
    const domains = databaseNames.filter(
      (domain) => environment.postgres[domain].enabled && environment.postgres[domain].backup.pitr,
    );
    if (domains.length === 0) return;
    const labels = componentLabels(rehearsalName, "restore-rehearsal", environment.name);
    const metadata = { name: rehearsalName, namespace, labels };
    new plus.k8s.KubeServiceAccount(this, "service-account", { metadata });
    new plus.k8s.KubeRole(this, "role", {
      metadata,
      rules: [
        {
          apiGroups: ["postgresql.cnpg.io"],
          resources: ["clusters"],
          verbs: ["create", "get", "delete"],
        },
        {
          apiGroups: [""],
          resources: ["secrets"],
          verbs: ["get"],
          resourceNames: domains.map((domain) => secretNames.databaseOwner(domain)),
        },
      ],
    });
    new plus.k8s.KubeRoleBinding(this, "role-binding", {
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: rehearsalName },
      subjects: [{ kind: "ServiceAccount", name: rehearsalName, namespace }],
    });
    for (const domain of domains)
      this.addRehearsal(environment, databaseClusterName(domain), rehearsal.schedule);
  }

  private addRehearsal(environment: Environment, cluster: string, schedule: string): void {
    const namespace = environment.namespaces.data.name;
    const name = `${cluster}-${rehearsalName}`;
    const labels = componentLabels(name, "restore-rehearsal", environment.name);
    const configMap = new plus.ConfigMap(this, `${cluster}-manifest`, {
      metadata: { name, namespace, labels },
      data: { "cluster.json": JSON.stringify(rehearsalCluster(environment, cluster), null, 2) },
    });
    const manifest = plus.Volume.fromConfigMap(this, `${cluster}-manifest-volume`, configMap, {
      name: "manifest",
    });
    const tmp = plus.Volume.fromEmptyDir(this, `${cluster}-tmp`, "tmp", {
      sizeLimit: size("64Mi"),
    });
    new plus.CronJob(this, `${cluster}-cron-job`, {
      metadata: { name, namespace, labels },
      podMetadata: { labels },
      schedule: cronOf(schedule),
      concurrencyPolicy: plus.ConcurrencyPolicy.FORBID,
      startingDeadline: Duration.hours(1),
      successfulJobsRetained: 1,
      failedJobsRetained: 3,
      activeDeadline: Duration.seconds(rehearsalDeadlineSeconds),
      // One rehearsal per week: a failure is a finding to look at, not something to retry.
      backoffLimit: 0,
      serviceAccount: plus.ServiceAccount.fromServiceAccountName(
        this,
        `${cluster}-account`,
        rehearsalName,
      ),
      automountServiceAccountToken: true,
      securityContext: podSecurityContext,
      containers: [
        {
          name: "rehearsal",
          image: imageReference(environment.images.operator),
          imagePullPolicy: plus.ImagePullPolicy.IF_NOT_PRESENT,
          command: [...imageEntrypoint],
          args: [
            drillProgram,
            "restore-cluster",
            "--manifest",
            `${manifestDirectory}/cluster.json`,
          ],
          volumeMounts: [
            { path: manifestDirectory, volume: manifest, readOnly: true },
            { path: "/tmp", volume: tmp },
          ],
          resources: containerResources({
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
          }),
          securityContext: containerSecurityContext,
        },
      ],
    });
  }
}
